import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { svgToPng } from '@monitorch/viz';

/** A classifier of 2D points: probabilities `[N, 2]` for the flat points `[N, 2]`. */
export type Predict2d = (points: Float32Array) => Promise<Float32Array>;

/** Options of {@link decisionBoundary}. */
export interface DecisionBoundaryOptions {
  /** Grid cells per axis (default 160). */
  readonly resolution?: number;
  /** Picture size in pixels (default 480). */
  readonly size?: number;
}

/** The drawn picture and where the decision changes. */
export interface DecisionBoundary {
  /** The picture as an SVG document. */
  readonly svg: string;
  /** Fraction of grid cells predicted positive (class 1). */
  readonly positiveShare: number;
}

/**
 * The seed's `plot_decision_boundary`: predicts class 1 (probability > 0.5) on a grid spanning
 * the data ± 1, shades the positive region, and draws the points (positives blue, negatives
 * red). Plain SVG: each grid row becomes a few rectangles (runs of equal prediction), so the
 * file stays small however fine the grid.
 *
 * @param predict - the model's class probabilities for a batch of points
 * @param positive - positive points `[n, 2]`, flat
 * @param negative - negative points `[m, 2]`, flat
 */
export async function decisionBoundary(
  predict: Predict2d,
  positive: Float32Array,
  negative: Float32Array,
  options: DecisionBoundaryOptions = {},
): Promise<DecisionBoundary> {
  const cells = options.resolution ?? 160;
  const size = options.size ?? 480;
  const all = [...positive, ...negative];
  const xs = all.filter((_, i) => i % 2 === 0);
  const ys = all.filter((_, i) => i % 2 === 1);
  const x0 = Math.min(...xs) - 1;
  const x1 = Math.max(...xs) + 1;
  const y0 = Math.min(...ys) - 1;
  const y1 = Math.max(...ys) + 1;
  // Cell centres, row by row from the top (largest y) so rows map straight to SVG rows.
  const grid = new Float32Array(cells * cells * 2);
  for (let r = 0; r < cells; r++) {
    for (let c = 0; c < cells; c++) {
      const k = (r * cells + c) * 2;
      grid[k] = x0 + ((c + 0.5) / cells) * (x1 - x0);
      grid[k + 1] = y1 - ((r + 0.5) / cells) * (y1 - y0);
    }
  }
  const probabilities = await predict(grid);
  const isPositive = (i: number): boolean => (probabilities[i * 2 + 1] ?? 0) > 0.5;

  const m = 40; // margin for the axes
  const plot = size - 2 * m;
  const px = (x: number): number => m + ((x - x0) / (x1 - x0)) * plot;
  const py = (y: number): number => m + ((y1 - y) / (y1 - y0)) * plot;
  const cell = plot / cells;
  const parts: string[] = [];
  let positives = 0;
  for (let r = 0; r < cells; r++) {
    let c = 0;
    while (c < cells) {
      const value = isPositive(r * cells + c);
      let end = c + 1;
      while (end < cells && isPositive(r * cells + end) === value) end++;
      if (value) positives += end - c;
      parts.push(
        `<rect x="${fmt(m + c * cell)}" y="${fmt(m + r * cell)}" width="${fmt((end - c) * cell + 0.05)}" height="${fmt(cell + 0.05)}" fill="${value ? '#67a9cf' : '#ef8a62'}" fill-opacity="0.3"/>`,
      );
      c = end;
    }
  }
  const dots = (points: Float32Array, colour: string): string[] => {
    const out: string[] = [];
    for (let i = 0; i + 1 < points.length; i += 2) {
      out.push(
        `<circle cx="${fmt(px(points[i] as number))}" cy="${fmt(py(points[i + 1] as number))}" r="4" fill="${colour}" stroke="#000" stroke-width="0.8"/>`,
      );
    }
    return out;
  };
  const ticks: string[] = [];
  for (let t = Math.ceil(x0); t <= Math.floor(x1); t++) {
    ticks.push(
      `<line x1="${fmt(px(t))}" x2="${fmt(px(t))}" y1="${size - m}" y2="${size - m + 5}" stroke="#333"/>`,
      `<text x="${fmt(px(t))}" y="${size - m + 18}" text-anchor="middle">${t}</text>`,
    );
  }
  for (let t = Math.ceil(y0); t <= Math.floor(y1); t++) {
    ticks.push(
      `<line x1="${m - 5}" x2="${m}" y1="${fmt(py(t))}" y2="${fmt(py(t))}" stroke="#333"/>`,
      `<text x="${m - 8}" y="${fmt(py(t) + 4)}" text-anchor="end">${t}</text>`,
    );
  }
  const legend = [
    `<circle cx="${size - m - 80}" cy="${m + 14}" r="4" fill="#2166ac" stroke="#000" stroke-width="0.8"/>`,
    `<text x="${size - m - 70}" y="${m + 18}">Positive</text>`,
    `<circle cx="${size - m - 80}" cy="${m + 32}" r="4" fill="#b2182b" stroke="#000" stroke-width="0.8"/>`,
    `<text x="${size - m - 70}" y="${m + 36}">Negative</text>`,
  ];
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" font-family="DejaVu Sans, sans-serif" font-size="11">`,
    `<rect width="${size}" height="${size}" fill="#fff"/>`,
    `<text x="${size / 2}" y="${m - 14}" text-anchor="middle" font-size="14">Decision Boundary</text>`,
    ...parts,
    `<rect x="${m}" y="${m}" width="${plot}" height="${plot}" fill="none" stroke="#333"/>`,
    ...ticks,
    ...dots(positive, '#2166ac'),
    ...dots(negative, '#b2182b'),
    ...legend,
    '</svg>',
  ].join('\n');
  return { svg, positiveShare: positives / (cells * cells) };
}

/** Writes `decision-boundary.svg` and `.png` into `dir`; returns the two paths. */
export async function writeDecisionBoundary(dir: string, boundary: DecisionBoundary): Promise<[string, string]> {
  await mkdir(dir, { recursive: true });
  const svgFile = join(dir, 'decision-boundary.svg');
  const pngFile = join(dir, 'decision-boundary.png');
  await writeFile(svgFile, boundary.svg);
  await writeFile(pngFile, svgToPng(boundary.svg));
  return [svgFile, pngFile];
}

function fmt(v: number): string {
  return Number(v.toFixed(2)).toString();
}
