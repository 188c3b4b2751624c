// `npm start`: the project's main job. For now it trains the plain-TypeScript MLP through the
// loop adapter (examples/src/mlp-loop.ts); it will run the MNIST experiment once that exists.
import { parseMlpArgs, runMlpLoop } from './mlp-loop.js';

await runMlpLoop(parseMlpArgs(process.argv.slice(2)));
