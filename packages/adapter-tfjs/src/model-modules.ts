import { MonitorchError, type ModuleInfo, type ModuleKind } from '@monitorch/core';
import { ACTIVATION_TYPES, CONTAINER_CLASSES, LAYER_KINDS, PARAMETER_NAMES, WRAPPER_CLASSES } from './layer-kinds.js';
import type { LayerLike, LayerVariableLike, LayersModelLike } from './tfjs-shapes.js';

/**
 * Where a layer's output goes: the module it is reported as. For a layer with a fused
 * activation (a Dense with `activation: 'relu'`) that is the activation module `dense_1.relu`.
 */
export interface OutputSite {
  readonly layer: LayerLike;
  readonly module: ModuleInfo;
  /** The layer says its tensors are channels-first: reported as they are, not reordered. */
  readonly channelsFirst: boolean;
}

/** A trainable weight and the module parameter it is reported as. */
export interface ParameterSite {
  readonly variable: LayerVariableLike;
  readonly module: ModuleInfo;
  /** `weight` for tfjs's `kernel`, else tfjs's own name (`bias`, `gamma`, …). */
  readonly parameter: string;
  /** Its shape as reported: output neuron first (`[out, in]`, `[out, in, kh, kw]`). */
  readonly shape: readonly number[];
  /** reported dim k ↔ tfjs axis `perm[k]` (the identity for biases). */
  readonly perm: readonly number[];
}

/** The modules of a tfjs model, in forward order, and how its tensors map onto them. */
export interface ModelModules {
  readonly modules: readonly ModuleInfo[];
  readonly outputs: readonly OutputSite[];
  readonly parameters: readonly ParameterSite[];
}

/** Options that name the kinds of the user's own layer classes. */
export interface ModuleMapOptions {
  /** Kinds of layer classes the adapter does not know, by `getClassName()` (default `other`). */
  readonly kinds?: Readonly<Record<string, ModuleKind>>;
}

/**
 * Lists a tfjs model's modules. The rules (also in the README):
 * - every layer is a module named by its tfjs name; a layer of a nested model is
 *   `outer.inner` (a Sequential named `conv` holding `conv1` gives `conv.conv1`); the nested
 *   model itself and input layers are not modules;
 * - kinds come from the layer class ({@link LAYER_KINDS}): `Dense` → `linear`, `Conv2D` →
 *   `conv`, `Activation`/`ReLU`/`Softmax` → `activation`, `Dropout` → `dropout`, …;
 * - a Dense or conv layer with a fused activation other than `linear` is two modules: the layer
 *   (kind `linear`/`conv`, owning the parameters, no output: tfjs never materialises the
 *   pre-activation) followed by `<layer>.<activation>` (kind `activation`), which reports the
 *   layer's output — what a separate ReLU layer would report;
 * - `kernel` is reported as `weight`, shaped output neuron first (`[out, in]`,
 *   `[out, in, kh, kw]`, as PyTorch and the ONNX backend have it).
 *
 * @throws MonitorchError `INVALID_ARGUMENT` for something that is not a tfjs LayersModel or a
 *   model whose weights are not built yet
 */
export function modelModules(model: unknown, options: ModuleMapOptions = {}): ModelModules {
  checkModel(model);
  const modules: ModuleInfo[] = [];
  const outputs: OutputSite[] = [];
  const parameters: ParameterSite[] = [];
  const add = (info: Omit<ModuleInfo, 'order'>): ModuleInfo => {
    const m: ModuleInfo = { ...info, order: modules.length };
    modules.push(m);
    return m;
  };
  const walk = (layers: readonly LayerLike[], prefix: string): void => {
    for (const layer of layers) {
      const type = layer.getClassName();
      if (type === 'InputLayer') continue;
      const name = prefix + layer.name;
      if (CONTAINER_CLASSES.has(type) && Array.isArray(layer.layers)) {
        walk(layer.layers, `${name}.`);
        continue;
      }
      const kind = options.kinds?.[type] ?? LAYER_KINDS[type] ?? 'other';
      const own = layer.trainableWeights.map((v) => parameterOf(v));
      const module = add({ name, kind, type, parameters: own.map((p) => ({ name: p.parameter, shape: p.shape })) });
      for (const p of own) parameters.push({ ...p, module });
      if (WRAPPER_CLASSES.has(type)) continue;
      const channelsFirst = layer.dataFormat === 'channelsFirst';
      const activation = fusedActivation(layer);
      if (activation === undefined) {
        outputs.push({ layer, module, channelsFirst });
        continue;
      }
      const act = add({
        name: `${name}.${activation}`,
        kind: 'activation',
        type: ACTIVATION_TYPES[activation] ?? activation,
        parameters: [],
      });
      outputs.push({ layer, module: act, channelsFirst });
    }
  };
  walk(model.layers, '');
  return { modules, outputs, parameters };
}

/** The name of a layer's fused activation, or undefined when it has none (or `linear`). */
function fusedActivation(layer: LayerLike): string | undefined {
  if (layer.getClassName() === 'Activation') return undefined; // the layer is the activation
  const a = layer.activation;
  if (a === undefined || a === null || typeof a.getClassName !== 'function') return undefined;
  const name = a.getClassName();
  return name === 'linear' ? undefined : name;
}

/** How a weight is reported: its parameter name, shape and axis order. */
function parameterOf(v: LayerVariableLike): Omit<ParameterSite, 'module'> {
  const tfName = v.originalName.split('/').at(-1) ?? v.originalName;
  const parameter = PARAMETER_NAMES[tfName] ?? tfName;
  const shape = v.shape.map((d) => d ?? 0);
  const rank = shape.length;
  // tfjs kernels put the output neuron last ([in, out], [kh, kw, in, out]); reported first.
  const perm =
    tfName.endsWith('kernel') && rank >= 2
      ? [rank - 1, rank - 2, ...Array.from({ length: rank - 2 }, (_, i) => i)]
      : Array.from({ length: rank }, (_, i) => i);
  return { variable: v, parameter, shape: perm.map((a) => shape[a] as number), perm };
}

function checkModel(model: unknown): asserts model is LayersModelLike {
  const m = model as Partial<LayersModelLike> | null | undefined;
  const missing: string[] = [];
  if (m === null || typeof m !== 'object') {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `The tfjs adapter watches a tf.LayersModel (tf.sequential() or tf.model()), got ${m === null ? 'null' : typeof m}.`,
      { got: m === null ? 'null' : typeof m },
    );
  }
  if (!Array.isArray(m.layers)) missing.push('layers');
  if (typeof m.getClassName !== 'function') missing.push('getClassName()');
  if (!Array.isArray(m.trainableWeights)) missing.push('trainableWeights');
  if (missing.length > 0) {
    throw new MonitorchError(
      'INVALID_ARGUMENT',
      `The tfjs adapter watches a tf.LayersModel (tf.sequential() or tf.model()); this object has no ${missing.join(', ')}. ` +
        'A graph model (tf.loadGraphModel) cannot be trained and is not watched; pass the LayersModel you train.',
      { missing },
    );
  }
  if (m.trainableWeights?.length === 0 && m.layers?.some((l) => l.trainableWeights.length > 0) !== true) {
    const unbuilt = (m.layers ?? []).length > 0;
    if (unbuilt && (m as { built?: boolean }).built === false) {
      throw new MonitorchError(
        'INVALID_ARGUMENT',
        'The tfjs model is not built yet, so it has no weights to watch. Give its first layer an inputShape ' +
          '(or call model.build / predict once) before attaching.',
        {},
      );
    }
  }
}
