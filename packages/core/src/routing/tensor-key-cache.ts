/**
 * A typed cache keyed by the three strings that identify one reported tensor of a module:
 * its source (`output`, `gradient`, …), its parameter (`''` for module tensors) and its phase.
 * Nested maps keyed by the caller's own strings, so the hot path builds no key string.
 *
 * @typeParam T - what is cached per tensor
 */
export class TensorKeyCache<T> {
  private readonly bySource = new Map<string, Map<string, Map<string, T>>>();

  /** The cached value, if any. */
  get(source: string, parameter: string, phase: string): T | undefined {
    return this.bySource.get(source)?.get(parameter)?.get(phase);
  }

  /** Caches a value. */
  set(source: string, parameter: string, phase: string, value: T): void {
    let byParameter = this.bySource.get(source);
    if (byParameter === undefined) this.bySource.set(source, (byParameter = new Map<string, Map<string, T>>()));
    let byPhase = byParameter.get(parameter);
    if (byPhase === undefined) byParameter.set(parameter, (byPhase = new Map<string, T>()));
    byPhase.set(phase, value);
  }

  /** Forgets every value. */
  clear(): void {
    this.bySource.clear();
  }
}
