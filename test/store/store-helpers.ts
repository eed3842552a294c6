/**
 * What the store's table tests share: a lab.db of its own in a temporary folder, on a clock that
 * moves one millisecond per reading (so timestamps are known and never tie), and rows to put in it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it as base } from 'vitest';
import type { MetricRow } from '../../src-main/api/types.ts';
import { openDatabase } from '../../src-main/store/database.ts';
import { LabStore } from '../../src-main/store/lab-store.ts';
import type { NewCorpus, NewRun } from '../../src-main/store/types.ts';

/** `it` with a `store` of its own: lab.db in a new temporary folder, on a clock starting at 1_700_000_000_000. */
export const it = base.extend<{ store: LabStore }>({
  // vitest reads which fixtures this one needs from the pattern: none
  store: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-store-'));
    let clock = 1_700_000_000_000;
    const store = new LabStore(openDatabase(join(dir, 'lab.db')), { now: () => clock++ });
    await use(store);
    store.close();
    rmSync(dir, { recursive: true, force: true });
  },
});

export function corpus(over: Partial<NewCorpus> = {}): NewCorpus {
  return {
    name: 'tiny', kind: 'file', task: null, sha256: 'a'.repeat(64), text: 'hello world', chars: 11,
    vocab: [' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w'], source: 'tiny.txt', ...over,
  };
}

export function newRun(over: Partial<NewRun> = {}): NewRun {
  return { cell: 'lstm', seed: 1, config: { hidden: 32, layers: 1 }, params: 1234, steps: 100, ...over };
}

export function metric(step: number): MetricRow {
  return {
    step, charsSeen: step * 64, wallSeconds: step / 10, trainLoss: 4 - step / 1e4, gradNorm: 1.5,
    clipped: step % 2 === 0, lr: 2e-3, charsPerSecond: 640,
  };
}

/** a corpus, an experiment on it and `n` runs */
export function setup(store: LabStore, n = 2): { corpusId: number; experimentId: number; runIds: number[] } {
  const corpusId = store.corpora.insert(corpus());
  const experimentId = store.experiments.insert({ name: 'cells', corpusId, spec: { cells: ['rnn', 'lstm'] } });
  const runIds = store.runs.insert(experimentId, Array.from({ length: n }, (_, i) => newRun({ seed: i })));
  return { corpusId, experimentId, runIds };
}

export function count(store: LabStore, table: string): number {
  // table names are fixed in these tests, never input
  return (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}
