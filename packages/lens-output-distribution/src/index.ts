export { DEFAULT_DISTRIBUTION, OutputDistribution, type OutputDistributionOptions } from './output-distribution.js';
export { DISTRIBUTION_COLUMNS, DISTRIBUTION_QUANTITY, distributionTable } from './distribution-table.js';
