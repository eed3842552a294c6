/**
 * A corpus of one distinct character (5,000 x "a") can never train: the engine's vocabulary must
 * have at least MIN_VOCAB (src-shared/limits.ts) symbols, since a softmax over one has nothing to
 * predict. It is refused at import with that reason, for files and for generated tasks (both go
 * through prepareCorpus; the task here is a stand-in generator, since no real task's parameters
 * give a single symbol), and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../src-main/api/methods.ts';
import { CorpusError, prepareCorpus } from '../../src-main/lab/corpora.ts';
import { Lab } from '../../src-main/lab/lab.ts';
import { modelConfig } from '../../src-worker/engine/config.ts';
import { MIN_VOCAB } from '../../src-shared/limits.ts';

vi.mock('../../src-main/lab/tasks/index.ts', async (original) => {
  const real = await original<typeof import('../../src-main/lab/tasks/index.ts')>();
  return {
    ...real,
    // recall with these parameters stands for a task whose text came out as one repeated symbol
    generateTask: (task: string, params: Record<string, number>) => (task === 'recall' && params.symbols === 2 && params.lag === 999
      ? { text: 'a'.repeat(5000), predictable: new Uint8Array(5000), longRange: new Uint8Array(5000) }
      : real.generateTask(task as never, params)),
  };
});

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('one distinct character', () => {
  it('MIN_VOCAB is the engine\'s own lower limit', () => {
    expect(MIN_VOCAB).toBe(2);
    expect(() => modelConfig({ vocabSize: MIN_VOCAB - 1 })).toThrow(`vocabSize: must be a whole number from ${MIN_VOCAB} to 65536, got 1`);
    expect(modelConfig({ vocabSize: MIN_VOCAB }).vocabSize).toBe(MIN_VOCAB);
  });

  it('prepareCorpus refuses 5,000 x "a" with the reason; two distinct characters pass', () => {
    let err: unknown;
    try {
      prepareCorpus(enc('a'.repeat(5000)), { name: 'aaaa.txt' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CorpusError);
    expect((err as CorpusError).code).toBe('too-few-symbols');
    expect((err as CorpusError).message).toBe('aaaa.txt: the text has only one distinct character, "a" (U+0061): a model needs at least 2 to have anything to predict');
    // one newline is a second character
    expect(prepareCorpus(enc('a'.repeat(4999) + '\n')).vocab).toEqual(['\n', 'a']);
    // a text a trained model only reads (rnn-lab eval --text) may be one character
    expect(prepareCorpus(enc('a'.repeat(100)), { evaluationOnly: true, minWindow: { seqLen: 1, batch: 1 }, validFraction: 0.5 }).vocab).toEqual(['a']);
    // an astral character is one character too
    expect(() => prepareCorpus(enc('😀'.repeat(3000)))).toThrow(/only one distinct character, "😀" \(U\+1F600\)/);
  });

  describe('through the lab', () => {
    let lab: Lab;
    beforeAll(() => {
      lab = Lab.open({ db: ':memory:', workers: 1 });
    });
    afterAll(async () => {
      await lab.close();
    });
    const call = (method: string, req: unknown) => dispatch(lab, method, req, { emit: () => undefined, shell: 'test' });

    it('a file: invalid-corpus with the reason, and no corpus stored', async () => {
      const r = await call('importCorpus', { name: 'aaaa', bytes: enc('a'.repeat(5000)) });
      expect(r).toEqual({ ok: false, code: 'invalid-corpus', message: 'aaaa: the text has only one distinct character, "a" (U+0061): a model needs at least 2 to have anything to predict' });
      expect(lab.listCorpora()).toEqual([]);
    });

    it('a task whose text is one symbol: the same refusal, and no corpus stored', async () => {
      const r = await call('createTaskCorpus', { task: 'recall', params: { symbols: 2, lag: 999 } });
      expect(r).toMatchObject({ ok: false, code: 'invalid-corpus' });
      expect((r as { message: string }).message).toMatch(/^recall: the text has only one distinct character, "a"/);
      expect(lab.listCorpora()).toEqual([]);
      // the real tasks at their fewest symbols still import
      expect(await call('createTaskCorpus', { task: 'recall', params: { symbols: 2, length: 2000 } })).toMatchObject({ ok: true });
    });
  });
});
