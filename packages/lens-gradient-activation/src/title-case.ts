export { titleCase } from '@monitorch/core';
