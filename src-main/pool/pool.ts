/**
 * The worker pool: training runs on Piscina threads, one run per thread, the rest queued. Each run
 * gets its own MessageChannel for progress and a SharedArrayBuffer control word for pause and
 * cancel (see src-worker/protocol.ts). A run's result never rejects: a worker that throws, runs out
 * of memory or dies resolves it as 'failed', and the other runs carry on.
 *
 * Model tasks (evaluate, generate) use a second, small pool so they never wait behind training.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { EvalResult } from '../../src-worker/engine/evaluate.ts';
import type { BaselinesResult, BaselinesTask, DiagnoseResult, DiagnoseTask, EvaluateTask, GenerateEvent, GenerateResult, GenerateTask } from '../../src-worker/model-protocol.ts';
import { CONTROL, type TrainTask } from '../../src-worker/train-protocol.ts';
import type { TrainEvent, TrainResult } from '../../src-worker/train-report.ts';
import type { RunHandle, TrainRequest } from '../lab/executor.ts';

export interface TrainHandlers {
  /** events of the run in the order the worker posted them, all before `result` settles */
  onEvent(ev: TrainEvent): void;
  /** an exception thrown by onEvent (default: printed to stderr); the run goes on */
  onHandlerError?(e: unknown): void;
}

export interface TrainingPoolOptions {
  /** the built train worker (default: out/node/train.worker.mjs, found beside this file when bundled) */
  trainWorker?: string;
  /** the built model worker (default: out/node/model.worker.mjs) */
  modelWorker?: string;
  /** concurrent training runs (default: os.availableParallelism()) */
  maxThreads?: number;
  /** threads kept alive when idle (default 0) */
  minThreads?: number;
  /** ms before an idle thread exits (default 30 s) */
  idleTimeout?: number;
  /** V8 old-generation limit per worker, MB, so a run that runs out of memory fails alone */
  maxOldGenerationSizeMb?: number;
  /** threads for evaluate and generate (default 1) */
  modelThreads?: number;
}

export interface GenerateOptions {
  /** text as it is generated, in order, all before the promise settles */
  onText?(text: string): void;
  signal?: AbortSignal;
}

/** Words of the control buffer: [CONTROL value, started flag]. */
const CONTROL_WORDS = 2;
const STARTED = 1;

export class TrainingPool {
  private readonly trainPool: Piscina<TrainTask, TrainResult>;
  private modelPool: Piscina | null = null;
  private readonly options: TrainingPoolOptions;

  constructor(options: TrainingPoolOptions = {}) {
    this.options = options;
    this.trainPool = new Piscina<TrainTask, TrainResult>(this.piscinaOptions(
      options.trainWorker ?? builtWorker('train.worker.mjs'),
      options.maxThreads ?? availableParallelism(),
    ));
  }

  get threads(): number {
    return this.trainPool.threads.length;
  }

  /** runs waiting for a thread */
  get queueSize(): number {
    return this.trainPool.queueSize;
  }

  start(request: TrainRequest, handlers: TrainHandlers): RunHandle {
    const { port1, port2 } = new MessageChannel();
    const control = new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT);
    const ctl = new Int32Array(control);
    const abort = new AbortController();
    let lastStep = request.resume ? stateStep(request.resume) : 0;
    let stopped: 'paused' | 'cancelled' | null = null;

    const deliver = (ev: TrainEvent): void => {
      lastStep = Math.max(lastStep, eventStep(ev));
      try {
        handlers.onEvent(ev);
      } catch (e) {
        if (handlers.onHandlerError) handlers.onHandlerError(e);
        else console.error(`run ${request.runId}: event handler threw:`, e);
      }
    };
    port1.on('message', deliver);

    // The worker posts its last events before it returns, but they travel on another port than
    // the result, so take whatever is still queued before settling.
    const settle = (r: TrainResult): TrainResult => {
      for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) deliver(m.message as TrainEvent);
      port1.close();
      return r;
    };

    const task: TrainTask = { ...request, control, port: port2 };
    const result = this.trainPool
      .run(task, { transferList: [port2], signal: abort.signal })
      .then(
        (r) => settle(r),
        (e: unknown) => settle(
          stopped && abort.signal.aborted
            ? { status: stopped, step: lastStep }
            : { status: 'failed', step: lastStep, error: errorMessage(e) },
        ),
      );

    const stop = (value: number, status: 'paused' | 'cancelled'): void => {
      if (stopped) return;
      stopped = status;
      Atomics.store(ctl, 0, value);
      // still queued: nothing to save, so leave the queue rather than wait for a thread
      if (Atomics.load(ctl, STARTED) === 0) abort.abort();
    };
    return {
      result,
      pause: () => stop(CONTROL.pause, 'paused'),
      cancel: () => stop(CONTROL.cancel, 'cancelled'),
    };
  }

  /** Scores a text with a model file or a training state; rejects with the worker's error. */
  evaluate(task: EvaluateTask, opts: { signal?: AbortSignal } = {}): Promise<EvalResult> {
    return this.models().run(task, { name: 'evaluate', signal: opts.signal ?? null });
  }

  /** Looks inside a model on a text (gradient flow, cell traces, saturation, per-character loss). */
  diagnose(task: DiagnoseTask): Promise<DiagnoseResult> {
    return this.models().run(task, { name: 'diagnose' });
  }

  /** The uniform, unigram and n-gram reference losses of a corpus split. */
  baselines(task: BaselinesTask): Promise<BaselinesResult> {
    return this.models().run(task, { name: 'baselines' });
  }

  /** Generates text, streaming it to onText; rejects with the worker's error or on abort. */
  async generate(task: Omit<GenerateTask, 'port'>, opts: GenerateOptions = {}): Promise<GenerateResult> {
    const { port1, port2 } = new MessageChannel();
    const deliver = (ev: GenerateEvent): void => opts.onText?.(ev.text);
    port1.on('message', deliver);
    try {
      return await this.models().run({ ...task, port: port2 } satisfies GenerateTask, {
        name: 'generate',
        transferList: [port2],
        signal: opts.signal ?? null,
      });
    } finally {
      for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) deliver(m.message as GenerateEvent);
      port1.close();
    }
  }

  /** Stops every worker; runs still going resolve as 'failed'. */
  async close(): Promise<void> {
    await Promise.all([this.trainPool.destroy(), this.modelPool?.destroy()]);
  }

  private models(): Piscina {
    this.modelPool ??= new Piscina(this.piscinaOptions(
      this.options.modelWorker ?? builtWorker('model.worker.mjs'),
      this.options.modelThreads ?? 1,
    ));
    return this.modelPool;
  }

  private piscinaOptions(filename: string, maxThreads: number): ConstructorParameters<typeof Piscina>[0] {
    const { minThreads = 0, idleTimeout = 30_000, maxOldGenerationSizeMb } = this.options;
    return {
      filename,
      maxThreads,
      minThreads: Math.min(minThreads, maxThreads),
      idleTimeout,
      // one task per thread: a training run keeps its thread busy for its whole length
      concurrentTasksPerWorker: 1,
      ...(maxOldGenerationSizeMb ? { resourceLimits: { maxOldGenerationSizeMb } } : {}),
    };
  }
}

/**
 * A built worker file: beside this module once bundled into out/node/, or in out/node/ when this
 * module runs from source (tests, tsx). Pass the path in the options where neither holds (asar).
 */
function builtWorker(name: string): string {
  const candidates = [new URL(`./${name}`, import.meta.url), new URL(`../../out/node/${name}`, import.meta.url)];
  const found = candidates.find((u) => u.protocol === 'file:' && existsSync(fileURLToPath(u))) ?? candidates[1];
  return fileURLToPath(found);
}

function eventStep(ev: TrainEvent): number {
  if (ev.type === 'metrics') return ev.rows.length > 0 ? ev.rows[ev.rows.length - 1].step : 0;
  return ev.step;
}

/** The step a training state was saved at (its JSON header, see Trainer.saveState); 0 if unreadable. */
export function stateStep(state: ArrayBuffer): number {
  try {
    const n = new DataView(state).getUint32(12, true);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(state, 16, n))) as { step?: unknown };
    return typeof header.step === 'number' ? header.step : 0;
  } catch {
    return 0;
  }
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
