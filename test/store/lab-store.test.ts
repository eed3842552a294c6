/** What spans tables: forgetting a run's history after a step, and transactions. */
import { describe, expect } from 'vitest';
import { it, metric, setup } from './store-helpers.ts';

describe('metrics, evals and samples after a step', () => {
  it('forgets metrics, evals and samples after a resumed step', ({ store }) => {
    const { runIds: [id, other] } = setup(store, 2);
    for (const r of [id, other]) {
      store.metrics.insert(r, [1, 2, 3, 4].map(metric));
      for (const step of [2, 4]) {
        store.evals.insert(r, { step, valLoss: 1, bitsPerChar: 1, accuracy: 1, chars: 1 });
        store.samples.insert(r, { step, prime: '', temperature: 1, text: 'x' });
      }
    }
    store.deleteHistoryAfter(id, 2);
    expect(store.metrics.list(id).map((m) => m.step)).toEqual([1, 2]);
    expect(store.evals.list(id).map((e) => e.step)).toEqual([2]);
    expect(store.samples.list(id).map((s) => s.step)).toEqual([2]);
    expect(store.metrics.list(other)).toHaveLength(4);
  });
});

describe('transaction', () => {
  it('commits several writes together or none of them', ({ store }) => {
    const { runIds: [id] } = setup(store, 1);
    expect(() =>
      store.transaction(() => {
        store.metrics.insert(id, [metric(1)]); // nested: a savepoint
        store.runs.update(id, { step: 1 });
        throw new Error('stop');
      }),
    ).toThrow('stop');
    expect(store.metrics.list(id)).toEqual([]);
    expect(store.runs.get(id)!.step).toBe(0);

    expect(store.transaction(() => {
      store.metrics.insert(id, [metric(1)]);
      store.runs.update(id, { step: 1 });
      return 'done';
    })).toBe('done');
    expect(store.runs.get(id)!.step).toBe(1);
  });
});
