// Names README snippets use for the user's own code (their model, data and training loop).
// Declared `any` so a snippet type-checks against the real monitorch API around them.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const batches: any;
declare const epochs: number;
declare const epoch: number;
declare const batch: any;
declare const i: number;
declare const W: any;
declare const lin1: any;
declare const loss: any;
declare const valLoss: number;
declare const valAccuracy: number;
declare const model: any;
declare const optimizer: any;
declare const inspector: import('@monitorch/core').Inspector;
declare const stopper: import('@monitorch/backend-onnx').EarlyStopper;
declare function relu(x: any): any;
declare function matmul(a: any, b: any): any;
declare const fc1: { weight: Float32Array; bias: Float32Array };
declare function sgdStep(): void;
declare const x: any;
declare const y: any;
