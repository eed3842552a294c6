/**
 * Text generation one character at a time, so a caller can stream it: feed a prime, then draw each
 * next character from the model's distribution (with temperature and top-k) or take the most
 * likely one (greedy).
 */
import { ConfigError } from './config.ts';
import { argmax, reusableWorkspace } from './evaluate.ts';
import type { Kernels } from './kernels.ts';
import type { Model, Workspace } from './model.ts';
import type { Rng } from './rng.ts';

export interface SampleOptions {
  /** > 0; below 1 sharpens the distribution, above 1 flattens it (ignored when greedy) */
  temperature?: number;
  /** draw only among the k most likely characters; 0 = all */
  topK?: number;
  greedy?: boolean;
}

export class Sampler {
  private readonly ws: Workspace;
  private readonly weights: Float64Array;
  private readonly order: Int32Array;
  private readonly temperature: number;
  private readonly topK: number;
  private readonly greedy: boolean;
  private primed = false;

  constructor(private readonly model: Model, private readonly k: Kernels, private readonly rng: Rng, opts: SampleOptions = {}) {
    const V = model.config.vocabSize;
    this.temperature = opts.temperature ?? 1;
    this.topK = opts.topK ?? 0;
    this.greedy = opts.greedy ?? false;
    if (!(Number.isFinite(this.temperature) && this.temperature > 0 && this.temperature <= 100)) {
      throw new ConfigError('temperature', `must be a finite number in (0, 100], got ${this.temperature}`);
    }
    if (!Number.isInteger(this.topK) || this.topK < 0 || this.topK > V) {
      throw new ConfigError('topK', `must be a whole number from 0 to ${V} (0 = all characters), got ${this.topK}`);
    }
    this.ws = reusableWorkspace(model, 1, 1); // one sampler of a model at a time
    this.weights = new Float64Array(V);
    this.order = new Int32Array(V);
  }

  /** Feeds characters (ids) through the model from its current state; the last one's prediction is next. */
  feed(ids: ArrayLike<number>): void {
    const V = this.model.config.vocabSize;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!(Number.isInteger(id) && id >= 0 && id < V)) throw new ConfigError('prime', `token id ${id} is outside the vocabulary of ${V}`);
      this.ws.inputs[0] = id;
      this.ws.targets[0] = 0;
      this.model.forward(this.k, this.ws);
      this.ws.carryState();
      this.primed = true;
    }
  }

  /** Draws the next character, feeds it back in and returns its id. */
  next(): number {
    if (!this.primed) throw new ConfigError('prime', 'needs at least one character before sampling');
    const id = this.choose();
    this.feed([id]);
    return id;
  }

  private choose(): number {
    const V = this.model.config.vocabSize;
    const probs = this.ws.probs;
    if (this.greedy) return argmax(probs, 0, V);
    // (p / p_max)^(1/T), renormalised, is softmax(logits / T); dividing by p_max keeps it from underflowing
    const w = this.weights;
    const inv = 1 / this.temperature;
    const logMax = Math.log(probs[argmax(probs, 0, V)]);
    for (let j = 0; j < V; j++) w[j] = probs[j] > 0 ? Math.exp((Math.log(probs[j]) - logMax) * inv) : 0;
    if (this.topK > 0 && this.topK < V) {
      const order = this.order;
      for (let j = 0; j < V; j++) order[j] = j;
      order.sort((a, b) => w[b] - w[a] || a - b);
      for (let r = this.topK; r < V; r++) w[order[r]] = 0;
    }
    let sum = 0;
    for (let j = 0; j < V; j++) sum += w[j];
    let u = this.rng.uniform() * sum;
    for (let j = 0; j < V; j++) {
      u -= w[j];
      if (u < 0 && w[j] > 0) return j;
    }
    for (let j = V - 1; j >= 0; j--) if (w[j] > 0) return j; // rounding left u at ~0
    return argmax(probs, 0, V);
  }
}
