// The training pool with the built workers (out/node/*.worker.mjs): events, exact pause and resume,
// cancel latency, queueing, and that a failing run (exception or out of memory) fails alone.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunHandle, TrainRequest } from '../../src-main/lab/executor.ts';
import { TrainingPool } from '../../src-main/pool/pool.ts';
import { CELL_NAMES } from '../../src-worker/engine/cells/index.ts';
import { DEFAULT_MODEL, DEFAULT_OPTIMIZER, DEFAULT_TRAIN } from '../../src-worker/engine/config.ts';
import { Vocab } from '../../src-worker/engine/data.ts';
import { createKernels } from '../../src-worker/engine/kernel-sets.ts';
import { saveModel } from '../../src-worker/engine/model-file.ts';
import { Trainer } from '../../src-worker/engine/trainer.ts';
import type { MetricRow, TrainEvent, TrainResult } from '../../src-worker/train-report.ts';

const TEXT = 'the quick brown fox jumps over the lazy dog.\npack my box with five dozen liquor jugs!\n'.repeat(25);
const vocab = Vocab.fromText(TEXT);
const all = vocab.encode(TEXT);
const cut = Math.floor(all.length * 0.8);
const trainIds = shared(all.subarray(0, cut));
const validIds = shared(all.subarray(cut));

function shared(ids: Int32Array): SharedArrayBuffer {
  const buf = new SharedArrayBuffer(ids.length * 2);
  new Uint16Array(buf).set(ids);
  return buf;
}

let nextRunId = 1;
function request(overrides: Partial<TrainRequest> = {}, model: Partial<TrainRequest['model']> = {}, train: Partial<TrainRequest['train']> = {}): TrainRequest {
  return {
    runId: nextRunId++,
    model: { ...DEFAULT_MODEL, vocabSize: vocab.size, cell: 'lstm', hidden: 8, ...model },
    train: { ...DEFAULT_TRAIN, seqLen: 8, batch: 4, steps: 30, seed: 5, optimizer: { ...DEFAULT_OPTIMIZER, lr: 0.01 }, clip: 1, ...train },
    cadence: { metricsEvery: 1, evalEvery: 10, evalChars: 0, sampleEvery: 15, sampleLength: 20, checkpointEvery: 10 },
    trainIds,
    validIds,
    validMasks: null,
    vocab: [...vocab.chars],
    resume: null,
    kernelSet: null,
    elapsedBefore: 0,
    bestValLoss: null,
    ...overrides,
  };
}

interface Run {
  handle: RunHandle;
  events: TrainEvent[];
  done: Promise<TrainResult>;
}

function start(pool: TrainingPool, req: TrainRequest, onEvent?: (ev: TrainEvent, run: Run) => void): Run {
  const events: TrainEvent[] = [];
  const run = {} as Run;
  run.events = events;
  run.handle = pool.start(req, { onEvent: (ev) => { events.push(ev); onEvent?.(ev, run); } });
  run.done = run.handle.result;
  return run;
}

const rows = (events: TrainEvent[]): MetricRow[] => events.flatMap((e) => (e.type === 'metrics' ? e.rows : []));
const of = <K extends TrainEvent['type']>(events: TrainEvent[], type: K) => events.filter((e): e is Extract<TrainEvent, { type: K }> => e.type === type);
/** what must not depend on timing */
const exact = (r: MetricRow) => ({ step: r.step, charsSeen: r.charsSeen, trainLoss: r.trainLoss, gradNorm: r.gradNorm, clipped: r.clipped, lr: r.lr });
const stepOf = (e: TrainEvent): number => (e.type === 'metrics' ? e.rows[e.rows.length - 1].step : e.step);

describe('TrainingPool', () => {
  let pool: TrainingPool;
  beforeAll(() => {
    pool = new TrainingPool({ maxThreads: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('trains every cell to completion and posts its events in order', async () => {
    const runs = CELL_NAMES.map((cell) => start(pool, request({}, { cell })));
    for (const run of runs) {
      expect(await run.done).toEqual({ status: 'completed', step: 30, wallSeconds: expect.any(Number) });
      const { events } = run;
      expect(rows(events).map((r) => r.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      for (const r of rows(events)) {
        expect(r.charsSeen).toBe(r.step * 4 * 8);
        expect(Number.isFinite(r.trainLoss) && r.gradNorm > 0 && r.lr === 0.01).toBe(true);
        expect(r.wallSeconds).toBeGreaterThan(0);
      }
      const steps = events.map(stepOf);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      expect(of(events, 'eval').map((e) => e.step)).toEqual([10, 20, 30]);
      // one at every evaluation (10, 20 and the end) and every sampleEvery (15) steps besides
      expect(of(events, 'sample').map((e) => [e.step, e.prime, e.text.length])).toEqual([[10, '\n', 20], [15, '\n', 20], [20, '\n', 20], [30, '\n', 20]]);
      const checkpoints = of(events, 'checkpoint');
      expect(checkpoints.filter((c) => c.kind === 'last').map((c) => c.step)).toEqual([10, 20, 30]);
      expect(checkpoints.filter((c) => c.kind === 'best').length).toBeGreaterThan(0);
      for (const c of checkpoints) {
        expect(c.state).toBeInstanceOf(ArrayBuffer);
        expect(c.state.byteLength).toBeGreaterThan(0);
      }
      // the final evaluation reads the whole validation text
      expect(of(events, 'eval')[2].chars).toBeGreaterThan(300);
    }
  });

  it('trains bit-identically however often it samples: samples never touch the training generators or state', async () => {
    const cfg = (sampleEvery: number) => ({
      ...request({}, { hidden: 16, layers: 2, dropout: 0.2 }, { steps: 40 }),
      cadence: { metricsEvery: 1, evalEvery: 20, evalChars: 200, sampleEvery, sampleLength: 40, checkpointEvery: 20 },
    });
    // a sample at every step against one only at the evaluations (20 and 40)
    const [often, rarely] = [start(pool, cfg(1)), start(pool, cfg(0))];
    await Promise.all([often.done, rarely.done]);
    expect(of(often.events, 'sample').map((e) => e.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(of(rarely.events, 'sample').map((e) => e.step)).toEqual([20, 40]);
    // the same steps' samples are the same text: each has its own generator, seeded by (seed, step)
    const at = (events: TrainEvent[], step: number) => of(events, 'sample').find((e) => e.step === step)!.text;
    expect(at(often.events, 20)).toBe(at(rarely.events, 20));
    expect(rows(often.events).map(exact)).toEqual(rows(rarely.events).map(exact));
    expect(of(often.events, 'eval')).toEqual(of(rarely.events, 'eval'));
    const states = (events: TrainEvent[]) => of(events, 'checkpoint').map((c) => `${c.kind}@${c.step}:${createHash('sha256').update(new Uint8Array(c.state)).digest('hex')}`);
    expect(states(often.events)).toEqual(states(rarely.events));
    expect(states(often.events).length).toBeGreaterThanOrEqual(2);
  });

  it('a paused run resumed from its checkpoint posts what an uninterrupted run posts', async () => {
    const cfg = (overrides: Partial<TrainRequest> = {}) => ({
      ...request(overrides, { hidden: 32, layers: 2, dropout: 0.1 }, { seqLen: 16, batch: 8, steps: 150 }),
      cadence: { metricsEvery: 1, evalEvery: 5, evalChars: 200, sampleEvery: 20, sampleLength: 30, checkpointEvery: 50 },
    });
    const straight = start(pool, cfg());
    let pausedAt = 0;
    const first = start(pool, cfg(), (ev, run) => {
      if (ev.type === 'eval' && pausedAt === 0) {
        pausedAt = ev.step;
        run.handle.pause();
      }
    });
    const r1 = await first.done;
    expect(r1.status).toBe('paused');
    const p = r1.step;
    expect(p).toBeGreaterThanOrEqual(pausedAt);
    expect(p).toBeLessThan(150);
    const lastCheckpoint = of(first.events, 'checkpoint').at(-1)!;
    expect(lastCheckpoint).toMatchObject({ kind: 'last', step: p });
    const evals1 = of(first.events, 'eval');
    // a resume trains with the kernels the run started with (the lab passes run.kernelSet)
    const kernelSet = of(first.events, 'kernels')[0].kernelSet;
    const second = start(pool, cfg({
      kernelSet,
      resume: lastCheckpoint.state,
      bestValLoss: Math.min(...evals1.map((e) => e.valLoss)),
      elapsedBefore: r1.wallSeconds!,
    }));
    expect(await second.done).toMatchObject({ status: 'completed', step: 150 });
    await straight.done;

    const want = straight.events;
    const got = [...first.events.filter((e) => stepOf(e) <= p && e.type !== 'checkpoint'), ...second.events];
    expect(rows(got).map(exact)).toEqual(rows(want).map(exact));
    expect(of(got, 'eval')).toEqual(of(want, 'eval'));
    expect(of(got, 'sample')).toEqual(of(want, 'sample'));
    const cp = (events: TrainEvent[]) => of(events, 'checkpoint').filter((c) => c.step > p)
      .map((c) => ({ step: c.step, kind: c.kind, valLoss: c.valLoss, state: createHash('sha256').update(new Uint8Array(c.state)).digest('hex') }));
    expect(cp(second.events)).toEqual(cp(want));
    expect(rows(second.events)[0].wallSeconds).toBeGreaterThan(r1.wallSeconds!);
  });

  it('runs 8 tasks on 2 threads; a queued run leaves the queue at once when cancelled', async () => {
    const runs = Array.from({ length: 8 }, (_, i) => start(pool, request({}, { cell: CELL_NAMES[i % CELL_NAMES.length] }, { steps: 60 })));
    const queued = start(pool, request());
    const t0 = performance.now();
    queued.handle.cancel();
    expect(await queued.done).toEqual({ status: 'cancelled', step: 0 });
    expect(performance.now() - t0).toBeLessThan(100);
    expect(queued.events).toEqual([]);
    const results = await Promise.all(runs.map((r) => r.done));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill('completed'));
    expect(pool.threads).toBeLessThanOrEqual(2);
  });

  it('a run that throws fails alone', async () => {
    const bad = start(pool, request({}, { vocabSize: 3 }));
    const good = [start(pool, request()), start(pool, request({}, { cell: 'gru' }))];
    expect(await bad.done).toEqual({ status: 'failed', step: 0, error: expect.stringMatching(/outside the vocabulary of 3/) });
    for (const g of good) expect((await g.done).status).toBe('completed');
  });

  it('a run that diverges fails with the step it reached and keeps its rows', async () => {
    const req = request();
    const t = new Trainer({ model: req.model, train: req.train, data: new Uint16Array(trainIds), kernels: createKernels() });
    for (let i = 0; i < 3; i++) t.trainStep();
    t.model.Wd[0] = Infinity; // as a blown-up update would
    const run = start(pool, { ...req, resume: t.saveState() });
    expect(await run.done).toMatchObject({ status: 'failed', step: 3, error: expect.stringMatching(/^diverged at step 4: /) });
    // nothing but the kernels it resumed with (a state that names none is from before sets were recorded: 'wasm')
    expect(run.events).toEqual([{ type: 'kernels', step: 3, kernelSet: 'wasm' }]);
  });

  it('evaluates and generates with a training state or a model file', async () => {
    const run = start(pool, request({}, { cell: 'gru' }));
    await run.done;
    const final = of(run.events, 'eval').at(-1)!;
    const state = of(run.events, 'checkpoint').at(-1)!.state;
    const n = new Uint16Array(validIds).length;
    const ev = await pool.evaluate({
      source: { kind: 'model', state },
      ids: validIds,
      streams: Math.min(16, Math.floor((n - 1) / 64)),
      chunk: 8,
    });
    expect(ev.loss).toBe(final.valLoss);
    expect(ev.accuracy).toBe(final.accuracy);

    const model = Trainer.restore(state, new Uint16Array(trainIds), createKernels()).model;
    const bytes = saveModel(model, { vocab: [...vocab.chars] });
    const chunks: string[] = [];
    const task = { source: { kind: 'file', bytes }, prime: 'the ', length: 300, temperature: 0.8, seed: 3 } as const;
    const g1 = await pool.generate(task, { onText: (t) => chunks.push(t) });
    expect(g1.text).toHaveLength(300);
    expect(chunks.join('')).toBe(g1.text);
    // the same weights from the training state give the same text
    expect((await pool.generate({ ...task, source: { kind: 'model', state }, vocab: [...vocab.chars] })).text).toBe(g1.text);
    await expect(pool.generate({ ...task, prime: 'the ~' })).rejects.toThrow(/not in the vocabulary/);
    await expect(pool.generate({ ...task, source: { kind: 'model', state } })).rejects.toThrow(/vocab/);
  });
});

describe('TrainingPool with a slow run', () => {
  let pool: TrainingPool;
  beforeAll(() => {
    pool = new TrainingPool({ maxThreads: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  // about 0.9 s per step on one core: a stop request lands in the middle of a step
  const slow = () => request({}, { hidden: 192, layers: 2 }, { seqLen: 64, batch: 16, steps: 1000 });

  async function stopMidStep(how: 'pause' | 'cancel'): Promise<{ run: Run; result: TrainResult; ms: number }> {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const run = start(pool, slow(), (ev) => ev.type === 'metrics' && started());
    await running;
    await new Promise((resolve) => setTimeout(resolve, 300)); // into the next step
    const t0 = performance.now();
    run.handle[how]();
    const result = await run.done;
    return { run, result, ms: performance.now() - t0 };
  }

  it('cancel and pause act within a second, mid-step', async () => {
    const [cancelled, paused] = await Promise.all([stopMidStep('cancel'), stopMidStep('pause')]);
    console.log(`cancel took ${cancelled.ms.toFixed(0)} ms, pause ${paused.ms.toFixed(0)} ms`);
    expect(cancelled.result).toMatchObject({ status: 'cancelled' });
    expect(cancelled.ms).toBeLessThan(1000);
    expect(of(cancelled.run.events, 'checkpoint')).toEqual([]);
    expect(paused.result).toMatchObject({ status: 'paused' });
    expect(paused.ms).toBeLessThan(1000);
    expect(of(paused.run.events, 'checkpoint').at(-1)).toMatchObject({ kind: 'last', step: paused.result.step });
  });
});

describe('TrainingPool with a memory limit', () => {
  it('a run that exceeds maxOldGenerationSizeMb fails alone', async () => {
    const pool = new TrainingPool({ maxThreads: 3, maxOldGenerationSizeMb: 16 });
    try {
      // typed arrays live outside V8's heap, so a big model does not reach the limit; a huge sample
      // (a string built one character at a time) does
      const hog = start(pool, { ...request(), cadence: { metricsEvery: 1, evalEvery: 10, evalChars: 0, sampleEvery: 1, sampleLength: 50_000_000, checkpointEvery: 10 } });
      const good = [start(pool, request()), start(pool, request({}, { cell: 'rnn' }))];
      expect(await hog.done).toMatchObject({ status: 'failed', error: expect.stringMatching(/memory limit/) });
      for (const g of good) expect((await g.done).status).toBe('completed');
    } finally {
      await pool.close();
    }
  });
});
