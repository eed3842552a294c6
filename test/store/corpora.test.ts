import { describe, expect } from 'vitest';
import { StoreError } from '../../src-main/store/database.ts';
import { corpus, it, setup } from './store-helpers.ts';

describe('corpora', () => {
  it('stores and reads back a corpus with and without its text', ({ store }) => {
    const predictable = new Uint8Array([0, 1, 1, 0, 1]);
    const id = store.corpora.insert(corpus({
      name: 'reber', kind: 'task', task: { task: 'reber', length: 5 }, sha256: 'b'.repeat(64), text: 'BTSXE',
      chars: 5, vocab: ['B', 'E', 'S', 'T', 'X'], validFraction: 0.2, predictable, source: null,
    }));
    const full = store.corpora.get(id)!;
    expect(full).toMatchObject({
      id, name: 'reber', kind: 'task', task: { task: 'reber', length: 5 }, text: 'BTSXE', chars: 5,
      vocab: ['B', 'E', 'S', 'T', 'X'], validFraction: 0.2, source: null, createdAt: 1_700_000_000_000,
    });
    expect(Array.from(full.predictable!)).toEqual([0, 1, 1, 0, 1]);

    const meta = store.corpora.getMeta(id)!;
    expect(meta).not.toHaveProperty('text');
    expect(meta).not.toHaveProperty('predictable');
    expect(store.corpora.findBySha('b'.repeat(64))?.id).toBe(id);
    expect(store.corpora.findBySha('c'.repeat(64))).toBeNull();
    expect(store.corpora.get(999)).toBeNull();

    const fileId = store.corpora.insert(corpus());
    expect(store.corpora.get(fileId)).toMatchObject({ validFraction: 0.1, task: null, predictable: null });
    expect(store.corpora.list().map((c) => c.id)).toEqual([id, fileId]);
  });

  it('enforces its constraints', ({ store }) => {
    store.corpora.insert(corpus());
    expect(() => store.corpora.insert(corpus())).toThrow(/UNIQUE/); // same sha256
    expect(() => store.corpora.insert(corpus({ sha256: 'd'.repeat(64), kind: 'zip' as never }))).toThrow(/CHECK/);
    expect(() => store.corpora.insert(corpus({ sha256: 'd'.repeat(64), kind: 'task', task: null }))).toThrow(/CHECK/);
    expect(() => store.corpora.insert(corpus({ sha256: 'd'.repeat(64), validFraction: 1 }))).toThrow(/CHECK/);
  });

  it('refuses to delete a corpus in use, naming the experiments', ({ store }) => {
    const { corpusId } = setup(store);
    store.experiments.insert({ name: 'gru vs lstm', corpusId, spec: {} });
    let caught: unknown;
    try {
      store.corpora.delete(corpusId);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).code).toBe('in-use');
    expect((caught as StoreError).message).toBe(
      "corpus 'tiny' is used by the experiments 'cells', 'gru vs lstm'; delete them first",
    );
    expect(store.corpora.getMeta(corpusId)).not.toBeNull();

    const unused = store.corpora.insert(corpus({ sha256: 'e'.repeat(64) }));
    expect(store.corpora.delete(unused)).toBe(true);
    expect(store.corpora.delete(unused)).toBe(false);
  });

  it('maps the foreign-key error too (an experiment added by another process after the check)', ({ store }) => {
    const { corpusId } = setup(store);
    // Hide the experiment from the first check only, as if it were inserted in between.
    const sql = (store.corpora as unknown as { sql: Record<string, { all: (...a: unknown[]) => unknown[] }> }).sql;
    const real = sql.experimentsUsingCorpus;
    let calls = 0;
    sql.experimentsUsingCorpus = { all: (...a: unknown[]) => (calls++ === 0 ? [] : real.all(...a)) };
    expect(() => store.corpora.delete(corpusId)).toThrow(
      expect.objectContaining({ code: 'in-use', message: expect.stringContaining("'cells'") }),
    );
  });
});
