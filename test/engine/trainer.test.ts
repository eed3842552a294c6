// Training runs: determinism, exact resume, divergence, and that learning actually happens.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CELL_NAMES } from '../../src-worker/engine/cells/index.ts';
import { Vocab } from '../../src-worker/engine/data.ts';
import { evaluate } from '../../src-worker/engine/evaluate.ts';
import { createKernels } from '../../src-worker/engine/kernel-sets.ts';
import { Interrupted } from '../../src-worker/engine/model.ts';
import { DivergedError, StateError, Trainer, modelFromState, type TrainerOptions } from '../../src-worker/engine/trainer.ts';
import { corpusPath, repoRoot } from '../helpers.ts';

const TEXT = 'the quick brown fox jumps over the lazy dog. '.repeat(20);
const vocab = Vocab.fromText(TEXT);
const data = vocab.encode(TEXT);

function options(overrides: Partial<TrainerOptions['model']> = {}, train: TrainerOptions['train'] = {}): TrainerOptions {
  return {
    model: { cell: 'lstm', vocabSize: vocab.size, hidden: 8, layers: 2, embedding: 5, dropout: 0.2, ...overrides },
    train: { seqLen: 7, batch: 4, steps: 60, seed: 11, optimizer: { name: 'adam', lr: 0.01 }, clip: 1, ...train },
    data,
    kernels: createKernels(),
  };
}

function losses(t: Trainer, n: number): number[] {
  return Array.from({ length: n }, () => t.trainStep().loss);
}

describe('Trainer', () => {
  it.each(CELL_NAMES)('%s: the same config and seed give a bit-identical loss sequence; another seed does not', (cell) => {
    const a = losses(new Trainer(options({ cell })), 12);
    const b = losses(new Trainer(options({ cell })), 12);
    expect(b).toEqual(a);
    const c = losses(new Trainer(options({ cell }, { seed: 12 })), 12);
    expect(c).not.toEqual(a);
  });

  it('gives bit-identical losses in another process', () => {
    // Same options, built in a child process; compare the exact float64 values as JSON.
    const child = `
      import { Vocab } from './src-worker/engine/data.ts';
      import { createKernels } from './src-worker/engine/kernel-sets.ts';
      import { Trainer } from './src-worker/engine/trainer.ts';
      const text = ${JSON.stringify(TEXT)};
      const o = ${JSON.stringify({ model: options().model, train: options().train })};
      const t = new Trainer({ ...o, data: Vocab.fromText(text).encode(text), kernels: createKernels() });
      const out = [];
      for (let i = 0; i < 12; i++) out.push(t.trainStep().loss);
      console.log(JSON.stringify(out));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { encoding: 'utf8', cwd: repoRoot });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(losses(new Trainer(options()), 12));
  });

  it.each(CELL_NAMES)('%s: resuming from a saved state continues bit-identically', (cell) => {
    // 45 steps cross an epoch boundary (the streams wrap after 31 or 32 windows), so the saved state
    // must carry the data position, the epoch shift, the generator and the hidden state.
    const straight = new Trainer(options({ cell }, { optimizer: { name: 'adamw', lr: 0.01, weightDecay: 0.01 } }));
    const all = losses(straight, 45);

    const first = new Trainer(options({ cell }, { optimizer: { name: 'adamw', lr: 0.01, weightDecay: 0.01 } }));
    const head = losses(first, 20);
    const state = first.saveState();
    const resumed = Trainer.restore(state.slice(0), data, createKernels());
    expect(resumed.step).toBe(20);
    const tail = losses(resumed, 25);
    expect([...head, ...tail]).toEqual(all);
    expect(resumed.model.params).toEqual(straight.model.params);
    expect(resumed.saveState()).toEqual(straight.saveState());
  });

  it('gives its model alone, with the same weights, without the data', () => {
    const t = new Trainer(options());
    losses(t, 5);
    const { model, step } = modelFromState(t.saveState());
    expect(step).toBe(5);
    expect(model.config).toEqual(t.model.config);
    expect(model.params).toEqual(t.model.params);
  });

  it('refuses a state for other data, a damaged state, and a foreign buffer', () => {
    const t = new Trainer(options());
    losses(t, 3);
    const state = t.saveState();
    const other = data.slice();
    other[100] = (other[100] + 1) % vocab.size;
    expect(() => Trainer.restore(state, other, createKernels())).toThrow(/training data differs/);
    expect(() => Trainer.restore(state.slice(0, state.byteLength - 4), data, createKernels())).toThrow(StateError);
    expect(() => Trainer.restore(new ArrayBuffer(64), data, createKernels())).toThrow(/bad magic/);
  });

  it('stops with "diverged at step N" before writing non-finite weights', () => {
    const t = new Trainer(options({ dropout: 0 }, { optimizer: { name: 'sgd', lr: 0.1, momentum: 0 }, clip: 0 }));
    losses(t, 3);
    const before = Float32Array.from(t.model.params);
    // poison one weight of the decoder as a blown-up update would
    t.model.Wd[0] = Infinity;
    const snapshot = Float32Array.from(t.model.params);
    expect(() => t.trainStep()).toThrow(DivergedError);
    expect(() => t.trainStep()).toThrow(/^diverged at step 4: /);
    expect(t.step).toBe(3);
    expect(t.model.params).toEqual(snapshot);
    expect(before[0]).not.toBe(Infinity);
  });

  it('reports the gradient norm before clipping and clips to the limit', () => {
    const t = new Trainer(options({ dropout: 0 }, { clip: 1e-3, optimizer: { name: 'sgd', lr: 0.1, momentum: 0 } }));
    const r = t.trainStep();
    expect(r.gradNorm).toBeGreaterThan(1e-3);
    expect(r.clipped).toBe(true);
    let sum = 0;
    for (const g of t.model.grads) sum += g * g;
    expect(Math.sqrt(sum)).toBeCloseTo(1e-3, 8);
  });

  it('rejects a text too short for one window per stream, naming the sizes', () => {
    expect(() => new Trainer({ ...options(), data: data.subarray(0, 20) })).toThrow(/20 characters is too short for 4 streams of 7-character windows; it needs at least 35/);
  });
});

describe('learning', () => {
  it('drives the loss on real text far below the uniform ln(V)', { timeout: 120_000 }, () => {
    const text = readFileSync(corpusPath(), 'utf8').slice(0, 30000);
    const v = Vocab.fromText(text);
    const ids = v.encode(text);
    const train = ids.subarray(0, 27000);
    const valid = ids.subarray(27000);
    const t = new Trainer({
      model: { cell: 'lstm', vocabSize: v.size, hidden: 48, layers: 1 },
      train: { seqLen: 32, batch: 16, steps: 250, seed: 3, optimizer: { name: 'adam', lr: 0.01 } },
      data: train,
      kernels: createKernels(),
    });
    while (!t.done) t.trainStep();
    const uniform = Math.log(v.size);
    const r = evaluate(t.model, createKernels(), valid);
    // A unigram model of this text is at ~3.3 nats; after 250 steps an LSTM is well below it.
    expect(r.loss).toBeLessThan(uniform - 1.5);
    expect(r.accuracy).toBeGreaterThan(0.3);
  });
});

describe('an interrupted step', () => {
  it.each([1, 2, 3, 4])('leaves the trainer as it was: a state saved after interrupting at check %i resumes bit-identically', (at) => {
    // interrupt the step at which the streams wrap, the hardest one to undo
    const straight = new Trainer(options());
    const results = Array.from({ length: 40 }, () => straight.trainStep());
    const wrapAt = results.findIndex((r, i) => i > 0 && r.wrapped);
    expect(wrapAt).toBeGreaterThan(0);

    const t = new Trainer(options());
    const head = losses(t, wrapAt);
    let calls = 0; // two layers: two checks in forward, two in backward
    expect(() => t.trainStep(() => ++calls === at)).toThrow(Interrupted);
    expect(t.step).toBe(wrapAt);
    const resumed = Trainer.restore(t.saveState(), data, createKernels());
    expect([...head, ...losses(resumed, 40 - wrapAt)]).toEqual(results.map((r) => r.loss));
  });
});

describe('fair comparisons', () => {
  it('gives every cell the same batches for the same seed', () => {
    const windows = (cell: 'rnn' | 'lstm-peephole' | 'gru') => {
      const t = new Trainer(options({ cell, hidden: cell === 'rnn' ? 13 : 6 }));
      return Array.from({ length: 40 }, () => {
        t.trainStep();
        return Array.from(t.ws.inputs).join(',');
      });
    };
    const rnn = windows('rnn');
    expect(windows('lstm-peephole')).toEqual(rnn);
    expect(windows('gru')).toEqual(rnn);
  });
});

describe('memory for the kernels', () => {
  it('takes its float32 buffers from the kernels allocator and trains the same', () => {
    const handed = new Set<Float32Array>();
    const kernels = { ...createKernels('blocked'), alloc: (n: number) => {
      const a = new Float32Array(n);
      handed.add(a);
      return a;
    } };
    const t = new Trainer({ ...options(), kernels });
    expect(handed.has(t.model.params as Float32Array)).toBe(true);
    expect(handed.has(t.model.grads as Float32Array)).toBe(true);
    expect(handed.has(t.ws.layers[1].xw as Float32Array)).toBe(true);
    expect(handed.has(t.ws.probs as Float32Array)).toBe(true);
    expect(losses(t, 5)).toEqual(losses(new Trainer({ ...options(), kernels: createKernels('blocked') }), 5));
  });
});
