/**
 * Every user string the API takes must be well-formed Unicode: a lone surrogate ("x\udc00y") cannot
 * be stored as UTF-8, so SQLite would keep an invalid byte sequence. Each is refused by the string
 * validator with a message naming the field, before the lab sees the request; a surrogate pair
 * (an emoji) is a character like any other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/api/methods.ts';
import { v } from '../../src-main/api/validate.ts';
import { Lab } from '../../src-main/lab/lab.ts';

let lab: Lab;
const call = (method: string, req: unknown) => dispatch(lab, method, req, { emit: () => undefined, shell: 'test' });
const text = new TextEncoder().encode('abcabcabd\n'.repeat(300));

beforeAll(() => {
  lab = Lab.open({ db: ':memory:', workers: 1 });
});

afterAll(async () => {
  await lab.close();
});

describe('lone surrogates in user strings', () => {
  const lone = ['x\udc00y', 'x\ud800', '\udfff', 'a\ud83d\ud83d'];

  it('the string validator refuses each, naming the field and the position', () => {
    for (const s of lone) {
      expect(() => v.string({ max: 100 }).parse(s, 'name'), JSON.stringify(s)).toThrow(/^name: has a lone surrogate \(U\+D[89A-F][0-9A-F]{2}\) at position \d+: it is not valid Unicode text$/);
    }
    expect(() => v.string({ max: 100 }).parse('x\udc00y', 'name')).toThrow('name: has a lone surrogate (U+DC00) at position 1');
    // a pair is one character, and well-formed
    expect(v.string({ max: 100 }).parse('x😀y', 'name')).toBe('x😀y');
    expect(v.array(v.string({ max: 4 }), { max: 3 }).parse(['a', '😀'], 'vocab')).toEqual(['a', '😀']);
  });

  it('refuses field names (record keys) with one as well', () => {
    expect(() => v.record(v.number({ min: 0, max: 1 }), { maxKeys: 5 }).parse({ 'l\udc00ag': 1 }, 'params')).toThrow('params: field names must be valid Unicode text: a lone surrogate (U+DC00) at position 1');
  });

  it('every method with a free string refuses it as bad-request, and nothing is stored', async () => {
    const cases: [method: string, req: Record<string, unknown>, field: string][] = [
      ['importCorpus', { name: 'x\udc00y', bytes: text }, 'name'],
      ['importCorpus', { name: 'ok', bytes: text, source: 'f\ud800.txt' }, 'source'],
      ['importModel', { name: 'x\udc00y', bytes: new Uint8Array(10) }, 'name'],
      ['importModel', { name: 'm', bytes: new Uint8Array(10), vocab: ['a', '\udc00'] }, 'vocab[1]'],
      ['createTaskCorpus', { task: 'recall', params: { '\udc00': 1 } }, 'params'],
      ['generate', { runId: 1, prime: 'RO\udc00MEO', length: 10, temperature: 1, topK: 0, seed: 1, requestId: 'r' }, 'prime'],
      ['generate', { runId: 1, prime: 'a', length: 10, temperature: 1, topK: 0, seed: 1, requestId: 'r\udc00' }, 'requestId'],
      ['inspectCells', { runId: 1, text: 'ab\udc00cd' }, 'text'],
      ['printPdf', { title: 't\udc00' }, 'title'],
    ];
    for (const [method, req, field] of cases) {
      const r = await call(method, req);
      expect(r, `${method} ${field}`).toMatchObject({ ok: false, code: 'bad-request' });
      expect((r as { message: string }).message, `${method} ${field}`).toMatch(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}: .*lone surrogate`));
    }
    expect(lab.listCorpora()).toEqual([]);
    expect(lab.listModels()).toEqual([]);
  });

  it('an experiment name with one is refused before the experiment is made', async () => {
    const { value } = (await call('importCorpus', { name: 'abc', bytes: text })) as { value: { corpus: { id: number } } };
    const spec = { cells: ['gru'], budget: { mode: 'hidden', hidden: 8 }, train: { seqLen: 8, batch: 2, steps: 10 } };
    const r = await call('createExperiment', { corpusId: value.corpus.id, name: 'exp \udc00', spec });
    expect(r).toMatchObject({ ok: false, code: 'bad-request' });
    expect((r as { message: string }).message).toMatch(/^name: has a lone surrogate \(U\+DC00\) at position 4/);
    expect(lab.listExperiments()).toEqual([]);
    // the same name, well-formed, is fine
    expect(await call('createExperiment', { corpusId: value.corpus.id, name: 'exp 😀', spec })).toMatchObject({ ok: true });
  });
});
