/**
 * Colours by series name, after the original monitorch figure: train blue, val orange,
 * activation rate blue, death rate orange (also `weight_death_rate` and other family members),
 * train accuracy steelblue, val accuracy red. Every other name gets a colour from a fixed
 * palette chosen by a hash of the name, so the same series has the same colour in every figure
 * and every redraw of the live page.
 */
const NAMED: Readonly<Record<string, string>> = {
  train: '#1f77b4',
  val: '#ff7f0e',
  activation_rate: '#1f77b4',
  death_rate: '#ff7f0e',
  worst_activation_rate: '#1f77b4',
  worst_death_rate: '#ff7f0e',
  'train loss': '#1f77b4',
  'val loss': '#ff7f0e',
  train_accuracy: '#4682b4',
  val_accuracy: '#d62728',
  'train accuracy': '#4682b4',
  'val accuracy': '#d62728',
  mean: '#4682b4',
  median: '#1f77b4',
};

/** Whether `name` has a fixed colour of its own (not from a family or the palette). */
export function hasNamedColor(name: string): boolean {
  return NAMED[name] !== undefined;
}

/** Families that keep the colour of their base name, e.g. `weight_death_rate` is orange like `death_rate`. */
const FAMILIES: readonly string[] = ['activation_rate', 'death_rate'];

/**
 * The fallback palette (colour-blind friendlier tableau colours, blue and orange last so hashed
 * names rarely look like train/val).
 */
const PALETTE: readonly string[] = [
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
  '#393b79',
  '#637939',
];

/**
 * The dash pattern of death-rate lines. Activation and death rates share panels (the per-layer
 * panels, the warning panels) and often overlap near the same value; blue against orange is
 * all that told them apart, which fails in grey print and for many colour-blind readers.
 */
export const DEATH_RATE_DASH = '5,3';

/**
 * The SVG `stroke-dasharray` of a series' line, by its quantity: the death-rate family
 * (`death_rate`, `worst_death_rate`, `weight_death_rate`, …) is dashed, everything else solid
 * (`undefined`). By quantity, not by panel, so a death rate looks the same in every panel.
 *
 * @param quantity - the series' quantity, e.g. `worst_death_rate`
 */
export function seriesDash(quantity: string): string | undefined {
  return quantity === 'death_rate' || quantity.endsWith('_death_rate') ? DEATH_RATE_DASH : undefined;
}

/** Two alternating blues for stacked shares, as in the original relations plot. */
export const RELATION_COLORS: readonly string[] = ['#6495ed', '#4169e1'];

/**
 * The colour of a series name: a fixed colour for well-known names, otherwise a palette colour
 * chosen by a hash of the name.
 *
 * @param name - series name, e.g. `train`, `death_rate` or `val accuracy`
 */
export function seriesColor(name: string): string {
  const named = NAMED[name];
  if (named !== undefined) return named;
  const family = FAMILIES.find((f) => name.endsWith(`_${f}`) || name.endsWith(` ${f}`));
  if (family !== undefined) return NAMED[family] ?? '#7f7f7f';
  return PALETTE[hash(name) % PALETTE.length] ?? '#7f7f7f';
}

/**
 * Colours for the series of one panel, in order. Two series of a panel never share a colour:
 * on a hash collision the later one moves to the next free palette colour.
 *
 * @param keys - the colour key of each series (see `colorKey` in the figure model)
 */
export function panelColors(keys: readonly string[]): string[] {
  const used = new Set<string>();
  return keys.map((key) => {
    let color = seriesColor(key);
    if (used.has(color)) {
      const start = hash(key) % PALETTE.length;
      for (let i = 1; i <= PALETTE.length; i += 1) {
        const candidate = PALETTE[(start + i) % PALETTE.length] ?? color;
        if (!used.has(candidate)) {
          color = candidate;
          break;
        }
      }
    }
    used.add(color);
    return color;
  });
}

/** FNV-1a: a small, stable string hash (same value in Node and every browser). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * One colour per run when runs are compared (the tableau 10 in their usual order): runs are
 * told apart by colour, so the series of one run (train/val, activation/death rate) are told
 * apart by dash instead (see {@link roleDash}).
 */
export const RUN_PALETTE: readonly string[] = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

/**
 * The colour of the `i`-th compared run. By position in the comparison, not by a hash of the
 * name: ten runs get ten different colours; from the eleventh on they repeat (the figure says so).
 *
 * @param i - the run's index in the comparison
 */
export function runColor(i: number): string {
  return RUN_PALETTE[i % RUN_PALETTE.length] ?? '#7f7f7f';
}

/** Dash of a compared run's validation lines (dotted). */
export const VAL_DASH = '2,3';
/** Dash of a compared run's validation death rates (dash-dot). */
export const VAL_DEATH_RATE_DASH = '6,3,1.5,3';
/** Dash of lines of any other phase (e.g. `test`) when runs are compared. */
export const OTHER_PHASE_DASH = '9,3';
/** Dashes for series of one run that the rule above leaves alike in one panel, in order. */
export const SPARE_DASHES: readonly string[] = ['1,2', '12,3,3,3', '4,4', '12,6'];

/**
 * The dash of one of a compared run's series, by its phase and quantity only — the same rule in
 * every panel: train (or no phase) solid, val dotted, other phases long-dashed; a death rate
 * dashed (dash-dot in val). Colour says which run.
 *
 * @param phase - the series' phase (`train`, `val`, …; '' for none)
 * @param quantity - the series' quantity
 * @returns an SVG `stroke-dasharray`, or undefined for a solid line
 */
export function roleDash(phase: string, quantity: string): string | undefined {
  const death = seriesDash(quantity) !== undefined;
  if (phase === '' || phase === 'train') return death ? DEATH_RATE_DASH : undefined;
  if (phase === 'val') return death ? VAL_DEATH_RATE_DASH : VAL_DASH;
  return death ? DEATH_RATE_DASH : OTHER_PHASE_DASH;
}
