import type { BandKind } from '@monitorch/core';

/** Bands in drawing order, widest first, so the narrower ones stay visible on top. */
export const BAND_ORDER: readonly BandKind[] = ['min-max', 'q1-q3', 'std'];

/** Fill opacity per band: the wide min–max band lighter, so the inner bands read through it. */
export const BAND_OPACITY: Readonly<Record<BandKind, number>> = { 'min-max': 0.12, 'q1-q3': 0.22, std: 0.22 };

/** A band's name in tooltips. */
export const BAND_NAME: Readonly<Record<BandKind, string>> = {
  'min-max': 'min–max',
  'q1-q3': 'q1–q3',
  std: '±std',
};
