import type { Phase } from '../phase.js';

/**
 * Sorts phases the way users read them: `train`, then `val`, then user phases in the order
 * they first appeared. Every lens orders its rows' phases with this, whatever order events
 * arrived or options listed them in.
 *
 * @param phases - phases in first-seen order
 */
export function orderPhases(phases: Iterable<Phase>): Phase[] {
  const seen = [...phases];
  // Rank from a frozen copy: the comparator must not read the array being sorted.
  const firstSeen = new Map(seen.map((p, i) => [p, i]));
  const rank = (p: Phase): number => (p === 'train' ? 0 : p === 'val' ? 1 : 2 + (firstSeen.get(p) ?? 0));
  return [...seen].sort((a, b) => rank(a) - rank(b));
}
