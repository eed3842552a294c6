/** What a run writes as it trains: metrics, evals, samples and checkpoints. */
import { describe, expect, vi } from 'vitest';
import { count, it, metric, setup } from './store-helpers.ts';

describe('metrics, evals, samples and checkpoints', () => {
  it('writes 10,000 metric rows in one transaction', ({ store }) => {
    const { runIds: [id] } = setup(store, 1);
    const rows = Array.from({ length: 10_000 }, (_, i) => metric(i + 1));
    const transactions = vi.spyOn(store.db, 'transaction');
    const t0 = performance.now();
    store.metrics.insert(id, rows);
    const ms = performance.now() - t0;
    expect(transactions).toHaveBeenCalledTimes(1);
    transactions.mockRestore();
    expect(ms).toBeLessThan(5000);
    const back = store.metrics.list(id);
    expect(back).toHaveLength(10_000);
    expect(back[0]).toEqual(metric(1));
    expect(back[9_999]).toEqual(metric(10_000));
    expect(store.metrics.list(id, { fromStep: 9_990 }).map((m) => m.step)).toEqual(
      Array.from({ length: 11 }, (_, i) => 9_990 + i),
    );

    // one transaction: a bad last row leaves none of the batch behind
    const bad = Array.from({ length: 10_000 }, (_, i) => metric(20_001 + i));
    bad[9_999] = { ...bad[9_999], charsSeen: null as unknown as number };
    expect(() => store.metrics.insert(id, bad)).toThrow(/NOT NULL/);
    expect(store.metrics.list(id, { fromStep: 20_001 })).toEqual([]);
  });

  it('replaces a metric row at the same step and keeps NaN losses', ({ store }) => {
    const { runIds: [id] } = setup(store, 1);
    store.metrics.insert(id, [metric(1)]);
    store.metrics.insert(id, [{ ...metric(1), trainLoss: NaN, gradNorm: Infinity }]);
    const [row] = store.metrics.list(id);
    expect(row.trainLoss).toBeNaN();
    expect(row.gradNorm).toBe(Infinity);
  });

  it('stores evals and samples in step order', ({ store }) => {
    const { runIds: [id] } = setup(store, 1);
    store.evals.insert(id, { step: 20, valLoss: 2, bitsPerChar: 2.885, accuracy: 0.4, predictableAccuracy: 0.9, longRangeAccuracy: 0.75, chars: 500 });
    store.evals.insert(id, { step: 10, valLoss: 3, bitsPerChar: 4.328, accuracy: 0.3, chars: 500 });
    expect(store.evals.list(id).map((e) => e.step)).toEqual([10, 20]);
    expect(store.evals.list(id)[1]).toEqual({ step: 20, valLoss: 2, bitsPerChar: 2.885, accuracy: 0.4, predictableAccuracy: 0.9, longRangeAccuracy: 0.75, chars: 500 });
    // text corpora have no task accuracies
    expect(store.evals.list(id)[0]).toMatchObject({ predictableAccuracy: null, longRangeAccuracy: null });
    const s = store.samples.insert(id, { step: 10, prime: 'T', temperature: 0.5, text: 'The' });
    expect(store.samples.list(id)).toEqual([
      { id: s, runId: id, step: 10, prime: 'T', temperature: 0.5, text: 'The', createdAt: expect.any(Number) },
    ]);
  });


  it('keeps one last and one best checkpoint per run, replaced in place', ({ store }) => {
    const { runIds: [id] } = setup(store, 1);
    expect(store.checkpoints.get(id, 'last')).toBeNull();
    store.checkpoints.put(id, 'last', 10, null, new Uint8Array([1, 2, 3]));
    const big = new Uint8Array(1 << 20).map((_, i) => i & 0xff);
    store.checkpoints.put(id, 'last', 20, 2.5, big.subarray(16)); // a view with an offset
    store.checkpoints.put(id, 'best', 15, 2.4, new Uint8Array([9]));
    expect(count(store, 'checkpoints')).toBe(2);
    const last = store.checkpoints.get(id, 'last')!;
    expect(last.step).toBe(20);
    expect(last.valLoss).toBe(2.5);
    expect(last.state.byteLength).toBe(big.byteLength - 16);
    expect(last.state[0]).toBe(16);
    // the returned bytes own their buffer, so it can be transferred to a worker as is
    expect(last.state.byteOffset).toBe(0);
    expect(last.state.buffer.byteLength).toBe(last.state.byteLength);
    expect(store.checkpoints.get(id, 'best')).toMatchObject({ step: 15, valLoss: 2.4, state: new Uint8Array([9]) });
  });
});
