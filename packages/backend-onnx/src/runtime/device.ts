import { MonitorchError } from '@monitorch/core';

/** Where the graphs run: the CPU, an NVIDIA GPU through CUDA, or a GPU through WebGPU. */
export type Device = 'cpu' | 'cuda' | 'webgpu';

/** All devices, for validation. */
export const DEVICES: readonly Device[] = ['cpu', 'cuda', 'webgpu'];

/** The ORT execution provider of each device. ORT never falls back by itself, so one each. */
export function executionProviderFor(device: Device): string {
  return device;
}

/** How to make a device available, in the user's words. */
export function howToGet(device: Device): string {
  switch (device) {
    case 'cuda':
      return (
        'onnxruntime-node only ships the CPU and WebGPU providers; its install step downloads the CUDA provider libraries. ' +
        'On a machine with an NVIDIA driver and CUDA 12, reinstall it with the scripts allowed: ' +
        '`ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node` (or run `node node_modules/onnxruntime-node/script/install.js` ' +
        'with that variable set, if your npm skips install scripts). ' +
        'Or pass allowCpuFallback: true to train on the CPU instead.'
      );
    case 'webgpu':
      return (
        "onnxruntime-node's WebGPU provider (Dawn) needs a Vulkan driver: install the Vulkan loader and a GPU driver " +
        "(e.g. `apt-get install libvulkan1` plus your vendor's Vulkan ICD). Software Vulkan (lavapipe) is not accepted by Dawn. " +
        'Or pass allowCpuFallback: true to train on the CPU instead.'
      );
    case 'cpu':
      return 'The CPU provider is always bundled; if it fails, reinstall onnxruntime-node.';
  }
}

/** The error for a device whose provider could not start. */
export function deviceUnavailable(device: Device, cause: unknown): MonitorchError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new MonitorchError(
    'DEVICE_UNAVAILABLE',
    `Device '${device}' is not available: ONNX Runtime could not start its ${device} execution provider (${firstLine(why)}). ${howToGet(device)}`,
    { device, reason: why },
    { cause },
  );
}

/**
 * Checks a device name.
 *
 * @throws MonitorchError `INVALID_ARGUMENT` for an unknown device
 */
export function checkDevice(device: string): Device {
  if (!(DEVICES as readonly string[]).includes(device)) {
    throw new MonitorchError('INVALID_ARGUMENT', `Unknown device '${device}'. Use one of: ${DEVICES.join(', ')}.`, {
      device,
    });
  }
  return device as Device;
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
