/**
 * A training thread of a multi-threaded run (see engine/shards.ts and shard-threads.ts): rebuilds
 * its shard over the run's shared memory, says it is ready, then serves steps until told to exit.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { markStopped, serveShard, type ShardPlan } from './engine/shards.ts';

export interface ShardWorkerData {
  memory: WebAssembly.Memory;
  plan: ShardPlan;
  control: SharedArrayBuffer;
  losses: SharedArrayBuffer;
  /** receives { type: 'ready' } once, and { type: 'failed', message } for every failed step */
  port: MessagePort;
}

export type ShardWorkerMessage = { type: 'ready' } | { type: 'failed'; message: string };

const { memory, plan, control, losses, port } = workerData as ShardWorkerData;
const words = new Int32Array(control);
const post = (m: ShardWorkerMessage): void => port.postMessage(m);
let ready = false;
// however this thread ends, a step waiting for it must hear so (the error, if any, goes first)
process.on('exit', () => {
  if (ready) markStopped(words, plan.index);
});
try {
  serveShard(memory, plan, words, new Float64Array(losses),
    () => {
      ready = true;
      post({ type: 'ready' });
    },
    (message) => post({ type: 'failed', message }));
} catch (e) {
  if (ready) post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
  throw e;
}
port.close();
