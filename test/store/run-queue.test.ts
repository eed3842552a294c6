/**
 * The queue in the runs table: a waiting run's place in its process's queue, what leaving it
 * leaves behind, who may claim it, the queues of processes that are gone, and the copy number
 * that tells duplicates of a cell and seed apart. Migration 2 added the columns to files of
 * version 1 without touching their runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it as plain } from 'vitest';
import { openDatabase } from '../../src-main/store/database.ts';
import { LabStore } from '../../src-main/store/lab-store.ts';
import { MIGRATIONS, latestVersion } from '../../src-main/store/migrations.ts';
import { it, newRun, setup } from './store-helpers.ts';
import type { Run } from '../../src-main/api/types.ts';

const place = (r: Run | null) => (r ? [r.status, r.queue?.position ?? null, r.ownerPid] : null);

describe('the queue in the runs table', () => {
  it('gives waiting runs their place in their process\'s queue, and the threads they wait for', ({ store }) => {
    const { experimentId } = setup(store, 0);
    const [a, b, c, d] = store.runs.insert(experimentId, [
      newRun(), newRun({ config: { train: { threads: 2 } } }), newRun(), newRun(),
    ]);
    expect([store.runs.joinQueue(a, 10), store.runs.joinQueue(b, 10), store.runs.joinQueue(c, 20), store.runs.joinQueue(d, 10)]).toEqual([true, true, true, true]);
    expect([a, b, c, d].map((id) => place(store.runs.get(id)))).toEqual([
      ['waiting', 1, 10], ['waiting', 2, 10], ['waiting', 1, 20], ['waiting', 3, 10],
    ]);
    expect(store.runs.get(b)!.queue).toEqual({ position: 2, threads: 2 });
    expect(store.runs.get(a)!.queue).toEqual({ position: 1, threads: 1 });
    expect(store.runs.waiting(10).map((r) => r.id)).toEqual([a, b, d]);
    expect(store.runs.listByStatus('waiting').map((r) => r.id)).toEqual([a, b, c, d]);
    // a run waits in one queue at a time
    expect(store.runs.joinQueue(a, 10)).toBe(false);
    expect(store.runs.joinQueue(a, 20)).toBe(false);

    // the head starts: the runs behind it move up
    expect(store.runs.claim(a, 10)).toBe(true);
    expect(place(store.runs.get(a))).toEqual(['running', null, 10]);
    expect(store.runs.waiting(10).map((r) => [r.id, r.queue?.position])).toEqual([[b, 1], [d, 2]]);
    // nobody else may claim a run waiting in a queue, and a running run cannot join one
    expect(store.runs.claim(b, 20)).toBe(false);
    expect(store.runs.joinQueue(a, 20)).toBe(false);
    expect(store.runs.claim(b, 10)).toBe(true);
  });

  it('takes a run out of the queue back to what it was, or paused if it never started and is paused', ({ store }) => {
    const { runIds: [fresh, paused, interrupted, held] } = setup(store, 4);
    store.runs.claim(paused, 1);
    store.runs.setStatus(paused, 'paused');
    store.runs.claim(interrupted, 1);
    store.runs.setStatus(interrupted, 'interrupted');
    for (const id of [fresh, paused, interrupted, held]) expect(store.runs.joinQueue(id, 5)).toBe(true);

    expect(store.runs.leaveQueue(fresh, 6, { pause: false })).toBe(false); // not that process's queue
    expect(store.runs.leaveQueue(fresh, 5, { pause: false })).toBe(true);
    expect(store.runs.leaveQueue(fresh, 5, { pause: false })).toBe(false);
    expect(store.runs.leaveQueue(paused, 5, { pause: true })).toBe(true);
    expect(store.runs.leaveQueue(interrupted, 5, { pause: true })).toBe(true);
    expect(store.runs.leaveQueue(held, 5, { pause: true })).toBe(true);
    expect([fresh, paused, interrupted, held].map((id) => place(store.runs.get(id)))).toEqual([
      ['not-started', null, null], ['paused', null, null], ['interrupted', null, null], ['paused', null, null],
    ]);
  });

  it('drops a run\'s place when it ends, and hands control requests to the process that queued it', ({ store }) => {
    const { runIds: [a, b, c] } = setup(store, 3);
    for (const id of [a, b, c]) store.runs.joinQueue(id, 7);
    expect(store.runs.requestControl(b, 'pause')).toBe(true);
    store.runs.claim(c, 7);
    store.runs.requestControl(c, 'cancel');
    expect(store.runs.controlled(7)).toEqual([b, c]);
    expect(store.runs.controlled(8)).toEqual([]);
    store.runs.setStatus(a, 'cancelled');
    expect(place(store.runs.get(a))).toEqual(['cancelled', null, null]);
    expect(store.runs.get(b)!.queue?.position).toBe(1);
    // a waiting place needs an owner and a status that can start: the schema holds it so
    expect(() => store.db.prepare("UPDATE runs SET status = 'completed' WHERE id = ?").run(b)).toThrow(/CHECK/);
    expect(() => store.db.prepare('UPDATE runs SET owner_pid = NULL WHERE id = ?').run(b)).toThrow(/CHECK/);
  });

  it('empties the queue of a closing process, and at start-up the queues of processes that are gone', ({ store }) => {
    const { runIds: [a, b, c, d] } = setup(store, 4);
    store.runs.claim(b, 1);
    store.runs.setStatus(b, 'paused');
    for (const [id, pid] of [[a, 100], [b, 100], [c, 200], [d, 300]]) store.runs.joinQueue(id, pid);
    store.runs.releaseQueue(100);
    expect([a, b].map((id) => place(store.runs.get(id)))).toEqual([['not-started', null, null], ['paused', null, null]]);
    expect(store.runs.releaseDeadQueues((pid) => pid === 300)).toEqual([200]);
    expect([c, d].map((id) => place(store.runs.get(id)))).toEqual([['not-started', null, null], ['waiting', 1, 300]]);
    expect(store.runs.releaseDeadQueues(() => true)).toEqual([]);
  });

  it('numbers the duplicates of a cell and seed within their experiment', ({ store }) => {
    const { corpusId, experimentId } = setup(store, 0);
    const [lstm1, lstm2, gru1] = store.runs.insert(experimentId, [newRun({ seed: 1 }), newRun({ seed: 2 }), newRun({ cell: 'gru', seed: 1 })]);
    const [copy, again, gruCopy] = store.runs.insert(experimentId, [newRun({ seed: 1 }), newRun({ seed: 1 }), newRun({ cell: 'gru', seed: 1 })]);
    const other = store.experiments.insert({ name: 'other', corpusId, spec: {} });
    const [elsewhere] = store.runs.insert(other, [newRun({ seed: 1 })]);
    const copies = new Map(store.runs.list(experimentId).map((r) => [r.id, r.copy]));
    expect([lstm1, lstm2, gru1, copy, again, gruCopy].map((id) => copies.get(id))).toEqual([0, 0, 0, 1, 2, 1]);
    expect(store.runs.get(elsewhere)!.copy).toBe(0);
  });
});

describe('migrations 2 and 3', () => {
  plain('adds the queue to a version-1 file and keeps its runs, a stored "queued" read as not started', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-store-'));
    try {
      const path = join(dir, 'v1.db');
      // rows written in version 1's SQL: LabStore prepares the newest schema's statements
      const old = openDatabase(path, { migrations: MIGRATIONS.slice(0, 1) });
      const corpusId = Number(old.prepare(`INSERT INTO corpora (name, kind, sha256, text, chars, vocab, created_at)
        VALUES ('old', 'file', ?, 'ab', 2, '["a","b"]', 0)`).run('c'.repeat(64)).lastInsertRowid);
      const experimentId = Number(old.prepare("INSERT INTO experiments (name, corpus_id, spec, created_at) VALUES ('old', ?, '{}', 0)").run(corpusId).lastInsertRowid);
      old.prepare(`INSERT INTO runs (experiment_id, cell, seed, config, params, steps, status, step, created_at)
        VALUES (?, 'lstm', 1, '{}', 10, 100, 'queued', 0, 1), (?, 'lstm', 2, '{}', 10, 100, 'paused', 40, 2)`).run(experimentId, experimentId);
      old.close();

      const store = new LabStore(openDatabase(path));
      expect(store.db.pragma('user_version', { simple: true })).toBe(latestVersion());
      expect(store.runs.list(experimentId).map((r) => [r.seed, r.status, r.step, r.queue])).toEqual([[1, 'not-started', 0, null], [2, 'paused', 40, null]]);
      // migration 3: the old runs are in no sweep, were never halted and name no kernels yet
      expect(store.runs.list(experimentId).map((r) => [r.trial, r.halted, r.kernelSet])).toEqual([[null, null, null], [null, null, null]]);
      // a trial index needs its values, and only a cancelled run carries a halving decision
      expect(() => store.db.prepare('UPDATE runs SET trial = 1 WHERE experiment_id = ?').run(experimentId)).toThrow(/CHECK/);
      expect(() => store.db.prepare(`UPDATE runs SET halted = '{}' WHERE experiment_id = ?`).run(experimentId)).toThrow(/CHECK/);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
