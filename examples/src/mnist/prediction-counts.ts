import type { Trainer, TensorDataset } from '@monitorch/backend-onnx';

/**
 * How many test images the model assigns to each class (argmax of its output). A healthy
 * MNIST model predicts each digit about 1 000 times in 10 000; a run stuck on a plateau shows
 * one or two digits that are never predicted at all — the tell-tale of the seed's
 * softmax-then-CrossEntropy setup, where a class whose softmax output saturated at zero gets
 * almost no gradient.
 *
 * @param chunk - images per `predict` call (bounds memory)
 */
export async function predictionCounts(
  trainer: Trainer,
  data: TensorDataset,
  classes = 10,
  chunk = 2000,
): Promise<number[]> {
  const counts = new Array<number>(classes).fill(0);
  const per = data.sampleSize;
  for (let start = 0; start < data.length; start += chunk) {
    const n = Math.min(chunk, data.length - start);
    const x = data.x.subarray(start * per, (start + n) * per);
    const { data: scores } = await trainer.predict(x, [n, ...data.sampleShape]);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) {
        if ((scores[i * classes + c] as number) > (scores[i * classes + best] as number)) best = c;
      }
      counts[best] = (counts[best] as number) + 1;
    }
  }
  return counts;
}

/** Classes never predicted, e.g. `[5]`. */
export function neverPredicted(counts: readonly number[]): number[] {
  return counts.flatMap((c, i) => (c === 0 ? [i] : []));
}
