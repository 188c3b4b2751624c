export { TensorDataset, type Labels } from './data/tensor-dataset.js';
export { DataLoader, type Batch, type DataLoaderOptions } from './data/data-loader.js';
export { randomSplit } from './data/random-split.js';
export { SeededRandom, seededPermutation } from './data/seeded-random.js';
export { accuracy } from './data/accuracy.js';
export { parseIdx, type IdxFile } from './data/idx-file.js';
export { loadMnist, type MnistOptions } from './data/mnist.js';
export { EarlyStopper, type EarlyStopperOptions } from './training/early-stopper.js';
