/**
 * The training worker: runs a {@link LocalStepEngine} with onnxruntime-node on its own thread,
 * so `session.run` (synchronous inside ORT) never blocks the user's event loop. Calls are
 * served one at a time, in order.
 */
import { parentPort } from 'node:worker_threads';
import {
  callEngine,
  errorToData,
  packStats,
  repliesWithFreshBuffers,
  transferables,
  type EngineCall,
  type EngineReply,
} from './engine-protocol.js';
import type { RunResult } from './step-engine.js';
import { LocalStepEngine } from './local-step-engine.js';
import { loadNodeOrt } from './ort-api.js';

const port = parentPort;
if (port === null) throw new Error('step-worker.js must be started as a worker thread.');

const engine = loadNodeOrt().then((ort) => new LocalStepEngine(ort));
let queue: Promise<unknown> = Promise.resolve();

port.on('message', (call: EngineCall) => {
  queue = queue.then(async () => {
    let reply: EngineReply;
    try {
      const result = await callEngine(await engine, call);
      const value = call.method === 'run' ? packStats(result as RunResult) : result;
      reply = { id: call.id, ok: true, value };
    } catch (e) {
      reply = { id: call.id, ok: false, error: errorToData(e) };
    }
    // State and prediction arrays are fresh ORT output buffers: move them, don't copy.
    port.postMessage(reply, reply.ok && repliesWithFreshBuffers(call.method) ? transferables(reply.value) : []);
  });
});
