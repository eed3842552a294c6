import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StoreError, openDatabase } from '../../src-main/store/database.ts';
import type { MetricRow } from '../../src-main/api/types.ts';
import { LabStore, type NewCorpus, type NewRun } from '../../src-main/store/lab-store.ts';
import { repoRoot } from '../helpers.ts';

const run = promisify(execFile);

let dir: string;
let store: LabStore;
let clock: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rnn-lab-store-'));
  clock = 1_700_000_000_000;
  store = new LabStore(openDatabase(join(dir, 'lab.db')), { now: () => clock++ });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function corpus(over: Partial<NewCorpus> = {}): NewCorpus {
  return {
    name: 'tiny', kind: 'file', task: null, sha256: 'a'.repeat(64), text: 'hello world', chars: 11,
    vocab: [' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w'], source: 'tiny.txt', ...over,
  };
}

function newRun(over: Partial<NewRun> = {}): NewRun {
  return { cell: 'lstm', seed: 1, config: { hidden: 32, layers: 1 }, params: 1234, steps: 100, ...over };
}

function metric(step: number): MetricRow {
  return {
    step, charsSeen: step * 64, wallSeconds: step / 10, trainLoss: 4 - step / 1e4, gradNorm: 1.5,
    clipped: step % 2 === 0, lr: 2e-3, charsPerSecond: 640,
  };
}

/** a corpus, an experiment on it and `n` runs */
function setup(n = 2): { corpusId: number; experimentId: number; runIds: number[] } {
  const corpusId = store.insertCorpus(corpus());
  const experimentId = store.insertExperiment({ name: 'cells', corpusId, spec: { cells: ['rnn', 'lstm'] } });
  const runIds = store.insertRuns(experimentId, Array.from({ length: n }, (_, i) => newRun({ seed: i })));
  return { corpusId, experimentId, runIds };
}

function count(table: string): number {
  // table names are fixed in these tests, never input
  return (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

describe('corpora', () => {
  it('stores and reads back a corpus with and without its text', () => {
    const predictable = new Uint8Array([0, 1, 1, 0, 1]);
    const id = store.insertCorpus(corpus({
      name: 'reber', kind: 'task', task: { task: 'reber', length: 5 }, sha256: 'b'.repeat(64), text: 'BTSXE',
      chars: 5, vocab: ['B', 'E', 'S', 'T', 'X'], validFraction: 0.2, predictable, source: null,
    }));
    const full = store.getCorpus(id)!;
    expect(full).toMatchObject({
      id, name: 'reber', kind: 'task', task: { task: 'reber', length: 5 }, text: 'BTSXE', chars: 5,
      vocab: ['B', 'E', 'S', 'T', 'X'], validFraction: 0.2, source: null, createdAt: 1_700_000_000_000,
    });
    expect(Array.from(full.predictable!)).toEqual([0, 1, 1, 0, 1]);

    const meta = store.getCorpusMeta(id)!;
    expect(meta).not.toHaveProperty('text');
    expect(meta).not.toHaveProperty('predictable');
    expect(store.findCorpusBySha('b'.repeat(64))?.id).toBe(id);
    expect(store.findCorpusBySha('c'.repeat(64))).toBeNull();
    expect(store.getCorpus(999)).toBeNull();

    const fileId = store.insertCorpus(corpus());
    expect(store.getCorpus(fileId)).toMatchObject({ validFraction: 0.1, task: null, predictable: null });
    expect(store.listCorpora().map((c) => c.id)).toEqual([id, fileId]);
  });

  it('enforces its constraints', () => {
    store.insertCorpus(corpus());
    expect(() => store.insertCorpus(corpus())).toThrow(/UNIQUE/); // same sha256
    expect(() => store.insertCorpus(corpus({ sha256: 'd'.repeat(64), kind: 'zip' as never }))).toThrow(/CHECK/);
    expect(() => store.insertCorpus(corpus({ sha256: 'd'.repeat(64), kind: 'task', task: null }))).toThrow(/CHECK/);
    expect(() => store.insertCorpus(corpus({ sha256: 'd'.repeat(64), validFraction: 1 }))).toThrow(/CHECK/);
  });

  it('refuses to delete a corpus in use, naming the experiments', () => {
    const { corpusId } = setup();
    store.insertExperiment({ name: 'gru vs lstm', corpusId, spec: {} });
    let caught: unknown;
    try {
      store.deleteCorpus(corpusId);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).code).toBe('in-use');
    expect((caught as StoreError).message).toBe(
      "corpus 'tiny' is used by the experiments 'cells', 'gru vs lstm'; delete them first",
    );
    expect(store.getCorpusMeta(corpusId)).not.toBeNull();

    const unused = store.insertCorpus(corpus({ sha256: 'e'.repeat(64) }));
    expect(store.deleteCorpus(unused)).toBe(true);
    expect(store.deleteCorpus(unused)).toBe(false);
  });

  it('maps the foreign-key error too (an experiment added by another process after the check)', () => {
    const { corpusId } = setup();
    // Hide the experiment from the first check only, as if it were inserted in between.
    const sql = (store as unknown as { sql: Record<string, { all: (...a: unknown[]) => unknown[] }> }).sql;
    const real = sql.experimentsUsingCorpus;
    let calls = 0;
    sql.experimentsUsingCorpus = { all: (...a: unknown[]) => (calls++ === 0 ? [] : real.all(...a)) };
    expect(() => store.deleteCorpus(corpusId)).toThrow(
      expect.objectContaining({ code: 'in-use', message: expect.stringContaining("'cells'") }),
    );
  });
});

describe('experiments', () => {
  it('lists experiments with run counts by status', () => {
    const { experimentId, runIds } = setup(3);
    const empty = store.insertExperiment({ name: 'empty', corpusId: store.getExperiment(experimentId)!.corpusId, spec: [] });
    store.claimRun(runIds[0], 42);
    store.setRunStatus(runIds[1], 'failed', { error: 'diverged' });
    const list = store.listExperiments();
    expect(list.map((e) => e.id)).toEqual([empty, experimentId]);
    expect(list[0]).toMatchObject({ name: 'empty', runs: 0, corpusName: 'tiny', spec: [] });
    expect(list[0].runCounts.queued).toBe(0);
    expect(list[1]).toMatchObject({ name: 'cells', runs: 3, spec: { cells: ['rnn', 'lstm'] } });
    expect(list[1].runCounts).toEqual({
      queued: 1, running: 1, paused: 0, completed: 0, failed: 1, cancelled: 0, interrupted: 0,
    });
  });

  it('rejects an experiment on a missing corpus', () => {
    expect(() => store.insertExperiment({ name: 'x', corpusId: 77, spec: {} })).toThrow(/FOREIGN KEY/);
  });

  it('deletes an experiment with its runs, metrics, evals, checkpoints and samples', () => {
    const { corpusId, experimentId, runIds } = setup(2);
    const other = store.insertExperiment({ name: 'other', corpusId, spec: {} });
    const [otherRun] = store.insertRuns(other, [newRun()]);
    for (const id of [...runIds, otherRun]) {
      store.insertMetrics(id, [metric(1), metric(2)]);
      store.insertEval(id, { step: 2, valLoss: 3.1, bitsPerChar: 4.5, accuracy: 0.2, chars: 1000 });
      store.putCheckpoint(id, 'last', 2, null, new Uint8Array([1, 2, 3]));
      store.putCheckpoint(id, 'best', 2, 3.1, new Uint8Array([4, 5]));
      store.insertSample(id, { step: 2, prime: 'h', temperature: 0.8, text: 'hello' });
    }
    expect(store.deleteExperiment(experimentId)).toBe(true);
    expect(store.getExperiment(experimentId)).toBeNull();
    expect(store.listRuns(experimentId)).toEqual([]);
    for (const t of ['runs', 'evals', 'samples']) expect(count(t)).toBe(1);
    expect(count('metrics')).toBe(2);
    expect(count('checkpoints')).toBe(2);
    expect(store.listMetrics(otherRun)).toHaveLength(2);
    expect(store.deleteExperiment(experimentId)).toBe(false);
    // the corpus is free once its last experiment is gone
    store.deleteExperiment(other);
    expect(store.deleteCorpus(corpusId)).toBe(true);
  });
});

describe('runs', () => {
  it('inserts runs queued, in order, in one transaction', () => {
    const { experimentId } = setup(0);
    const ids = store.insertRuns(experimentId, [newRun({ cell: 'rnn' }), newRun({ cell: 'gru' })]);
    expect(store.listRuns(experimentId).map((r) => [r.id, r.cell, r.status, r.step, r.elapsed])).toEqual([
      [ids[0], 'rnn', 'queued', 0, 0],
      [ids[1], 'gru', 'queued', 0, 0],
    ]);
    expect(store.getRun(ids[0])).toMatchObject({
      experimentId, seed: 1, config: { hidden: 32, layers: 1 }, params: 1234, steps: 100, ownerPid: null,
      control: null, error: null, bestValLoss: null, startedAt: null, finishedAt: null,
    });
    // a bad row rolls the whole batch back
    expect(() => store.insertRuns(experimentId, [newRun(), newRun({ steps: -1 })])).toThrow(/CHECK/);
    expect(store.listRuns(experimentId)).toHaveLength(2);
  });

  it('updates only the fields given', () => {
    const { runIds: [id] } = setup(1);
    expect(store.updateRun(id, { step: 50, elapsed: 12.5, bestValLoss: 2.25 })).toBe(true);
    expect(store.getRun(id)).toMatchObject({ step: 50, elapsed: 12.5, bestValLoss: 2.25, steps: 100, params: 1234 });
    store.updateRun(id, { bestValLoss: null, config: { hidden: 64 } });
    expect(store.getRun(id)).toMatchObject({ step: 50, bestValLoss: null, config: { hidden: 64 } });
    expect(store.updateRun(999, { step: 1 })).toBe(false);
  });

  it('claims a run once, from queued, paused or interrupted only', () => {
    const { runIds: [id] } = setup(1);
    expect(store.claimRun(id, 100)).toBe(true);
    expect(store.claimRun(id, 200)).toBe(false);
    const running = store.getRun(id)!;
    expect(running).toMatchObject({ status: 'running', ownerPid: 100 });
    expect(running.startedAt).not.toBeNull();

    store.setRunStatus(id, 'paused');
    expect(store.getRun(id)).toMatchObject({ status: 'paused', ownerPid: null });
    expect(store.claimRun(id, 200)).toBe(true);
    expect(store.getRun(id)).toMatchObject({ ownerPid: 200, startedAt: running.startedAt });

    store.setRunStatus(id, 'completed');
    expect(store.getRun(id)!.finishedAt).not.toBeNull();
    expect(store.claimRun(id, 300)).toBe(false);
    expect(() => store.setRunStatus(id, 'running')).toThrow(/claimRun/);
  });

  it('lets exactly one of two connections claim a run', () => {
    const { runIds } = setup(3);
    const other = new LabStore(openDatabase(join(dir, 'lab.db')));
    try {
      for (const id of runIds) {
        const a = store.claimRun(id, 1);
        const b = other.claimRun(id, 2);
        expect([a, b]).toEqual([true, false]);
      }
      expect(other.listRunsByStatus('running').map((r) => r.ownerPid)).toEqual([1, 1, 1]);
    } finally {
      other.close();
    }
  });

  it('gives every run to exactly one of several racing processes', async () => {
    const { runIds } = setup(400);
    const path = join(dir, 'lab.db');
    const startAt = Date.now() + 1500; // after every process has started and opened the file
    const contenders = Array.from({ length: 4 }, (_, k) =>
      run(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/store/claim-race.fixture.ts'), path,
        String(startAt), String(runIds[0]), String(runIds[runIds.length - 1]), String(k * 100)], { cwd: repoRoot }),
    );
    const won = (await Promise.all(contenders)).map((r) => JSON.parse(r.stdout) as number[]);
    const all = won.flat().sort((a, b) => a - b);
    expect(all).toEqual(runIds);
    expect(store.listRunsByStatus('running')).toHaveLength(runIds.length);
  });

  it('records failures and clears errors on a new claim', () => {
    const { runIds: [id] } = setup(1);
    store.claimRun(id, 7);
    store.setRunStatus(id, 'interrupted', { error: 'worker crashed' });
    expect(store.getRun(id)).toMatchObject({ status: 'interrupted', error: 'worker crashed', finishedAt: null });
    store.claimRun(id, 8);
    expect(store.getRun(id)!.error).toBeNull();
  });

  it('passes pause and cancel requests, read once, cancel winning', () => {
    const { runIds: [id] } = setup(1);
    store.claimRun(id, 1);
    expect(store.takeControl(id)).toBeNull();
    expect(store.requestControl(id, 'pause')).toBe(true);
    expect(store.getRun(id)!.control).toBe('pause');
    expect(store.takeControl(id)).toBe('pause');
    expect(store.takeControl(id)).toBeNull();

    store.requestControl(id, 'cancel');
    store.requestControl(id, 'pause');
    expect(store.takeControl(id)).toBe('cancel');

    store.requestControl(id, 'pause');
    store.setRunStatus(id, 'cancelled');
    expect(store.getRun(id)!.control).toBeNull();
    expect(store.requestControl(id, 'pause')).toBe(false);
    expect(store.takeControl(999)).toBeNull();
  });

  it('marks running runs of dead processes interrupted', () => {
    const { runIds } = setup(4);
    store.claimRun(runIds[0], 111); // dead
    store.claimRun(runIds[1], 222); // alive
    store.claimRun(runIds[2], 333); // dead
    store.claimRun(runIds[3], 111);
    store.setRunStatus(runIds[3], 'paused'); // not running: untouched
    const alive = new Set([222]);
    expect(store.markInterrupted((pid) => alive.has(pid))).toEqual([runIds[0], runIds[2]]);
    expect(store.listRuns(store.getRun(runIds[0])!.experimentId).map((r) => [r.status, r.ownerPid])).toEqual([
      ['interrupted', null], ['running', 222], ['interrupted', null], ['paused', null],
    ]);
    expect(store.claimRun(runIds[0], 444)).toBe(true);
    expect(store.markInterrupted(() => true)).toEqual([]);
  });
});

describe('metrics, evals, samples and checkpoints', () => {
  it('writes 10,000 metric rows in one transaction', () => {
    const { runIds: [id] } = setup(1);
    const rows = Array.from({ length: 10_000 }, (_, i) => metric(i + 1));
    const transactions = vi.spyOn(store.db, 'transaction');
    const t0 = performance.now();
    store.insertMetrics(id, rows);
    const ms = performance.now() - t0;
    expect(transactions).toHaveBeenCalledTimes(1);
    transactions.mockRestore();
    expect(ms).toBeLessThan(5000);
    const back = store.listMetrics(id);
    expect(back).toHaveLength(10_000);
    expect(back[0]).toEqual(metric(1));
    expect(back[9_999]).toEqual(metric(10_000));
    expect(store.listMetrics(id, { fromStep: 9_990 }).map((m) => m.step)).toEqual(
      Array.from({ length: 11 }, (_, i) => 9_990 + i),
    );

    // one transaction: a bad last row leaves none of the batch behind
    const bad = Array.from({ length: 10_000 }, (_, i) => metric(20_001 + i));
    bad[9_999] = { ...bad[9_999], charsSeen: null as unknown as number };
    expect(() => store.insertMetrics(id, bad)).toThrow(/NOT NULL/);
    expect(store.listMetrics(id, { fromStep: 20_001 })).toEqual([]);
  });

  it('replaces a metric row at the same step and keeps NaN losses', () => {
    const { runIds: [id] } = setup(1);
    store.insertMetrics(id, [metric(1)]);
    store.insertMetrics(id, [{ ...metric(1), trainLoss: NaN, gradNorm: Infinity }]);
    const [row] = store.listMetrics(id);
    expect(row.trainLoss).toBeNaN();
    expect(row.gradNorm).toBe(Infinity);
  });

  it('stores evals and samples in step order', () => {
    const { runIds: [id] } = setup(1);
    store.insertEval(id, { step: 20, valLoss: 2, bitsPerChar: 2.885, accuracy: 0.4, predictableAccuracy: 0.9, longRangeAccuracy: 0.75, chars: 500 });
    store.insertEval(id, { step: 10, valLoss: 3, bitsPerChar: 4.328, accuracy: 0.3, chars: 500 });
    expect(store.listEvals(id).map((e) => e.step)).toEqual([10, 20]);
    expect(store.listEvals(id)[1]).toEqual({ step: 20, valLoss: 2, bitsPerChar: 2.885, accuracy: 0.4, predictableAccuracy: 0.9, longRangeAccuracy: 0.75, chars: 500 });
    // text corpora have no task accuracies
    expect(store.listEvals(id)[0]).toMatchObject({ predictableAccuracy: null, longRangeAccuracy: null });
    const s = store.insertSample(id, { step: 10, prime: 'T', temperature: 0.5, text: 'The' });
    expect(store.listSamples(id)).toEqual([
      { id: s, runId: id, step: 10, prime: 'T', temperature: 0.5, text: 'The', createdAt: expect.any(Number) },
    ]);
  });

  it('forgets metrics, evals and samples after a resumed step', () => {
    const { runIds: [id, other] } = setup(2);
    for (const r of [id, other]) {
      store.insertMetrics(r, [1, 2, 3, 4].map(metric));
      for (const step of [2, 4]) {
        store.insertEval(r, { step, valLoss: 1, bitsPerChar: 1, accuracy: 1, chars: 1 });
        store.insertSample(r, { step, prime: '', temperature: 1, text: 'x' });
      }
    }
    store.deleteMetricsAfter(id, 2);
    expect(store.listMetrics(id).map((m) => m.step)).toEqual([1, 2]);
    expect(store.listEvals(id).map((e) => e.step)).toEqual([2]);
    expect(store.listSamples(id).map((s) => s.step)).toEqual([2]);
    expect(store.listMetrics(other)).toHaveLength(4);
  });

  it('keeps one last and one best checkpoint per run, replaced in place', () => {
    const { runIds: [id] } = setup(1);
    expect(store.getCheckpoint(id, 'last')).toBeNull();
    store.putCheckpoint(id, 'last', 10, null, new Uint8Array([1, 2, 3]));
    const big = new Uint8Array(1 << 20).map((_, i) => i & 0xff);
    store.putCheckpoint(id, 'last', 20, 2.5, big.subarray(16)); // a view with an offset
    store.putCheckpoint(id, 'best', 15, 2.4, new Uint8Array([9]));
    expect(count('checkpoints')).toBe(2);
    const last = store.getCheckpoint(id, 'last')!;
    expect(last.step).toBe(20);
    expect(last.valLoss).toBe(2.5);
    expect(last.state.byteLength).toBe(big.byteLength - 16);
    expect(last.state[0]).toBe(16);
    // the returned bytes own their buffer, so it can be transferred to a worker as is
    expect(last.state.byteOffset).toBe(0);
    expect(last.state.buffer.byteLength).toBe(last.state.byteLength);
    expect(store.getCheckpoint(id, 'best')).toMatchObject({ step: 15, valLoss: 2.4, state: new Uint8Array([9]) });
  });
});

describe('transaction', () => {
  it('commits several writes together or none of them', () => {
    const { runIds: [id] } = setup(1);
    expect(() =>
      store.transaction(() => {
        store.insertMetrics(id, [metric(1)]); // nested: a savepoint
        store.updateRun(id, { step: 1 });
        throw new Error('stop');
      }),
    ).toThrow('stop');
    expect(store.listMetrics(id)).toEqual([]);
    expect(store.getRun(id)!.step).toBe(0);

    expect(store.transaction(() => {
      store.insertMetrics(id, [metric(1)]);
      store.updateRun(id, { step: 1 });
      return 'done';
    })).toBe('done');
    expect(store.getRun(id)!.step).toBe(1);
  });
});
