/**
 * The character model: input (one-hot or embedding E) -> L stacked recurrent layers -> linear
 * decoder -> softmax cross-entropy in nats per character.
 *
 * Parameters live in one flat buffer and their gradients in another of the same layout, each
 * tensor a named view (llm.c style): the optimizer is one loop, a checkpoint one buffer. Buffers for
 * a window of T steps and B streams live in a Workspace, allocated once and reused every step.
 */
import { CELLS, type Cell, type LayerParams, type LayerWork } from './cells/index.ts';
import { addColumnSums } from './cells/cell.ts';
import { modelConfig, type ModelConfig, type ModelConfigInput } from './config.ts';
import { paramLayout, type ParamEntry } from './param-layout.ts';
import type { Kernels, Vec } from './kernels.ts';
import type { Rng } from './rng.ts';

export type DType = 'f32' | 'f64';

/** Thrown by forward or backward when the caller's interrupted() said yes. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** A float32 buffer of n zeros, where the kernels want it (see Kernels.alloc). */
export type Allocator = (n: number) => Float32Array;

function allocate(dtype: DType, n: number, alloc?: Allocator): Vec {
  if (dtype === 'f64') return new Float64Array(n);
  return alloc ? alloc(n) : new Float32Array(n);
}

export class Model {
  readonly config: ModelConfig;
  readonly cell: Cell;
  readonly dtype: DType;
  readonly layout: ParamEntry[];
  readonly size: number;
  readonly params: Vec;
  readonly grads: Vec;
  /** per layer: views of its parameters and of their gradients */
  readonly layers: { p: LayerParams; g: LayerParams; inputSize: number }[] = [];
  readonly embedding: Vec | null; // (V, E)
  readonly dEmbedding: Vec | null;
  readonly Wd: Vec; // (H, V)
  readonly bd: Vec; // (V)
  readonly dWd: Vec;
  readonly dbd: Vec;

  /** where this model's float32 buffers (and its workspaces') come from */
  readonly alloc: Allocator | undefined;

  /**
   * `params`, when given, is another model's parameter buffer (same configuration and dtype), used
   * instead of a new one: the shards of a multi-threaded step share their weights this way.
   */
  constructor(config: ModelConfigInput, dtype: DType = 'f32', alloc?: Allocator, params?: Vec) {
    this.config = modelConfig(config);
    this.dtype = dtype;
    this.alloc = alloc;
    const { vocabSize: V, hidden: H, layers: L, embedding: E } = this.config;
    this.cell = CELLS[this.config.cell];
    const { layout, size } = paramLayout(this.config);
    this.layout = layout;
    this.size = size;
    if (params && (params.length !== size || (dtype === 'f32') !== params instanceof Float32Array)) {
      throw new RangeError(`shared parameters: expected ${size} ${dtype} values, got ${params.length}`);
    }
    this.params = params ?? allocate(dtype, size, alloc);
    this.grads = allocate(dtype, size, alloc);

    const view = (buf: Vec, name: string): Vec | null => {
      const e = layout.find((x) => x.name === name);
      return e ? buf.subarray(e.offset, e.offset + e.size) : null;
    };
    const layerViews = (buf: Vec, l: number): LayerParams => ({
      Wx: view(buf, `l${l}.Wx`)!,
      Wh: view(buf, `l${l}.Wh`)!,
      bx: view(buf, `l${l}.bx`)!,
      bh: view(buf, `l${l}.bh`),
      peep: view(buf, `l${l}.peep`),
    });
    for (let l = 0; l < L; l++) {
      this.layers.push({ p: layerViews(this.params, l), g: layerViews(this.grads, l), inputSize: l === 0 ? (E > 0 ? E : V) : H });
    }
    this.embedding = view(this.params, 'embedding');
    this.dEmbedding = view(this.grads, 'embedding');
    this.Wd = view(this.params, 'decoder.W')!;
    this.bd = view(this.params, 'decoder.b')!;
    this.dWd = view(this.grads, 'decoder.W')!;
    this.dbd = view(this.grads, 'decoder.b')!;
  }

  /** Number of trainable scalars (PyTorch counts the same for rnn, lstm and gru-reset-after). */
  get parameterCount(): number {
    return this.size;
  }

  /**
   * 'pytorch': every recurrent weight and bias U(-1/sqrt(H), 1/sqrt(H)) as torch.nn.RNN/LSTM/GRU do,
   * the decoder likewise (nn.Linear with H inputs), the embedding N(0, 1) as nn.Embedding.
   * 'char-rnn': everything U(-0.08, 0.08). LSTM forget-gate bias b_x,f = forgetBias, b_h,f = 0.
   */
  init(rng: Rng): void {
    const { init, hidden: H, forgetBias } = this.config;
    const bound = init === 'pytorch' ? 1 / Math.sqrt(H) : 0.08;
    for (const e of this.layout) {
      const v = this.params.subarray(e.offset, e.offset + e.size);
      if (e.name === 'embedding' && init === 'pytorch') {
        for (let i = 0; i < v.length; i++) v[i] = rng.normal();
      } else {
        for (let i = 0; i < v.length; i++) v[i] = rng.uniformIn(-bound, bound);
      }
    }
    if (this.cell.name === 'lstm' || this.cell.name === 'lstm-peephole') {
      for (const { p } of this.layers) {
        p.bx.fill(forgetBias, H, 2 * H);
        p.bh!.fill(0, H, 2 * H);
      }
    }
  }

  zeroGrads(): void {
    this.grads.fill(0);
  }

  /** Buffers for windows of T steps over B streams; the carried state starts at zero. */
  workspace(T: number, B: number): Workspace {
    return new Workspace(this, T, B);
  }

  /**
   * Runs the window in ws.inputs (T*B ids, time-major) and returns the mean cross-entropy against
   * ws.targets in nats per character. Leaves the softmax in ws.probs and each position's loss in
   * ws.nll. Dropout masks are whatever ws.sampleDropout last drew, and apply only when ws.training.
   * `interrupted` is asked after each layer (here and in backward); when it says yes, the pass stops
   * with an Interrupted error, so a long step can be abandoned within a fraction of its time.
   */
  forward(k: Kernels, ws: Workspace, interrupted?: () => boolean): number {
    const { vocabSize: V, hidden: H, embedding: E } = this.config;
    const { T, B } = ws;
    const TB = T * B;
    const cell = this.cell;
    for (let l = 0; l < this.layers.length; l++) {
      const { p, inputSize } = this.layers[l];
      const w = ws.layers[l];
      const GH = cell.gates * H;
      if (l === 0 && E === 0) {
        // one-hot input: x_t W_x is row x_t of W_x
        for (let n = 0; n < TB; n++) {
          const src = ws.inputs[n] * GH;
          const dst = n * GH;
          for (let j = 0; j < GH; j++) w.xw[dst + j] = p.Wx[src + j] + p.bx[j];
        }
      } else {
        const X = this.layerInput(ws, l);
        k.gemmNN(TB, GH, inputSize, X, ws.layerInputOffset(l), inputSize, p.Wx, 0, GH, w.xw, 0, GH, false);
        for (let n = 0; n < TB; n++) {
          const o = n * GH;
          for (let j = 0; j < GH; j++) w.xw[o + j] += p.bx[j];
        }
      }
      cell.forward(k, p, w);
      if (interrupted?.()) throw new Interrupted();
      if (l < this.layers.length - 1 && ws.dropping) {
        const d = ws.dropout[l];
        const src = w.hs;
        for (let i = 0; i < TB * H; i++) d.out[i] = src[B * H + i] * d.mask[i];
      }
    }
    // decoder: logits = h_top W_d + b_d, then log-softmax per row
    const top = ws.layers[this.layers.length - 1].hs;
    const probs = ws.probs;
    k.gemmNN(TB, V, H, top, B * H, H, this.Wd, 0, V, probs, 0, V, false);
    let total = 0;
    if (k.fused?.softmaxLoss(probs, this.bd, ws.targets, ws.nll, TB, V)) {
      for (let n = 0; n < TB; n++) total += ws.nll[n];
      return total / TB;
    }
    for (let n = 0; n < TB; n++) {
      const o = n * V;
      let max = -Infinity;
      for (let j = 0; j < V; j++) {
        const z = probs[o + j] + this.bd[j];
        probs[o + j] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let j = 0; j < V; j++) sum += Math.exp(probs[o + j] - max);
      const lse = max + Math.log(sum);
      const nll = lse - probs[o + ws.targets[n]];
      ws.nll[n] = nll;
      total += nll;
      for (let j = 0; j < V; j++) probs[o + j] = Math.exp(probs[o + j] - lse);
    }
    return total / TB;
  }

  /** Accumulates the gradient of the last forward's mean loss into this.grads. Consumes ws.probs. */
  backward(k: Kernels, ws: Workspace, interrupted?: () => boolean): void {
    const { vocabSize: V, hidden: H, embedding: E } = this.config;
    const { T, B } = ws;
    const TB = T * B;
    const L = this.layers.length;
    const cell = this.cell;
    const GH = cell.gates * H;
    // dlogits = (softmax - onehot(target)) / (T B), in place of the probabilities
    const dlogits = ws.probs;
    const scale = 1 / TB;
    for (let n = 0; n < TB; n++) {
      const o = n * V;
      dlogits[o + ws.targets[n]] -= 1;
      for (let j = 0; j < V; j++) dlogits[o + j] *= scale;
    }
    const top = ws.layers[L - 1];
    k.gemmTN(H, V, TB, top.hs, B * H, H, dlogits, 0, V, this.dWd, 0, V, true);
    addColumnSums(this.dbd, dlogits, TB, V);
    k.gemmNT(TB, H, V, dlogits, 0, V, this.Wd, 0, V, top.dhs, 0, H, false);

    for (let l = L - 1; l >= 0; l--) {
      const { p, g, inputSize } = this.layers[l];
      const w = ws.layers[l];
      cell.backward(k, p, g, w);
      if (interrupted?.()) throw new Interrupted();
      addColumnSums(g.bx, w.dxw, TB, GH);
      if (l === 0 && E === 0) {
        for (let n = 0; n < TB; n++) {
          const dst = ws.inputs[n] * GH;
          const src = n * GH;
          for (let j = 0; j < GH; j++) g.Wx[dst + j] += w.dxw[src + j];
        }
        continue;
      }
      const X = this.layerInput(ws, l);
      k.gemmTN(inputSize, GH, TB, X, ws.layerInputOffset(l), inputSize, w.dxw, 0, GH, g.Wx, 0, GH, true);
      if (l > 0) {
        // dX flows into h_t of the layer below, through its dropout mask
        const below = ws.layers[l - 1].dhs;
        k.gemmNT(TB, H, GH, w.dxw, 0, GH, p.Wx, 0, GH, below, 0, H, false);
        if (ws.dropping) {
          const mask = ws.dropout[l - 1].mask;
          for (let i = 0; i < TB * H; i++) below[i] *= mask[i];
        }
      } else {
        const dEmb = ws.dEmb!;
        k.gemmNT(TB, E, GH, w.dxw, 0, GH, p.Wx, 0, GH, dEmb, 0, E, false);
        const table = this.dEmbedding!;
        for (let n = 0; n < TB; n++) {
          const dst = ws.inputs[n] * E;
          const src = n * E;
          for (let j = 0; j < E; j++) table[dst + j] += dEmb[src + j];
        }
      }
    }
  }

  /** The matrix that feeds layer l: the embedded input, or the (dropped-out) output of layer l-1. */
  private layerInput(ws: Workspace, l: number): Vec {
    if (l === 0) {
      const { embedding: E } = this.config;
      const emb = ws.emb!;
      const table = this.embedding!;
      for (let n = 0; n < ws.T * ws.B; n++) {
        const src = ws.inputs[n] * E;
        const dst = n * E;
        for (let j = 0; j < E; j++) emb[dst + j] = table[src + j];
      }
      return emb;
    }
    return ws.dropping ? ws.dropout[l - 1].out : ws.layers[l - 1].hs;
  }
}

/**
 * Draws inverted-dropout masks (0 or 1/(1-p)) for one window whose streams are split, in order,
 * over `parts` (workspaces of one model over the same T). The generator is read in the order of a
 * single workspace over all the streams (boundary, step, stream, unit), so a split batch gets the
 * masks the whole batch would.
 */
export function sampleDropout(rng: Rng, parts: readonly Workspace[]): void {
  const { dropout: p, hidden: H } = parts[0].model.config;
  const keep = 1 / (1 - p);
  const { T } = parts[0];
  for (let d = 0; d < parts[0].dropout.length; d++) {
    for (let t = 0; t < T; t++) {
      for (const w of parts) {
        const mask = w.dropout[d].mask;
        for (let i = t * w.B * H, end = i + w.B * H; i < end; i++) mask[i] = rng.uniform() < p ? 0 : keep;
      }
    }
  }
}

/** Everything a window of T steps over B streams needs, allocated once. */
export class Workspace {
  readonly T: number;
  readonly B: number;
  readonly layers: LayerWork[] = [];
  /** (T*B) input ids and target ids, time-major: position t*B + b */
  readonly inputs: Int32Array;
  readonly targets: Int32Array;
  /** (T*B, V) logits, then softmax, then (in backward) dlogits */
  readonly probs: Vec;
  /** (T*B) loss of each position, nats */
  readonly nll: Float64Array;
  readonly emb: Vec | null; // (T, B, E)
  readonly dEmb: Vec | null; // (T, B, E)
  /** per boundary between layers l and l+1: inverted-dropout mask (0 or 1/(1-p)) and masked output, (T, B, H) */
  readonly dropout: { mask: Vec; out: Vec }[] = [];
  /** whether dropout masks apply (training) or not (evaluation, sampling) */
  training = false;
  readonly model: Model;

  constructor(model: Model, T: number, B: number) {
    if (!Number.isInteger(T) || T < 1 || !Number.isInteger(B) || B < 1) throw new RangeError(`window needs T >= 1 and B >= 1, got T=${T}, B=${B}`);
    this.model = model;
    this.T = T;
    this.B = B;
    const { vocabSize: V, hidden: H, embedding: E, layers: L, dropout } = model.config;
    const dt = model.dtype;
    const alloc = model.alloc;
    const G = model.cell.gates;
    const TB = T * B;
    for (let l = 0; l < L; l++) {
      const dxw = allocate(dt, TB * G * H, alloc);
      this.layers.push({
        T, B, H, G,
        xw: allocate(dt, TB * G * H, alloc),
        hs: allocate(dt, (T + 1) * B * H, alloc),
        cs: model.cell.hasCellState ? allocate(dt, (T + 1) * B * H, alloc) : null,
        acts: allocate(dt, TB * G * H, alloc),
        aux: allocate(dt, TB * H, alloc),
        step: allocate(dt, B * G * H, alloc),
        dxw,
        dhw: model.cell.separateHiddenGrad ? allocate(dt, TB * G * H, alloc) : dxw,
        dhs: allocate(dt, TB * H, alloc),
        dhNext: allocate(dt, B * H, alloc),
        dcNext: allocate(dt, B * H, alloc),
        dTmp: allocate(dt, B * H, alloc),
      });
    }
    // ids live beside the other buffers, so a thread sharing this memory can be handed them too
    const ids = (): Int32Array => {
      if (!alloc) return new Int32Array(TB);
      const f = alloc(TB);
      return new Int32Array(f.buffer, f.byteOffset, TB);
    };
    this.inputs = ids();
    this.targets = ids();
    this.probs = allocate(dt, TB * V, alloc);
    this.nll = new Float64Array(TB);
    this.emb = E > 0 ? allocate(dt, TB * E, alloc) : null;
    this.dEmb = E > 0 ? allocate(dt, TB * E, alloc) : null;
    if (dropout > 0) {
      for (let l = 0; l < L - 1; l++) this.dropout.push({ mask: allocate(dt, TB * H, alloc), out: allocate(dt, TB * H, alloc) });
    }
  }

  get dropping(): boolean {
    return this.training && this.dropout.length > 0;
  }

  layerInputOffset(l: number): number {
    return l === 0 || this.dropping ? 0 : this.B * this.model.config.hidden;
  }

  /** Draws new inverted-dropout masks for the next training window. */
  sampleDropout(rng: Rng): void {
    sampleDropout(rng, [this]);
  }

  /** Makes the final state of this window the initial state of the next (stateful TBPTT). */
  carryState(): void {
    const n = this.B * this.model.config.hidden;
    for (const w of this.layers) {
      w.hs.copyWithin(0, this.T * n, (this.T + 1) * n);
      w.cs?.copyWithin(0, this.T * n, (this.T + 1) * n);
    }
  }

  /** Zeroes the carried state (start of a text, or when the streams wrap). */
  resetState(): void {
    const n = this.B * this.model.config.hidden;
    for (const w of this.layers) {
      w.hs.fill(0, 0, n);
      w.cs?.fill(0, 0, n);
    }
  }
}
