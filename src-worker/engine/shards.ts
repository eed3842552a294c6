/**
 * A training step over several threads. The B streams of the batch are split into contiguous
 * shards; each shard is a model that shares the run's weights (one parameter buffer) but has its
 * own gradients and its own workspace. Every shard runs forward and backward on its streams, and
 * the trainer then sums the shards' gradients, weighted by their share of the streams, in shard
 * order. Nothing depends on which thread finishes first, so a seed and a thread count give the same
 * bits every time; they differ from one thread's only by the rounding of the split sums.
 *
 * A ShardRunner runs the shards of a step. InThreadRunner runs them one after the other here (the
 * same bits, no speed-up: for kernels without shared memory, and for tests). SharedMemoryRunner
 * runs shard 0 here and every other shard in a thread of its own, all in one shared
 * WebAssembly.Memory: a thread rebuilds its shard from a ShardPlan (the byte offsets of the
 * arrays the trainer allocated for it) and then waits on a control word, so a step costs no
 * messages, only atomics.
 */
import type { ModelConfig } from './config.ts';
import { createWasmKernels, WasmHeap } from './kernels-wasm.ts';
import type { Kernels } from './kernels.ts';
import { Interrupted, Model, type Allocator, type Workspace } from './model.ts';
import { paramLayout } from './param-layout.ts';

export interface Shard {
  model: Model;
  ws: Workspace;
  /** the batch's streams first .. first + streams - 1 */
  first: number;
  streams: number;
  /** every array allocated for this shard, as [byte offset, length], in allocation order */
  arrays: [number, number][];
}

/** B streams over n shards, contiguous and as even as possible, the larger shards first. */
export function shardSizes(B: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 1 || n > B) throw new RangeError(`cannot split ${B} streams into ${n} shards`);
  return Array.from({ length: n }, (_, s) => Math.floor(B / n) + (s < B % n ? 1 : 0));
}

/**
 * Shards of `main` for T steps over B streams: new models over main's parameters, with gradients
 * and workspaces from `alloc` (recorded, so that another thread can rebuild them: see ShardPlan).
 */
export function makeShards(main: Model, T: number, B: number, n: number, alloc: Allocator | undefined): Shard[] {
  let first = 0;
  return shardSizes(B, n).map((streams) => {
    const arrays: [number, number][] = [];
    const recording = alloc && ((len: number): Float32Array => {
      const a = alloc(len);
      arrays.push([a.byteOffset, len]);
      return a;
    });
    const model = new Model(main.config, main.dtype, recording, main.params);
    const ws = model.workspace(T, streams);
    ws.training = true;
    const shard = { model, ws, first, streams, arrays };
    first += streams;
    return shard;
  });
}

/** Zeroes the shard's gradients, runs its window forward and (if the loss is finite) backward; returns the loss. */
function stepShard(k: Kernels, shard: Pick<Shard, 'model' | 'ws'>, interrupted?: () => boolean): number {
  shard.model.zeroGrads();
  const loss = shard.model.forward(k, shard.ws, interrupted);
  if (Number.isFinite(loss)) shard.model.backward(k, shard.ws, interrupted);
  return loss;
}

export interface ShardRunner {
  /**
   * Runs stepShard on every shard, writing shard s's loss to losses[s]. Throws Interrupted when
   * `interrupted` said yes (the shards' gradients are then meaningless), or the first error of a shard.
   */
  run(shards: Shard[], losses: Float64Array, interrupted?: () => boolean): void;
  /** Ends the runner's threads, if it has any. */
  close(): void;
}

export class InThreadRunner implements ShardRunner {
  constructor(private readonly kernels: Kernels) {}

  run(shards: Shard[], losses: Float64Array, interrupted?: () => boolean): void {
    for (let s = 0; s < shards.length; s++) {
      losses[s] = stepShard(this.kernels, shards[s], interrupted);
      if (s < shards.length - 1 && interrupted?.()) throw new Interrupted();
    }
  }

  close(): void {}
}

/** What a thread needs to rebuild shard `index` over the shared memory. */
export interface ShardPlan {
  index: number;
  model: ModelConfig;
  T: number;
  streams: number;
  /** byte offset of the shared parameters */
  params: number;
  arrays: [number, number][];
  /** whether the run trains with the 'wasm-fma' kernels (else 'wasm') */
  fma: boolean;
}

export function shardPlan(shard: Shard, index: number, kernels: Kernels): ShardPlan {
  return {
    fma: kernels.name === 'wasm-fma',
    index,
    model: shard.model.config,
    T: shard.ws.T,
    streams: shard.streams,
    params: (shard.model.params as Float32Array).byteOffset,
    arrays: shard.arrays,
  };
}

/**
 * Words of the control array (an Int32Array over a SharedArrayBuffer of controlWords(n) words):
 * the step generation the threads wait on, the command, the abort flag a thread polls between
 * layers, the count of threads done with this generation, then one status word per shard (the
 * last step's outcome, or STOPPED once its thread has ended).
 */
const GEN = 0;
const CMD = 1;
const ABORT = 2;
const DONE = 3;
const STATUS = 4;
const CMD_STEP = 1;
const CMD_EXIT = 2;
const STATUS_OK = 0;
const STATUS_INTERRUPTED = 1;
const STATUS_FAILED = 2;
const STATUS_STOPPED = 3;
/** how often a waiting step looks at the control word and for threads that have ended, ms */
const POLL_MS = 50;

export function controlWords(shards: number): number {
  return STATUS + shards;
}

/**
 * The loop of a shard's thread: rebuilds the shard from its plan over `memory`, calls ready(), then
 * runs one step per generation until told to exit. A failed step reports its error through
 * `failed` and its status; the thread goes on waiting.
 */
export function serveShard(memory: WebAssembly.Memory, plan: ShardPlan, control: Int32Array, losses: Float64Array,
  ready: () => void, failed: (message: string) => void): void {
  const heap = new WasmHeap(memory);
  const kernels = createWasmKernels(heap, plan.fma);
  let next = 0;
  const replay = (n: number): Float32Array => {
    const entry = plan.arrays[next++];
    if (!entry || entry[1] !== n) throw new Error(`shard ${plan.index}: its plan does not match the model's arrays`);
    return heap.view(entry[0], n);
  };
  const model = new Model(plan.model, 'f32', replay, heap.view(plan.params, paramLayout(plan.model).size));
  const ws = model.workspace(plan.T, plan.streams);
  ws.training = true;
  if (next !== plan.arrays.length) throw new Error(`shard ${plan.index}: its plan has arrays the model does not use`);
  const aborted = (): boolean => Atomics.load(control, ABORT) !== 0;
  let gen = Atomics.load(control, GEN);
  ready();
  for (;;) {
    Atomics.wait(control, GEN, gen);
    gen = Atomics.load(control, GEN);
    if (Atomics.load(control, CMD) === CMD_EXIT) return;
    let status = STATUS_OK;
    try {
      losses[plan.index] = stepShard(kernels, { model, ws }, aborted);
    } catch (e) {
      if (e instanceof Interrupted) {
        status = STATUS_INTERRUPTED;
      } else {
        status = STATUS_FAILED;
        failed(e instanceof Error ? e.message : String(e));
      }
    }
    Atomics.store(control, STATUS + plan.index, status);
    Atomics.add(control, DONE, 1);
    Atomics.notify(control, DONE);
  }
}

/**
 * A shard thread's last word, from its exit handler: its status says it is gone, and a step waiting
 * for it wakes up (and fails, instead of waiting for ever).
 */
export function markStopped(control: Int32Array, index: number): void {
  Atomics.store(control, STATUS + index, STATUS_STOPPED);
  Atomics.add(control, DONE, 1);
  Atomics.notify(control, DONE);
}

/**
 * Runs shard 0 in this thread and shards 1.. in threads running serveShard over the same control
 * array and losses. `failure(s)` returns what shard s's thread reported when it failed;
 * `terminate` ends the threads. While it waits for the other threads it keeps asking
 * `interrupted` (so pause and cancel reach them between their layers) and looks for threads that
 * have ended; once one has, every step fails.
 */
export class SharedMemoryRunner implements ShardRunner {
  private closed = false;
  /** why the runner cannot step any more (a thread has ended) */
  private broken: string | null = null;

  constructor(private readonly kernels: Kernels, private readonly control: Int32Array, private readonly losses: Float64Array,
    private readonly failure: (shard: number) => string, private readonly terminate: () => void) {}

  run(shards: Shard[], losses: Float64Array, interrupted?: () => boolean): void {
    if (this.closed) throw new Error('the training threads have been closed');
    if (this.broken) throw new Error(this.broken);
    const c = this.control;
    const others = shards.length - 1;
    Atomics.store(c, DONE, 0);
    Atomics.store(c, ABORT, 0);
    Atomics.store(c, CMD, CMD_STEP);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    const stop = (): boolean => {
      if (Atomics.load(c, ABORT) !== 0) return true;
      if (!interrupted?.()) return false;
      Atomics.store(c, ABORT, 1);
      return true;
    };
    let error: unknown = null;
    try {
      losses[0] = stepShard(this.kernels, shards[0], stop);
    } catch (e) {
      error = e;
      Atomics.store(c, ABORT, 1); // the others stop at their next layer
    }
    for (let done = Atomics.load(c, DONE); done < others; done = Atomics.load(c, DONE)) {
      if (Atomics.wait(c, DONE, done, POLL_MS) !== 'timed-out') continue;
      stop();
      if (this.anyStopped(others)) break;
    }
    if (this.anyStopped(others)) throw new Error(this.broken!);
    for (let s = 1; s <= others; s++) {
      const status = Atomics.load(c, STATUS + s);
      if (status === STATUS_FAILED && (error === null || error instanceof Interrupted)) error = new Error(`training thread ${s}: ${this.failure(s)}`);
      else if (status === STATUS_INTERRUPTED && error === null) error = new Interrupted();
      losses[s] = this.losses[s];
    }
    if (error !== null) throw error;
  }

  /** Whether a thread has ended; the first one found becomes the reason every later step fails. */
  private anyStopped(others: number): boolean {
    for (let s = 1; s <= others; s++) {
      if (Atomics.load(this.control, STATUS + s) === STATUS_STOPPED) {
        this.broken ??= `training thread ${s} stopped: ${this.failure(s)}`;
        return true;
      }
    }
    return false;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control, CMD, CMD_EXIT);
    Atomics.add(this.control, GEN, 1);
    Atomics.notify(this.control, GEN);
    this.terminate();
  }
}
