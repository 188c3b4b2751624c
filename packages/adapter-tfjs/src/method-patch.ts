/**
 * Replaces a method on one object (never its class) and remembers how to undo it: the adapter
 * intercepts a layer's `call` and an optimizer's `applyGradients` this way, and every patch is
 * undone on detach, leaving the objects as they were (an own property removed, not overwritten).
 */
export class MethodPatches {
  private readonly undo: (() => void)[] = [];

  /**
   * Installs `wrap(original)` as `target[method]`.
   *
   * @param target - the object (a layer, an optimizer)
   * @param method - the method's name
   * @param wrap - builds the replacement from the original (bound to `target`)
   */
  patch<T extends object, K extends keyof T & string>(target: T, method: K, wrap: (original: T[K]) => T[K]): void {
    const hadOwn = Object.prototype.hasOwnProperty.call(target, method);
    const previous = target[method];
    const original = (previous as (...args: unknown[]) => unknown).bind(target) as T[K];
    target[method] = wrap(original);
    this.undo.push(() => {
      if (hadOwn) target[method] = previous;
      else delete (target as Record<string, unknown>)[method];
    });
  }

  /** Undoes every patch, newest first. */
  restore(): void {
    while (this.undo.length > 0) this.undo.pop()?.();
  }

  /** Whether any patch is installed. */
  get active(): boolean {
    return this.undo.length > 0;
  }
}
