export { OutputNorm, type OutputNormOptions } from './output-norm.js';
export { ParameterNorm, type ParameterNormOptions } from './parameter-norm.js';
export { ParameterCond, type ParameterCondOptions } from './parameter-cond.js';
