import type { Tensor } from '@tensorflow/tfjs-core';
import type { Inspector } from '@monitorch/core';
import { TfjsAdapter, type TfjsAdapterOptions } from './tfjs-adapter.js';
import type { LayersModelLike } from './tfjs-shapes.js';

/** fit's logs: numbers, or scalar tensors when tfjs hands them unresolved. */
type Logs = Readonly<Record<string, number | Tensor>> | undefined;

/**
 * The callback {@link watch} returns: pass it in `fit`'s `callbacks`. It is a plain callback
 * object (tfjs wraps it like any `{ onBatchEnd, … }`), and also works next to `tf.Callback`
 * instances such as `tf.callbacks.earlyStopping()`.
 */
export interface TfjsWatch {
  /** The adapter the Inspector is attached to (for its modules, or custom steps). */
  readonly adapter: TfjsAdapter;
  /** fit calls these. */
  onTrainBegin(logs?: Logs): Promise<void>;
  onBatchEnd(batch: number, logs?: Logs): Promise<void>;
  onEpochEnd(epoch: number, logs?: Logs): Promise<void>;
  onTrainEnd(logs?: Logs): Promise<void>;
  /** tfjs calls these on `tf.Callback`-style entries; nothing to do. */
  setParams(params: unknown): void;
  setModel(model: unknown): void;
}

/** Options of {@link watch}. */
export interface WatchOptions extends TfjsAdapterOptions {
  /**
   * Detach the Inspector when `fit` ends (default false: it stays attached, so a second `fit`
   * continues the run and `inspector.close()` finishes it; detaching restores the model).
   */
  readonly detachOnTrainEnd?: boolean;
}

/**
 * Watches a tfjs model's `fit()` with an Inspector: one line in the fit call.
 *
 * ```ts
 * const inspector = new Inspector({ lenses: [new LossMetrics({ metrics: ['acc', 'val_acc'] }),
 *   new OutputActivation(), new ParameterGradientActivation()], runDir: 'runs/tfjs' });
 * await model.fit(x, y, { epochs: 5, validationSplit: 0.1, callbacks: [watch(model, inspector)] });
 * await inspector.close(); // finishes the run files and restores the model
 * ```
 *
 * Attaches the Inspector to a new {@link TfjsAdapter} at once. Each batch reports its layer
 * outputs, parameter gradients and updates (what the lenses ask for, reduced on the backend and
 * downloaded in one asynchronous read), its loss and the metrics in fit's batch logs (`acc`, …);
 * each epoch end reports the validation loss and metrics (`val_loss` as a `val` loss, `val_acc`
 * as a metric) and ticks the Inspector's epoch.
 *
 * @param model - the tfjs LayersModel that `fit` trains
 * @param inspector - the Inspector with its lenses
 * @throws MonitorchError `INVALID_ARGUMENT` (not a LayersModel), `UNSUPPORTED` (a lens needs
 *   what tfjs cannot give), and whatever `inspector.attach` throws
 */
export function watch(model: unknown, inspector: Inspector, options: WatchOptions = {}): TfjsWatch {
  const adapter = new TfjsAdapter(model, options);
  inspector.attach(adapter);
  const m = model as LayersModelLike;
  return {
    adapter,
    onTrainBegin: async () => {
      if (!inspector.attached) inspector.attach(adapter);
      const opt = m.optimizer;
      adapter.watchOptimizer(typeof opt === 'object' && opt !== null ? opt : undefined);
      return Promise.resolve();
    },
    onBatchEnd: async (_batch, logs) => {
      const values = await numbers(logs);
      const { loss, size, batch: _b, ...metrics } = values;
      await adapter.step({
        ...(loss === undefined ? {} : { loss }),
        ...(size === undefined ? {} : { batchSize: size }),
        metrics,
      });
    },
    onEpochEnd: async (_epoch, logs) => {
      const values = await numbers(logs);
      await adapter.settle(); // fit's validation outputs
      for (const [name, value] of Object.entries(values)) {
        if (name === 'val_loss') adapter.loss(value, { phase: 'val' });
        else if (name.startsWith('val_')) adapter.metric(name, value, { phase: 'val' });
      }
      await adapter.prepareSnapshot(); // parameter lenses are answered without a synchronous read
      await inspector.tickEpoch();
    },
    onTrainEnd: async () => {
      await adapter.settle();
      if (options.detachOnTrainEnd === true) inspector.detach();
    },
    setParams: () => undefined,
    setModel: () => undefined,
  };
}

/** Logs as plain numbers (tfjs passes scalar tensors to `tf.Callback`-style entries). */
async function numbers(logs: Logs): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(logs ?? {})) {
    if (typeof value === 'number') out[key] = value;
    else if (value !== null && typeof value === 'object' && typeof value.data === 'function') {
      out[key] = (await value.data())[0] ?? Number.NaN;
    }
  }
  return out;
}
