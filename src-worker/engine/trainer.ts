/**
 * One training run: truncated BPTT over the stream batcher, gradient clipping, the optimizer and
 * the learning-rate schedule, all driven by one seeded generator. Its whole state (weights,
 * optimizer moments, generator, data position, carried hidden state, step) serialises to one
 * buffer, and a trainer restored from it continues bit-identically.
 */
import { trainConfig, type ModelConfigInput, type TrainConfig, type TrainConfigInput, type ModelConfig } from './config.ts';
import { StreamBatcher, type BatcherState, type TokenIds } from './data.ts';
import type { Kernels } from './kernels.ts';
import { Interrupted, Model, sampleDropout, type Workspace } from './model.ts';
import { Optimizer, clipByGlobalNorm, globalNorm, learningRate } from './optim.ts';
import { Rng } from './rng.ts';
import { InThreadRunner, makeShards, type Shard, type ShardRunner } from './shards.ts';

export class DivergedError extends Error {
  constructor(readonly step: number, detail: string) {
    super(`diverged at step ${step}: ${detail}`);
    this.name = 'DivergedError';
  }
}

export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

export interface StepResult {
  /** steps completed, this one included */
  step: number;
  /** mean cross-entropy of this window, nats per character */
  loss: number;
  /** global gradient norm before clipping */
  gradNorm: number;
  clipped: boolean;
  lr: number;
  /** whether the streams wrapped (new epoch, state reset) before this window */
  wrapped: boolean;
}

export interface TrainerOptions {
  model: ModelConfigInput;
  train?: TrainConfigInput;
  /** training text as token ids */
  data: TokenIds;
  kernels: Kernels;
}

export class Trainer {
  readonly model: Model;
  readonly config: TrainConfig;
  readonly kernels: Kernels;
  /** initialisation and dropout */
  readonly rng: Rng;
  /** batch offsets: a stream of its own, so every cell with the same seed sees the same batches */
  readonly dataRng: Rng;
  readonly optimizer: Optimizer;
  /**
   * The batch split over config.threads shards (see shards.ts). With one thread the only shard is
   * this.model itself, over all the streams.
   */
  readonly shards: Shard[];
  /** the shards' workspaces, in shard order */
  private readonly shardWorkspaces: Workspace[];
  private runner: ShardRunner;
  private closed = false;
  /** each shard's loss of the last step */
  private readonly losses: Float64Array;
  /** the whole batch's input and target ids, which the shards take their streams of */
  private readonly inputs: Int32Array;
  private readonly targets: Int32Array;
  private readonly batcher: StreamBatcher;
  private readonly data: TokenIds;
  /** steps completed */
  step = 0;

  constructor(opts: TrainerOptions) {
    this.config = trainConfig(opts.train);
    this.model = new Model(opts.model, 'f32', opts.kernels.alloc?.bind(opts.kernels));
    const V = this.model.config.vocabSize;
    for (let i = 0; i < opts.data.length; i++) {
      const id = opts.data[i];
      if (!(id >= 0 && id < V)) throw new StateError(`data: token id ${id} at position ${i} is outside the vocabulary of ${V}`);
    }
    this.kernels = opts.kernels;
    this.data = opts.data;
    this.rng = new Rng(this.config.seed, RNG_STREAM.model);
    this.dataRng = new Rng(this.config.seed, RNG_STREAM.data);
    this.model.init(this.rng);
    this.batcher = new StreamBatcher(opts.data, this.config.seqLen, this.config.batch, this.dataRng);
    this.optimizer = new Optimizer(this.config.optimizer, this.model.size);
    const { seqLen: T, batch: B, threads } = this.config;
    if (threads === 1) {
      const ws = this.model.workspace(T, B);
      ws.training = true;
      this.shards = [{ model: this.model, ws, first: 0, streams: B, arrays: [] }];
      this.inputs = ws.inputs;
      this.targets = ws.targets;
    } else {
      this.shards = makeShards(this.model, T, B, threads, this.model.alloc);
      this.inputs = new Int32Array(T * B);
      this.targets = new Int32Array(T * B);
    }
    this.shardWorkspaces = this.shards.map((s) => s.ws);
    this.losses = new Float64Array(threads);
    this.runner = new InThreadRunner(opts.kernels);
  }

  /** The workspace of the first shard: with one thread, the whole batch's. */
  get ws(): Workspace {
    return this.shards[0].ws;
  }

  get done(): boolean {
    return this.step >= this.config.steps;
  }

  /**
   * Runs the shards of each step with `runner` from now on (threads of their own, see
   * shard-threads.ts) instead of one after the other in this thread. Closes the runner it replaces.
   */
  useRunner(runner: ShardRunner): void {
    this.runner.close();
    this.runner = runner;
  }

  /** Ends the runner's threads; the trainer can still save its state, not train. */
  close(): void {
    this.closed = true;
    this.runner.close();
  }

  /**
   * Runs one window: forward, backward, clip, update. Throws DivergedError instead of writing
   * non-finite weights. With `interrupted`, asked between layers, a step can be abandoned part-way:
   * it then throws Interrupted and leaves the trainer exactly as it was before the step, so the
   * state saved next is that of the last completed step.
   */
  trainStep(interrupted?: () => boolean): StepResult {
    if (this.closed) throw new StateError('this trainer has been closed: save its state and restore it to train on');
    const { model, shards, config } = this;
    const rngBefore = this.rng.getState();
    const dataRngBefore = this.dataRng.getState();
    const batcherBefore = this.batcher.getState();
    try {
      const wrapped = this.batcher.next(this.inputs, this.targets);
      if (wrapped) for (const s of shards) s.ws.resetState();
      if (shards.length > 1) this.scatterIds();
      if (this.ws.dropping) sampleDropout(this.rng, this.shardWorkspaces);
      this.runner.run(shards, this.losses, interrupted);
      const loss = shards.length === 1 ? this.losses[0] : this.reduce();
      const stepNo = this.step + 1;
      if (!Number.isFinite(loss)) throw new DivergedError(stepNo, `loss is ${loss}`);
      const gradNorm = globalNorm(model.grads);
      if (!Number.isFinite(gradNorm)) throw new DivergedError(stepNo, `gradient norm is ${gradNorm}`);
      const clipped = clipByGlobalNorm(model.grads, gradNorm, config.clip);
      const lr = learningRate(config.optimizer.lr, config.schedule, this.step, config.steps);
      this.optimizer.step(model.params, model.grads, lr);
      for (let i = 0; i < model.size; i++) {
        if (!Number.isFinite(model.params[i])) throw new DivergedError(stepNo, 'the update made a weight non-finite');
      }
      for (const s of shards) s.ws.carryState();
      this.step = stepNo;
      return { step: stepNo, loss, gradNorm, clipped, lr, wrapped };
    } catch (e) {
      if (e instanceof Interrupted) {
        // nothing the step changed survives: weights and moments were not yet touched, and a reset
        // carried state is reset again when the batcher replays the wrap
        this.rng.setState(rngBefore);
        this.dataRng.setState(dataRngBefore);
        this.batcher.setState(batcherBefore);
      }
      throw e;
    }
  }

  /** Gives each shard its streams' columns of the batch's time-major ids. */
  private scatterIds(): void {
    const B = this.config.batch;
    for (const { ws, first, streams } of this.shards) {
      for (let t = 0; t < ws.T; t++) {
        for (let b = 0; b < streams; b++) {
          ws.inputs[t * streams + b] = this.inputs[t * B + first + b];
          ws.targets[t * streams + b] = this.targets[t * B + first + b];
        }
      }
    }
  }

  /**
   * The batch's gradient and loss from the shards': each shard's mean over its streams, weighted by
   * its share of them, summed in shard order.
   */
  private reduce(): number {
    const { shards, model } = this;
    const B = this.config.batch;
    const g = model.grads;
    const w0 = shards[0].streams / B;
    const g0 = shards[0].model.grads;
    for (let i = 0; i < g.length; i++) g[i] = w0 * g0[i];
    let loss = w0 * this.losses[0];
    for (let s = 1; s < shards.length; s++) {
      const w = shards[s].streams / B;
      const gs = shards[s].model.grads;
      for (let i = 0; i < g.length; i++) g[i] += w * gs[i];
      loss += w * this.losses[s];
    }
    return loss;
  }

  /** Per layer, the carried h (and c) of the whole batch, (B, H), gathered from the shards. */
  private carriedState(): Float32Array[] {
    const H = this.model.config.hidden;
    const out: Float32Array[] = [];
    this.model.layers.forEach((_, l) => {
      for (const key of ['hs', 'cs'] as const) {
        if (!this.shards[0].ws.layers[l][key]) continue;
        const whole = new Float32Array(this.config.batch * H);
        for (const s of this.shards) whole.set(s.ws.layers[l][key]!.subarray(0, s.streams * H), s.first * H);
        out.push(whole);
      }
    });
    return out;
  }

  /** Sets the carried state from carriedState's arrays. */
  private setCarriedState(state: Float32Array[]): void {
    const H = this.model.config.hidden;
    let i = 0;
    this.model.layers.forEach((_, l) => {
      for (const key of ['hs', 'cs'] as const) {
        if (!this.shards[0].ws.layers[l][key]) continue;
        const whole = state[i++];
        for (const s of this.shards) s.ws.layers[l][key]!.set(whole.subarray(s.first * H, (s.first + s.streams) * H));
      }
    });
  }

  /**
   * The full training state as one buffer:
   *   8 bytes magic "RNNLABTS" | u32 format version | u32 header length n | n bytes JSON header,
   *   padded to a multiple of 8 | float32 sections, little-endian, in the header's order:
   *   params, each optimizer moment, then per layer the carried h (and c) of shape (B, H).
   */
  saveState(): ArrayBuffer {
    const { model } = this;
    const sections: Float32Array[] = [model.params as Float32Array, ...this.optimizer.moments, ...this.carriedState()];
    const header: StateHeader = {
      model: model.config,
      train: this.config,
      step: this.step,
      optimizerSteps: this.optimizer.t,
      rng: this.rng.getState().map((x) => (Number.isNaN(x) ? null : x)),
      dataRng: this.dataRng.getState().map((x) => (Number.isNaN(x) ? null : x)),
      batcher: this.batcher.getState(),
      data: { length: this.data.length, hash: hashIds(this.data) },
      sections: sections.map((s) => s.length),
    };
    const json = new TextEncoder().encode(JSON.stringify(header));
    const headerLen = Math.ceil((16 + json.length) / 8) * 8 - 16;
    const total = 16 + headerLen + sections.reduce((a, s) => a + s.byteLength, 0);
    const buf = new ArrayBuffer(total);
    const bytes = new Uint8Array(buf);
    bytes.set(MAGIC, 0);
    const dv = new DataView(buf);
    dv.setUint32(8, STATE_VERSION, true);
    dv.setUint32(12, headerLen, true);
    bytes.fill(0x20, 16, 16 + headerLen);
    bytes.set(json, 16);
    let off = 16 + headerLen;
    for (const s of sections) {
      for (let i = 0; i < s.length; i++, off += 4) dv.setFloat32(off, s[i], true);
    }
    return buf;
  }

  /** A trainer that continues exactly where the saved one stopped; data must be the same text. */
  static restore(state: ArrayBuffer, data: TokenIds, kernels: Kernels): Trainer {
    const { header, headerLen, bytes, dv } = readStateHeader(state);
    if (header.data.length !== data.length || header.data.hash !== hashIds(data)) {
      throw new StateError('the training data differs from the data this state was trained on');
    }
    const t = new Trainer({ model: header.model, train: header.train, data, kernels });
    const carried = t.carriedState();
    const targets: Float32Array[] = [t.model.params as Float32Array, ...t.optimizer.moments, ...carried];
    const expected = targets.map((a) => a.length);
    if (header.sections.length !== expected.length || header.sections.some((n, i) => n !== expected[i])) {
      throw new StateError('training state sections do not match its configuration');
    }
    const need = 16 + headerLen + 4 * expected.reduce((a, b) => a + b, 0);
    if (bytes.length !== need) throw new StateError(`training state is ${bytes.length} bytes, expected ${need}`);
    let off = 16 + headerLen;
    for (const target of targets) {
      for (let i = 0; i < target.length; i++, off += 4) target[i] = dv.getFloat32(off, true);
    }
    t.setCarriedState(carried);
    t.rng.setState(header.rng.map((x) => (x === null ? NaN : x)));
    t.dataRng.setState(header.dataRng.map((x) => (x === null ? NaN : x)));
    t.batcher.setState(header.batcher);
    t.optimizer.t = header.optimizerSteps;
    t.step = header.step;
    return t;
  }
}

/**
 * The model inside a training state (configuration and weights, nothing else), for evaluation,
 * sampling and export, which need neither the training text nor the optimizer.
 */
export function modelFromState(state: ArrayBuffer): { model: Model; step: number; train: TrainConfig } {
  const { header, headerLen, bytes, dv } = readStateHeader(state);
  const model = new Model(header.model, 'f32');
  if (header.sections[0] !== model.size) throw new StateError('training state sections do not match its configuration');
  const start = 16 + headerLen;
  if (bytes.length < start + 4 * model.size) throw new StateError('training state is truncated');
  for (let i = 0; i < model.size; i++) model.params[i] = dv.getFloat32(start + 4 * i, true);
  return { model, step: header.step, train: header.train };
}

function readStateHeader(state: ArrayBuffer): { header: StateHeader; headerLen: number; bytes: Uint8Array; dv: DataView } {
  const bytes = new Uint8Array(state);
  if (bytes.length < 16 || !MAGIC.every((b, i) => bytes[i] === b)) throw new StateError('not an RNN Lab training state (bad magic)');
  const dv = new DataView(state);
  const version = dv.getUint32(8, true);
  if (version !== STATE_VERSION) throw new StateError(`training state version ${version} is not supported (this build reads ${STATE_VERSION})`);
  const headerLen = dv.getUint32(12, true);
  if (16 + headerLen > bytes.length) throw new StateError('training state is truncated (header runs past the end)');
  let header: StateHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + headerLen)));
  } catch (e) {
    throw new StateError(`training state header is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || !Array.isArray(header.sections)) throw new StateError('training state header is incomplete');
  return { header, headerLen, bytes, dv };
}

interface StateHeader {
  model: ModelConfig;
  train: TrainConfig;
  step: number;
  optimizerSteps: number;
  rng: (number | null)[];
  dataRng: (number | null)[];
  batcher: BatcherState;
  data: { length: number; hash: number };
  sections: number[];
}

/** Independent generator streams of a run's seed (Rng's stream argument); samples use their own. */
const RNG_STREAM = { model: 0, data: 1, sample: 2 } as const;

const MAGIC = Uint8Array.from('RNNLABTS', (c) => c.charCodeAt(0));
const STATE_VERSION = 1;

/** FNV-1a over the ids: a cheap check that a state is resumed on the text it was trained on. */
function hashIds(ids: TokenIds): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ids.length; i++) {
    h = Math.imul(h ^ ids[i], 0x01000193);
  }
  return h >>> 0;
}
