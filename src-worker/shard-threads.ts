/**
 * Gives a multi-threaded trainer (config.threads > 1) its threads: one Node worker thread per shard
 * after the first, each running shard.worker over the trainer's shared WebAssembly memory. The
 * trainer's own thread runs shard 0 and waits for the others with Atomics.wait, so it must be a
 * thread that may block: a worker thread or Node's main thread, not a browser's.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { controlWords, shardPlan, SharedMemoryRunner } from './engine/shards.ts';
import type { Trainer } from './engine/trainer.ts';
import type { ShardWorkerData, ShardWorkerMessage } from './shard.worker.ts';

/**
 * Starts the trainer's threads and hands it a runner that uses them; resolves when every thread
 * has rebuilt its shard. Call trainer.close() when done to end them (they do not keep the process
 * alive meanwhile).
 */
export async function startShardThreads(trainer: Trainer, workerFile = shardWorkerFile()): Promise<void> {
  const { shards } = trainer;
  if (shards.length === 1) return;
  const memory = trainer.kernels.memory;
  if (!memory) throw new Error(`the ${trainer.kernels.name} kernels have no shared memory; ${shards.length} threads need the wasm kernels`);
  const control = new SharedArrayBuffer(controlWords(shards.length) * Int32Array.BYTES_PER_ELEMENT);
  const losses = new SharedArrayBuffer(shards.length * Float64Array.BYTES_PER_ELEMENT);
  const workers: Worker[] = [];
  const ports: MessagePort[] = [];
  const terminate = (): void => {
    for (const p of ports) p.close();
    for (const w of workers) void w.terminate();
  };
  try {
    await Promise.all(shards.slice(1).map((shard, i) => {
      const index = i + 1;
      const { port1, port2 } = new MessageChannel();
      ports.push(port1);
      const data: ShardWorkerData = { memory, plan: shardPlan(shard, index, trainer.kernels), control, losses, port: port2 };
      const worker = new Worker(workerFile, { workerData: data, transferList: [port2] });
      workers.push(worker);
      return new Promise<void>((resolve, reject) => {
        const onMessage = (m: ShardWorkerMessage): void => {
          if (m.type === 'ready') {
            port1.off('message', onMessage);
            worker.off('error', reject);
            // from now on a thread's error reaches the step as its status and its port's message
            worker.on('error', () => {});
            resolve();
          }
        };
        port1.on('message', onMessage);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`training thread ${index} exited (code ${code}) before it was ready`)));
      });
    }));
  } catch (e) {
    terminate();
    throw e;
  }
  // from here on the threads report failures by message, read synchronously while the step waits
  const failure = (s: number): string => {
    let last = 'ended without a message (out of memory?)';
    for (let m = receiveMessageOnPort(ports[s - 1]); m; m = receiveMessageOnPort(ports[s - 1])) {
      const msg = m.message as ShardWorkerMessage;
      if (msg.type === 'failed') last = msg.message;
    }
    return last;
  };
  for (const w of workers) w.unref();
  for (const p of ports) p.unref();
  trainer.useRunner(new SharedMemoryRunner(trainer.kernels, new Int32Array(control), new Float64Array(losses), failure, terminate));
}

/** shard.worker beside this module once built (out/node, out/main), or out/node's when running from source. */
function shardWorkerFile(): string {
  const candidates = ['./shard.worker.mjs', './shard.worker.js', '../out/node/shard.worker.mjs'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`shard.worker is not built (looked for ${candidates.join(', ')}); run npm run build:node`);
  return found;
}
