/**
 * A training thread of a multi-threaded run (see engine/shards.ts and shard-threads.ts): rebuilds
 * its shard over the run's shared memory, says it is ready, then serves steps until told to exit.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { serveShard, type ShardPlan } from './engine/shards.ts';

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
const post = (m: ShardWorkerMessage): void => port.postMessage(m);
serveShard(memory, plan, new Int32Array(control), new Float64Array(losses),
  () => post({ type: 'ready' }),
  (message) => post({ type: 'failed', message }));
port.close();
