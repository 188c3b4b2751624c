export { ParameterGradientGeometry, type ParameterGradientGeometryOptions } from './gradient-geometry.js';
export { OutputGradientGeometry, type OutputGradientGeometryOptions } from './output-gradient-geometry.js';
export { ParameterUpdateGeometry, type ParameterUpdateGeometryOptions } from './update-geometry.js';
export type { GeometryOptions } from './geometry-options.js';
