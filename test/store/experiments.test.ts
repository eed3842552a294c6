import { describe, expect } from 'vitest';
import { count, it, metric, newRun, setup } from './store-helpers.ts';

describe('experiments', () => {
  it('lists experiments with run counts by status, as the wire says them', ({ store }) => {
    const { experimentId, runIds } = setup(store, 4);
    const empty = store.experiments.insert({ name: 'empty', corpusId: store.experiments.get(experimentId)!.corpusId, spec: [] });
    store.runs.claim(runIds[0], 42);
    store.runs.setStatus(runIds[1], 'failed', { error: 'diverged' });
    store.runs.joinQueue(runIds[3], 42);
    const list = store.experiments.list();
    expect(list.map((e) => e.id)).toEqual([empty, experimentId]);
    expect(list[0]).toMatchObject({ name: 'empty', runs: 0, corpusName: 'tiny', spec: [] });
    expect(list[0].runCounts['not-started']).toBe(0);
    expect(list[1]).toMatchObject({ name: 'cells', runs: 4, spec: { cells: ['rnn', 'lstm'] } });
    expect(list[1].runCounts).toEqual({
      'not-started': 1, waiting: 1, running: 1, paused: 0, completed: 0, failed: 1, cancelled: 0, stopped: 0, interrupted: 0,
    });
  });

  it('rejects an experiment on a missing corpus', ({ store }) => {
    expect(() => store.experiments.insert({ name: 'x', corpusId: 77, spec: {} })).toThrow(/FOREIGN KEY/);
  });

  it('deletes an experiment with its runs, metrics, evals, checkpoints and samples', ({ store }) => {
    const { corpusId, experimentId, runIds } = setup(store, 2);
    const other = store.experiments.insert({ name: 'other', corpusId, spec: {} });
    const [otherRun] = store.runs.insert(other, [newRun()]);
    for (const id of [...runIds, otherRun]) {
      store.metrics.insert(id, [metric(1), metric(2)]);
      store.evals.insert(id, { step: 2, valLoss: 3.1, bitsPerChar: 4.5, accuracy: 0.2, chars: 1000 });
      store.checkpoints.put(id, 'last', 2, null, new Uint8Array([1, 2, 3]));
      store.checkpoints.put(id, 'best', 2, 3.1, new Uint8Array([4, 5]));
      store.samples.insert(id, { step: 2, prime: 'h', temperature: 0.8, text: 'hello' });
    }
    expect(store.experiments.delete(experimentId)).toBe(true);
    expect(store.experiments.get(experimentId)).toBeNull();
    expect(store.runs.list(experimentId)).toEqual([]);
    for (const t of ['runs', 'evals', 'samples']) expect(count(store, t)).toBe(1);
    expect(count(store, 'metrics')).toBe(2);
    expect(count(store, 'checkpoints')).toBe(2);
    expect(store.metrics.list(otherRun)).toHaveLength(2);
    expect(store.experiments.delete(experimentId)).toBe(false);
    // the corpus is free once its last experiment is gone
    store.experiments.delete(other);
    expect(store.corpora.delete(corpusId)).toBe(true);
  });
});
