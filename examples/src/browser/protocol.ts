/**
 * Messages between the browser example's page (Inspector, lenses, figure) and its training
 * worker (onnxruntime-web, the Trainer). Everything here is structured-cloneable plain data.
 */
import type { AdapterReport, ReductionRequest } from '@monitorch/core';

/** The two cases of the seed notebook. */
export type BrowserCase = '2d' | 'mnist';

/** Where onnxruntime-web runs the graphs. */
export type BrowserDevice = 'wasm' | 'webgpu';

/** What the user chose on the page. */
export interface TrainingConfig {
  readonly case: BrowserCase;
  /** Dropout probability of every dropout layer (0: none). */
  readonly dropout: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly device: BrowserDevice;
  /** MNIST only: train on the first `limit` training images (and validate on as many test images, at most 10 000). */
  readonly limit?: number;
  /** Seed of the data split, the shuffle and the initial weights. */
  readonly seed: number;
}

/** Page → worker. */
export type ToWorker =
  | {
      readonly type: 'connect';
      readonly requests: readonly ReductionRequest[];
      readonly clock: { readonly epoch: number; readonly step: number };
    }
  | { readonly type: 'start'; readonly config: TrainingConfig }
  /** The page closed the epoch the worker announced; the next may start. */
  | { readonly type: 'epoch-closed' };

/** Worker → page. */
export type FromWorker =
  | { readonly type: 'ready'; readonly threads: number; readonly isolated: boolean; readonly device: string }
  | { readonly type: 'report'; readonly report: AdapterReport }
  | {
      readonly type: 'progress';
      readonly epoch: number;
      readonly batch: number;
      readonly batches: number;
      readonly loss: number;
    }
  | {
      readonly type: 'epoch';
      readonly epoch: number;
      readonly valAccuracy: number;
      /**
       * Median milliseconds of this epoch's train steps after its first (the step as the Trainer
       * runs it, lenses included).
       */
      readonly stepMs: number;
    }
  | { readonly type: 'done' }
  | { readonly type: 'error'; readonly message: string };
