import * as tf from '@tensorflow/tfjs-core';
import { MonitorchError } from '@monitorch/core';

/** The parts of the WASM backend a kernel writes its output with. */
interface WasmOutputs {
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): tf.TensorInfo;
}

/**
 * tfjs's WASM backend has no kernel for a convolution's filter gradient
 * (`Conv2DBackpropFilter`), so a convnet cannot train on it. This registers one for stride 1
 * and dilation 1 (every conv of the seed CNN), written as a convolution the backend does have:
 *
 *   dW[i, j, ci, co] = Σ_{n, h, w} x_pad[n, h + i, w + j, ci] · dy[n, h, w, co]
 *
 * is `conv2d(x_pad` as `[ci, H, W, n]`, with `dy` as the filter `[Ho, Wo, n, co])` =
 * `[ci, kh, kw, co]`, transposed to `[kh, kw, ci, co]`. Other convolutions are refused with a
 * typed error. Call once, after importing `@tensorflow/tfjs-backend-wasm`.
 */
export function registerWasmConvFilterGradient(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs = {}, backend }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const filterShape = attrs['filterShape'] as [number, number, number, number];
      const pad = attrs['pad'] === 'same' || attrs['pad'] === 'valid' ? attrs['pad'] : unsupported();
      const unit = (v: unknown) => v === undefined || v === 1 || (Array.isArray(v) && v.every((d) => d === 1));
      if (!unit(attrs['strides']) || !unit(attrs['dilations']) || attrs['dataFormat'] !== 'NHWC') unsupported();
      const values = tf.tidy(() => {
        const xt = borrow(x, backend as unknown as tf.KernelBackend) as tf.Tensor4D;
        const dyt = borrow(dy, backend as unknown as tf.KernelBackend) as tf.Tensor4D;
        return filterGradient(xt, dyt, filterShape, pad as 'same' | 'valid').dataSync() as Float32Array;
      });
      return (backend as unknown as WasmOutputs).makeOutput(filterShape, 'float32', undefined, values);
    },
  });
}

/**
 * A tensor over a kernel input's data: one more reference on the backend, so that disposing
 * the tensor (tidy does) leaves the input's data alone.
 */
function borrow(info: tf.TensorInfo, backend: tf.KernelBackend): tf.Tensor {
  const t = tf.engine().makeTensorFromTensorInfo(info);
  backend.incRef(info.dataId);
  return t;
}

function filterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly [number, number, number, number],
  pad: 'same' | 'valid',
): tf.Tensor4D {
  const [kh, kw] = filterShape;
  // 'same' with stride 1 pads k − 1 rows, the smaller half on top (as tfjs's forward pass).
  const padded =
    pad === 'valid'
      ? x
      : tf.pad(x, [
          [0, 0],
          [Math.floor((kh - 1) / 2), kh - 1 - Math.floor((kh - 1) / 2)],
          [Math.floor((kw - 1) / 2), kw - 1 - Math.floor((kw - 1) / 2)],
          [0, 0],
        ]);
  const input = tf.transpose(padded, [3, 1, 2, 0]);
  const kernel = tf.transpose(dy, [1, 2, 0, 3]);
  return tf.transpose(tf.conv2d(input, kernel, 1, 'valid'), [1, 2, 0, 3]);
}

function unsupported(): never {
  throw new MonitorchError(
    'UNSUPPORTED',
    'The WASM filter gradient registered by the tfjs example handles stride-1, dilation-1, NHWC convolutions ' +
      "with 'same' or 'valid' padding only; train this network on the CPU backend (--backend cpu).",
  );
}
