import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect } from 'vitest';
import { openDatabase } from '../../src-main/store/database.ts';
import { LabStore } from '../../src-main/store/lab-store.ts';
import { repoRoot } from '../helpers.ts';
import { it, newRun, setup } from './store-helpers.ts';

const run = promisify(execFile);

describe('runs', () => {
  it('inserts runs not started, in order, in one transaction', ({ store }) => {
    const { experimentId } = setup(store, 0);
    const ids = store.runs.insert(experimentId, [newRun({ cell: 'rnn' }), newRun({ cell: 'gru' })]);
    expect(store.runs.list(experimentId).map((r) => [r.id, r.cell, r.status, r.step, r.elapsed])).toEqual([
      [ids[0], 'rnn', 'not-started', 0, 0],
      [ids[1], 'gru', 'not-started', 0, 0],
    ]);
    expect(store.runs.get(ids[0])).toMatchObject({
      experimentId, seed: 1, config: { hidden: 32, layers: 1 }, params: 1234, steps: 100, ownerPid: null,
      control: null, error: null, bestValLoss: null, startedAt: null, finishedAt: null, queue: null, copy: 0,
    });
    // a bad row rolls the whole batch back
    expect(() => store.runs.insert(experimentId, [newRun(), newRun({ steps: -1 })])).toThrow(/CHECK/);
    expect(store.runs.list(experimentId)).toHaveLength(2);
  });

  it('keeps a sweep run\'s trial, ends it as stopped with the halving decision, and records its kernels once', ({ store }) => {
    const { experimentId } = setup(store, 0);
    const values = { lr: 0.003, optimizer: 'adam' };
    const [a, b, c] = store.runs.insert(experimentId, [newRun({ trial: { index: 2, values } }), newRun({ trial: { index: 3, values } }), newRun({ trial: { index: 2, values } })]);
    expect(store.runs.get(a)).toMatchObject({ trial: { index: 2, values }, halted: null, kernelSet: null, copy: 0 });
    // the same cell and seed in another trial is not a duplicate; the same trial again is
    expect([store.runs.get(b)!.copy, store.runs.get(c)!.copy]).toEqual([0, 1]);
    const decision = { rung: 100, valLoss: 2.5, cutoff: 2.1, rank: 3, of: 3, eta: 3 };
    expect(store.runs.claim(a, 7)).toBe(true);
    expect(store.runs.halt(a, decision)).toBe(true);
    expect(store.runs.get(a)).toMatchObject({ status: 'stopped', halted: decision, ownerPid: null });
    expect(store.runs.get(a)!.finishedAt).not.toBeNull();
    // the worker's own end, arriving after the decision, does not undo it
    expect(store.runs.setStatus(a, 'completed')).toBe(false);
    expect(store.runs.get(a)).toMatchObject({ status: 'stopped', halted: decision });
    // an ended run is not halted again
    expect(store.runs.halt(a, { ...decision, rung: 300 })).toBe(false);
    expect(store.runs.get(a)!.halted).toEqual(decision);
    expect(store.runs.setKernelSet(b, 'wasm')).toBe(true);
    expect(store.runs.setKernelSet(b, 'blocked')).toBe(false);
    expect(store.runs.get(b)!.kernelSet).toBe('wasm');
    expect(store.runs.get(b)!.trial).toEqual({ index: 3, values });
    expect(store.runs.get(c)!.status).toBe('not-started');
  });

  it('updates only the fields given', ({ store }) => {
    const { runIds: [id] } = setup(store, 1);
    expect(store.runs.update(id, { step: 50, elapsed: 12.5, bestValLoss: 2.25 })).toBe(true);
    expect(store.runs.get(id)).toMatchObject({ step: 50, elapsed: 12.5, bestValLoss: 2.25, steps: 100, params: 1234 });
    store.runs.update(id, { bestValLoss: null, config: { hidden: 64 } });
    expect(store.runs.get(id)).toMatchObject({ step: 50, bestValLoss: null, config: { hidden: 64 } });
    expect(store.runs.update(999, { step: 1 })).toBe(false);
  });

  it('claims a run once, from queued, paused or interrupted only', ({ store }) => {
    const { runIds: [id] } = setup(store, 1);
    expect(store.runs.claim(id, 100)).toBe(true);
    expect(store.runs.claim(id, 200)).toBe(false);
    const running = store.runs.get(id)!;
    expect(running).toMatchObject({ status: 'running', ownerPid: 100 });
    expect(running.startedAt).not.toBeNull();

    store.runs.setStatus(id, 'paused');
    expect(store.runs.get(id)).toMatchObject({ status: 'paused', ownerPid: null });
    expect(store.runs.claim(id, 200)).toBe(true);
    expect(store.runs.get(id)).toMatchObject({ ownerPid: 200, startedAt: running.startedAt });

    store.runs.setStatus(id, 'completed');
    expect(store.runs.get(id)!.finishedAt).not.toBeNull();
    expect(store.runs.claim(id, 300)).toBe(false);
    expect(() => store.runs.setStatus(id, 'running' as never)).toThrow(/use runs\.claim/);
  });

  it('lets exactly one of two connections claim a run', ({ store }) => {
    const { runIds } = setup(store, 3);
    const other = new LabStore(openDatabase(store.db.name));
    try {
      for (const id of runIds) {
        const a = store.runs.claim(id, 1);
        const b = other.runs.claim(id, 2);
        expect([a, b]).toEqual([true, false]);
      }
      expect(other.runs.listByStatus('running').map((r) => r.ownerPid)).toEqual([1, 1, 1]);
    } finally {
      other.close();
    }
  });

  it('gives every run to exactly one of several racing processes', async ({ store }) => {
    const { runIds } = setup(store, 400);
    const path = store.db.name;
    const startAt = Date.now() + 1500; // after every process has started and opened the file
    const contenders = Array.from({ length: 4 }, (_, k) =>
      run(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/store/claim-race.fixture.ts'), path,
        String(startAt), String(runIds[0]), String(runIds[runIds.length - 1]), String(k * 100)], { cwd: repoRoot }),
    );
    const won = (await Promise.all(contenders)).map((r) => JSON.parse(r.stdout) as number[]);
    const all = won.flat().sort((a, b) => a - b);
    expect(all).toEqual(runIds);
    expect(store.runs.listByStatus('running')).toHaveLength(runIds.length);
  });

  it('records failures and clears errors on a new claim', ({ store }) => {
    const { runIds: [id] } = setup(store, 1);
    store.runs.claim(id, 7);
    store.runs.setStatus(id, 'interrupted', { error: 'worker crashed' });
    expect(store.runs.get(id)).toMatchObject({ status: 'interrupted', error: 'worker crashed', finishedAt: null });
    store.runs.claim(id, 8);
    expect(store.runs.get(id)!.error).toBeNull();
  });

  it('passes pause and cancel requests, read once, cancel winning', ({ store }) => {
    const { runIds: [id] } = setup(store, 1);
    store.runs.claim(id, 1);
    expect(store.runs.takeControl(id)).toBeNull();
    expect(store.runs.requestControl(id, 'pause')).toBe(true);
    expect(store.runs.get(id)!.control).toBe('pause');
    expect(store.runs.takeControl(id)).toBe('pause');
    expect(store.runs.takeControl(id)).toBeNull();

    store.runs.requestControl(id, 'cancel');
    store.runs.requestControl(id, 'pause');
    expect(store.runs.takeControl(id)).toBe('cancel');

    store.runs.requestControl(id, 'pause');
    store.runs.setStatus(id, 'cancelled');
    expect(store.runs.get(id)!.control).toBeNull();
    expect(store.runs.requestControl(id, 'pause')).toBe(false);
    expect(store.runs.takeControl(999)).toBeNull();
  });

  it('marks running runs of dead processes interrupted', ({ store }) => {
    const { runIds } = setup(store, 4);
    store.runs.claim(runIds[0], 111); // dead
    store.runs.claim(runIds[1], 222); // alive
    store.runs.claim(runIds[2], 333); // dead
    store.runs.claim(runIds[3], 111);
    store.runs.setStatus(runIds[3], 'paused'); // not running: untouched
    const alive = new Set([222]);
    expect(store.runs.markInterrupted((pid) => alive.has(pid))).toEqual([runIds[0], runIds[2]]);
    expect(store.runs.list(store.runs.get(runIds[0])!.experimentId).map((r) => [r.status, r.ownerPid])).toEqual([
      ['interrupted', null], ['running', 222], ['interrupted', null], ['paused', null],
    ]);
    expect(store.runs.claim(runIds[0], 444)).toBe(true);
    expect(store.runs.markInterrupted(() => true)).toEqual([]);
  });
});
