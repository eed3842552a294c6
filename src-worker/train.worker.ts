/**
 * The Piscina task that trains one run. Progress goes out over the task's MessagePort; pause and
 * cancel come in through the shared control word, read between steps and (through trainStep's
 * interrupted hook) between layers, so the worker never has to wait for its event loop to hear them.
 *
 * Every cadence counts absolute steps. A sample is taken at every evaluation (and so at the end)
 * and every sampleEvery steps besides; each draws from its own generator seeded by (seed, step)
 * and reads the weights through its own workspace, so sampling never touches the training
 * generators or state: a run trains bit-identically however often it samples, and a run resumed
 * from a 'last' checkpoint at step s posts for the steps after s exactly the rows, evaluations,
 * best checkpoints and samples an uninterrupted run posts (only timings differ).
 */
// first: relaxed SIMD on before any kernels compile
import './wasm-features.ts';
import type { MessagePort } from 'node:worker_threads';
import { evalStreams, evaluate, type EvalResult } from './engine/evaluate.ts';
import { createKernels, defaultKernelName, kernelSetAvailable, kernelSetName, type KernelSetName } from './engine/kernel-sets.ts';
import { maskedAccuracy } from './engine/masked-accuracy.ts';
import { Interrupted } from './engine/model.ts';
import { Rng } from './engine/rng.ts';
import { Sampler } from './engine/sample.ts';
import { DivergedError, Trainer, type StepResult } from './engine/trainer.ts';
import { startShardThreads } from './shard-threads.ts';
import { CONTROL, type TrainTask } from './train-protocol.ts';
import type { Cadence, CheckpointKind, MetricRow, TrainEvent, TrainResult } from './train-report.ts';

/** metrics rows are batched into one message at most this often */
const FLUSH_MS = 200;
/** charsPerSecond is measured over about this much recent time */
const RATE_WINDOW_MS = 3000;
const SAMPLE_TEMPERATURE = 0.8;
/** index of the word the worker sets when it starts the task (see TrainTask.control) */
const STARTED = 1;

export default async function train(task: TrainTask): Promise<TrainResult> {
  const ctl = new Int32Array(task.control);
  if (ctl.length > STARTED) Atomics.store(ctl, STARTED, 1);
  const data = new Uint16Array(task.trainIds);
  const kernelSet = chooseKernelSet(task);
  const trainer = task.resume
    ? Trainer.restore(task.resume, data, createKernels(kernelSet))
    : new Trainer({ model: task.model, train: task.train, data, kernels: createKernels(kernelSet) });
  if (!task.resume && task.initWeights) {
    // the seeded initialisation has run (so the generators are where a fresh run's are); replace its weights
    const weights = new Float32Array(task.initWeights);
    if (weights.length !== trainer.model.params.length) {
      throw new Error(`the initial weights have ${weights.length} values but a ${task.model.cell} model of this configuration has ${trainer.model.params.length}`);
    }
    trainer.model.params.set(weights);
  }
  // a run of several threads gets them here (kernels without shared memory run its shards in turn)
  if (trainer.kernels.memory) await startShardThreads(trainer);
  try {
    return await trainLoop(task, trainer, kernelSet, ctl);
  } finally {
    trainer.close();
  }
}

async function trainLoop(task: TrainTask, trainer: Trainer, kernelSet: KernelSetName, ctl: Int32Array): Promise<TrainResult> {
  const valid = new Uint16Array(task.validIds);
  const cadence = task.cadence;
  const { steps, batch: B, seqLen: T, seed } = trainer.config;
  const out = new Outbox(task.port);
  out.send({ type: 'kernels', step: trainer.step, kernelSet });
  const clock = new Clock(task.elapsedBefore, trainer.step);
  const result = (status: 'completed' | 'paused' | 'cancelled'): TrainResult => {
    out.flush();
    return { status, step: trainer.step, wallSeconds: clock.wallSeconds() };
  };
  const interrupted = (): boolean => Atomics.load(ctl, 0) !== CONTROL.run;
  const prime = choosePrime(task.vocab, valid);
  const masks = task.validMasks && { predictable: new Uint8Array(task.validMasks.predictable), longRange: new Uint8Array(task.validMasks.longRange) };
  let best = task.bestValLoss ?? Infinity;

  while (!trainer.done) {
    const control = Atomics.load(ctl, 0);
    if (control === CONTROL.pause) {
      out.flush();
      out.checkpoint(trainer, 'last', null);
      return result('paused');
    }
    if (control !== CONTROL.run) return result('cancelled');

    let r: StepResult;
    try {
      r = trainer.trainStep(interrupted);
    } catch (e) {
      // the trainer is as it was before the step; the top of the loop reads the control word again
      if (e instanceof Interrupted) continue;
      if (e instanceof DivergedError) {
        out.flush();
        return { status: 'failed', step: trainer.step, error: e.message, wallSeconds: clock.wallSeconds() };
      }
      throw e;
    }
    const s = r.step;
    const last = s === steps;

    const evaluating = every(cadence.evalEvery, s) || last;
    if (every(cadence.metricsEvery, s) || last) out.row(clock.row(r, B * T));
    // a sample beside every evaluation, so even a short run shows how its text changes
    if ((evaluating || every(cadence.sampleEvery, s)) && prime !== null) {
      out.send({ type: 'sample', step: s, prime: task.vocab[prime], temperature: SAMPLE_TEMPERATURE, text: sample(trainer, task.vocab, prime, cadence, seed, s) });
    }
    let valLoss: number | null = null;
    if (evaluating) {
      // interval evaluations read the first evalChars characters; the final one reads them all
      const ids = cadence.evalChars > 0 && !last ? valid.subarray(0, cadence.evalChars) : valid;
      const ev = evaluateIds(trainer, ids, T, masks);
      if (ev) {
        valLoss = ev.loss;
        out.send({ type: 'eval', step: s, valLoss: ev.loss, bitsPerChar: ev.bitsPerChar, accuracy: ev.accuracy, predictableAccuracy: ev.predictable, longRangeAccuracy: ev.longRange, chars: ev.count });
        if (ev.loss < best) {
          best = ev.loss;
          out.checkpoint(trainer, 'best', ev.loss);
        }
      }
    }
    if (every(cadence.checkpointEvery, s) || last) out.checkpoint(trainer, 'last', valLoss);
    await out.tick();
  }
  return result('completed');
}

/**
 * The task's kernel set, or this runtime's default. A set the runtime lacks is refused, with the
 * reason, rather than replaced: for a resume another set would change the run's bits from here on.
 */
function chooseKernelSet(task: TrainTask): KernelSetName {
  // a resume that names no set is of a run from before runs recorded theirs, when all took 'wasm'
  if (!task.kernelSet) return task.resume && kernelSetAvailable('wasm') ? 'wasm' : defaultKernelName();
  const name = kernelSetName(task.kernelSet);
  if (!kernelSetAvailable(name)) {
    throw new Error(task.resume
      ? `this run trained with the '${name}' kernels, which this runtime lacks; resuming it with others would change its results, so it stays as it is (resume it where '${name}' runs)`
      : `the '${name}' kernels are not available in this runtime`);
  }
  return name;
}

function every(n: number, step: number): boolean {
  return n > 0 && step % n === 0;
}

interface Masks {
  predictable: Uint8Array;
  longRange: Uint8Array;
}

/**
 * Evaluation over up to 16 streams of at least ~64 characters, with the task accuracies where the
 * corpus marks its predictable and long-range positions; null if the text is too short.
 */
function evaluateIds(trainer: Trainer, ids: Uint16Array, T: number, masks: Masks | null): (EvalResult & { predictable: number | null; longRange: number | null }) | null {
  if (ids.length < 2) return null;
  const streams = evalStreams(ids.length);
  const correct = masks ? new Uint8Array(ids.length - 1) : undefined;
  const r = evaluate(trainer.model, trainer.kernels, ids, { streams, chunk: T, correct });
  if (!masks || !correct) return { ...r, predictable: null, longRange: null };
  // streams leave out the last few positions: score only those evaluated
  const scored = correct.subarray(0, r.count);
  const acc = (mask: Uint8Array): number | null => {
    const a = maskedAccuracy(scored, mask, 0).accuracy;
    return Number.isNaN(a) ? null : a;
  };
  return { ...r, predictable: acc(masks.predictable), longRange: acc(masks.longRange) };
}

/** The id samples start from: a newline if the vocabulary has one, else the validation text's first character. */
function choosePrime(vocab: readonly string[], valid: Uint16Array): number | null {
  const nl = vocab.indexOf('\n');
  if (nl >= 0) return nl;
  if (valid.length > 0) return valid[0];
  return vocab.length > 0 ? 0 : null;
}

function sample(trainer: Trainer, vocab: readonly string[], prime: number, cadence: Cadence, seed: number, step: number): string {
  const sampler = new Sampler(trainer.model, trainer.kernels, new Rng(sampleSeed(seed, step)), { temperature: SAMPLE_TEMPERATURE });
  sampler.feed([prime]);
  let text = '';
  for (let i = 0; i < cadence.sampleLength; i++) text += vocab[sampler.next()] ?? '\uFFFD';
  return text;
}

/** A generator seed from the run's seed and the step (FNV-1a over their 32-bit halves). */
function sampleSeed(seed: number, step: number): number {
  let h = 0x811c9dc5;
  for (const w of [seed >>> 0, Math.floor(seed / 4294967296) >>> 0, step >>> 0, Math.floor(step / 4294967296) >>> 0]) {
    h = Math.imul(h ^ w, 0x01000193);
  }
  return h >>> 0;
}

/** Wall time of this run across resumes, and the recent training speed. */
class Clock {
  private readonly start = performance.now();
  /** (time ms, step) pairs over the last RATE_WINDOW_MS, oldest first */
  private readonly window: [number, number][];

  constructor(private readonly elapsedBefore: number, step: number) {
    this.window = [[this.start, step]];
  }

  wallSeconds(): number {
    return this.elapsedBefore + (performance.now() - this.start) / 1000;
  }

  row(r: StepResult, charsPerStep: number): MetricRow {
    const now = performance.now();
    while (this.window.length > 1 && this.window[1][0] <= now - RATE_WINDOW_MS) this.window.shift();
    const [t0, s0] = this.window[0];
    this.window.push([now, r.step]);
    const dt = (now - t0) / 1000;
    return {
      step: r.step,
      charsSeen: r.step * charsPerStep,
      wallSeconds: this.elapsedBefore + (now - this.start) / 1000,
      trainLoss: r.loss,
      gradNorm: r.gradNorm,
      clipped: r.clipped,
      lr: r.lr,
      charsPerSecond: dt > 0 ? ((r.step - s0) * charsPerStep) / dt : 0,
    };
  }
}

/** Posts events in order, batching metrics rows, and lets the event loop run now and then. */
class Outbox {
  private rows: MetricRow[] = [];
  private lastFlush = performance.now();
  private lastYield = performance.now();

  constructor(private readonly port: MessagePort) {}

  row(row: MetricRow): void {
    this.rows.push(row);
  }

  flush(): void {
    if (this.rows.length > 0) this.port.postMessage({ type: 'metrics', rows: this.rows } satisfies TrainEvent);
    this.rows = [];
    this.lastFlush = performance.now();
  }

  /** Any event but metrics: the rows before it go first. */
  send(ev: Exclude<TrainEvent, { type: 'metrics' | 'checkpoint' }>): void {
    this.flush();
    this.port.postMessage(ev);
  }

  checkpoint(trainer: Trainer, kind: CheckpointKind, valLoss: number | null): void {
    this.flush();
    const state = trainer.saveState();
    this.port.postMessage({ type: 'checkpoint', step: trainer.step, kind, valLoss, state } satisfies TrainEvent, [state]);
  }

  async tick(): Promise<void> {
    const now = performance.now();
    if (this.rows.length > 0 && now - this.lastFlush >= FLUSH_MS) this.flush();
    if (now - this.lastYield >= FLUSH_MS) {
      this.lastYield = now;
      await new Promise(setImmediate);
    }
  }
}
