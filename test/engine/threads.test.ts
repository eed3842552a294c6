// Multi-threaded steps: the batch split over shards gives one thread's gradient (up to the rounding
// of the split sums), the same bits whether the shards run in threads or one after the other, the
// same bits on every run, and an exact resume.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CELL_NAMES } from '../../src-worker/engine/cells/index.ts';
import { ConfigError } from '../../src-worker/engine/config.ts';
import { Vocab } from '../../src-worker/engine/data.ts';
import { createKernels } from '../../src-worker/engine/kernel-sets.ts';
import { Interrupted } from '../../src-worker/engine/model.ts';
import { shardSizes, SharedMemoryRunner } from '../../src-worker/engine/shards.ts';
import { Trainer, type TrainerOptions } from '../../src-worker/engine/trainer.ts';
import { startShardThreads } from '../../src-worker/shard-threads.ts';
import { repoRoot } from '../helpers.ts';

const TEXT = 'It was the best of times, it was the worst of times; it was the age of wisdom. '.repeat(12);
const vocab = Vocab.fromText(TEXT);
const data = vocab.encode(TEXT);

function options(threads: number, model: Partial<TrainerOptions['model']> = {}, train: TrainerOptions['train'] = {}): TrainerOptions {
  return {
    model: { cell: 'lstm', vocabSize: vocab.size, hidden: 12, layers: 2, embedding: 6, dropout: 0.25, ...model },
    train: { seqLen: 9, batch: 7, steps: 100, seed: 5, optimizer: { name: 'adam', lr: 0.01 }, clip: 1, threads, ...train },
    data,
    kernels: createKernels(),
  };
}

/** Losses and final weights of n steps. */
function run(t: Trainer, n: number): { losses: number[]; params: Float32Array } {
  const losses = Array.from({ length: n }, () => t.trainStep().loss);
  return { losses, params: Float32Array.from(t.model.params) };
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1e-3, Math.abs(b[i])));
  return worst;
}

describe('multi-threaded training', () => {
  it('splits the streams into contiguous shards, larger first', () => {
    expect(shardSizes(32, 2)).toEqual([16, 16]);
    expect(shardSizes(7, 3)).toEqual([3, 2, 2]);
    expect(shardSizes(5, 5)).toEqual([1, 1, 1, 1, 1]);
    expect(() => shardSizes(4, 5)).toThrow(RangeError);
  });

  it('refuses more threads than streams, naming the field', () => {
    expect(() => new Trainer(options(8))).toThrow(ConfigError);
    expect(() => new Trainer(options(8))).toThrow(/threads/);
    expect(() => new Trainer(options(0))).toThrow(/threads/);
  });

  it.each(CELL_NAMES)('%s: the gradient of a batch split over 3 shards equals one thread\'s, with dropout', (cell) => {
    // clip 0 leaves the gradient unscaled; dropout masks must be the ones one thread draws
    const one = new Trainer(options(1, { cell }, { clip: 0 }));
    const three = new Trainer(options(3, { cell }, { clip: 0 }));
    for (let step = 0; step < 3; step++) {
      const a = one.trainStep();
      const b = three.trainStep();
      expect(Math.abs(b.loss - a.loss)).toBeLessThan(1e-5 * a.loss);
      expect(maxRelDiff(three.model.grads, one.model.grads)).toBeLessThan(1e-4);
      expect(Math.abs(b.gradNorm - a.gradNorm)).toBeLessThan(1e-5 * a.gradNorm);
    }
  });

  it('gives the same bits in threads as one shard after the other, and on every run', async () => {
    const inThread = run(new Trainer(options(3)), 15);
    for (let attempt = 0; attempt < 2; attempt++) {
      const t = new Trainer(options(3));
      await startShardThreads(t);
      expect((t as unknown as { runner: unknown }).runner).toBeInstanceOf(SharedMemoryRunner);
      try {
        const threaded = run(t, 15);
        expect(threaded.losses).toEqual(inThread.losses);
        expect(threaded.params).toEqual(inThread.params);
      } finally {
        t.close();
      }
    }
  });

  it('resumes a threaded run bit-identically, across an epoch wrap', async () => {
    const straight = new Trainer(options(2));
    await startShardThreads(straight);
    const first = run(straight, 20);
    const state = straight.saveState();
    const rest = run(straight, 25);
    straight.close();

    const resumed = Trainer.restore(state, data, createKernels());
    expect(resumed.config.threads).toBe(2);
    await startShardThreads(resumed);
    try {
      expect(resumed.step).toBe(20);
      expect(run(resumed, 25)).toEqual(rest);
    } finally {
      resumed.close();
    }
    expect(first.losses).toHaveLength(20);
  });

  it('abandons an interrupted step in every thread and then continues as if it never started', async () => {
    const straight = run(new Trainer(options(2)), 6).losses;
    const t = new Trainer(options(2));
    await startShardThreads(t);
    try {
      const before = [t.trainStep().loss, t.trainStep().loss];
      let asked = 0;
      expect(() => t.trainStep(() => ++asked === 2)).toThrow(Interrupted);
      expect(t.step).toBe(2);
      const after = Array.from({ length: 4 }, () => t.trainStep().loss);
      expect([...before, ...after]).toEqual(straight);
    } finally {
      t.close();
    }
  });

  it('fails the step, instead of waiting for ever, when a thread ends, and every step after it', async () => {
    // a shard worker that leaves between its first and second step, as a crashed thread would
    const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-threads-'));
    const dying = join(dir, 'dying-shard.worker.mjs');
    writeFileSync(dying, `
      const wait = Atomics.wait;
      let waits = 0;
      Atomics.wait = (...args) => (++waits === 2 ? process.exit(3) : wait(...args));
      await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'out/node/shard.worker.mjs')).href)});`);
    const t = new Trainer(options(2));
    try {
      await startShardThreads(t, dying);
      // the thread ends right after its first step: that step or the next one fails, not hangs
      let error: Error | null = null;
      for (let i = 0; i < 2 && !error; i++) {
        try {
          t.trainStep();
        } catch (e) {
          error = e as Error;
        }
      }
      expect(error?.message).toMatch(/^training thread 1 stopped: ended without a message/);
      expect(() => t.trainStep()).toThrow(/training thread 1 stopped/);
    } finally {
      t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets pause reach the other threads while this one waits for them', async () => {
    // a shard worker that naps 300 ms before each step, so this thread finishes its shard first
    // and is waiting when the pause comes (its 2 layers ask 4 times; the 5th ask is from the wait)
    const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-threads-'));
    const slow = join(dir, 'slow-shard.worker.mjs');
    writeFileSync(slow, `
      const wait = Atomics.wait;
      const nap = new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait = (...args) => { const r = wait(...args); wait(nap, 0, 0, 300); return r; };
      await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'out/node/shard.worker.mjs')).href)});`);
    const t = new Trainer(options(2));
    try {
      await startShardThreads(t, slow);
      const straight = new Trainer(options(2));
      const expected = [straight.trainStep().loss, straight.trainStep().loss];
      let asked = 0;
      expect(() => t.trainStep(() => ++asked > 4)).toThrow(Interrupted);
      expect(asked).toBeGreaterThan(4);
      expect(t.step).toBe(0);
      expect([t.trainStep().loss, t.trainStep().loss]).toEqual(expected);
    } finally {
      t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to train once closed, before touching its state', () => {
    const t = new Trainer(options(2));
    t.trainStep();
    const state = new Uint8Array(t.saveState());
    t.close();
    expect(() => t.trainStep()).toThrow(/has been closed/);
    expect(new Uint8Array(t.saveState())).toEqual(state);
  });

  it('says why threads cannot start: kernels without shared memory, a missing worker file', async () => {
    const blocked = new Trainer({ ...options(2), kernels: createKernels('blocked') });
    await expect(startShardThreads(blocked)).rejects.toThrow(/blocked kernels have no shared memory; 2 threads need the wasm kernels/);
    // it still trains, one shard after the other
    expect(Number.isFinite(blocked.trainStep().loss)).toBe(true);
    const t = new Trainer(options(2));
    await expect(startShardThreads(t, '/nonexistent/shard.worker.mjs')).rejects.toThrow(/nonexistent/);
    expect(Number.isFinite(t.trainStep().loss)).toBe(true);
  });
});
