import type { ModuleInfo } from '@monitorch/core';

/** How a parameter is initialised: U(−bound, bound), PyTorch's default for Linear/Conv. */
export interface ParameterInit {
  /** The distribution: uniform. */
  readonly kind: 'uniform';
  /** Values are drawn from U(−bound, bound). */
  readonly bound: number;
}

/** A parameter of the traced network, fed as a graph input of the same full name. */
export interface ParameterSlot {
  /** Full name, `module.param` (e.g. `dense.lin1.weight`); also the graph input name. */
  readonly fullName: string;
  /** The owning module's full name. */
  readonly module: string;
  /** Name inside the module (`weight`, `bias`). */
  readonly name: string;
  /** The parameter's shape. */
  readonly shape: readonly number[];
  /** How its initial value is drawn. */
  readonly init: ParameterInit;
}

/** The owning module info of a parameter slot. */
export function ownerOf(slot: ParameterSlot, modules: readonly ModuleInfo[]): ModuleInfo {
  const m = modules.find((mod) => mod.name === slot.module);
  if (m === undefined) throw new Error(`no module ${slot.module}`);
  return m;
}
