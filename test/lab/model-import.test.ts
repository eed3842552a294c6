// Importing hostile model files: every vocabulary and config the engine would later reject is
// refused at import with the engine's own reason, and the database is left exactly as it was.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/api/methods.ts';
import { Lab } from '../../src-main/lab/lab.ts';
import { ModelFileError, saveModel } from '../../src-worker/engine/model-file.ts';
import { Model } from '../../src-worker/engine/model.ts';
import { Rng } from '../../src-worker/engine/rng.ts';
import { readSafetensors, writeSafetensors } from '../../src-worker/engine/safetensors.ts';

const VOCAB = ['a', 'b', 'c', ' ', '\n', 'E'];

let dir: string;
let lab: Lab;
/** a good file of ours, and the same weights as PyTorch writes them (no metadata) */
let ours: Uint8Array;
let torch: Uint8Array;

/** Our file with some of its __metadata__ strings replaced. */
function withMetadata(edit: Record<string, string>): Uint8Array {
  const f = readSafetensors(ours);
  return writeSafetensors([...f.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data })), { ...Object.fromEntries(f.metadata), ...edit });
}

/** Everything the database holds that an import could change, and how many rows this connection has written. */
function snapshot(): unknown {
  const db = lab.store.db;
  return {
    models: db.prepare('SELECT id, name, format, sha256, config, vocab, provenance, length(bytes) AS size FROM models ORDER BY id').all(),
    changes: db.prepare('SELECT total_changes() AS n').get(),
  };
}

function refusal(bytes: Uint8Array, vocab?: string[]): Error {
  const before = snapshot();
  let error: unknown;
  try {
    lab.importModel(bytes, { name: 'hostile', vocab });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ModelFileError);
  expect(snapshot()).toEqual(before);
  return error as Error;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rnn-lab-model-import-'));
  lab = Lab.open({ db: join(dir, 'lab.db'), workers: 1 });
  const model = new Model({ cell: 'lstm', vocabSize: VOCAB.length, hidden: 4 }, 'f32');
  model.init(new Rng(1));
  ours = saveModel(model, { vocab: VOCAB, provenance: { seed: 1 } });
  const f = readSafetensors(ours);
  torch = writeSafetensors([...f.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data })));
});

afterAll(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a model file whose vocabulary the engine would reject is refused at import', () => {
  it('multi-character entries in our metadata', () => {
    const e = refusal(withMetadata({ vocab: JSON.stringify(['ab', 'b', 'c', ' ', '\n', 'E']) }));
    expect(e.message).toBe('vocab entry 0 ("ab") must be one character (one Unicode code point), got 2');
  });

  it('"__proto__" as an entry, in our metadata and beside a PyTorch file', () => {
    const e = refusal(withMetadata({ vocab: JSON.stringify(['__proto__', 'b', 'c', ' ', '\n', 'E']) }));
    expect(e.message).toBe('vocab entry 0 ("__proto__") must be one character (one Unicode code point), got 9');
    expect(refusal(torch, ['a', 'b', '__proto__', ' ', '\n', 'E']).message).toMatch(/^vocab entry 2 \("__proto__"\) must be one character/);
  });

  it('a sparse vocabulary (an object {character: id} with an id given twice leaves a hole)', () => {
    const sparse = ['E', 'b', 'c', ' ', '\n', 'a'];
    delete sparse[1];
    expect(refusal(torch, sparse).message).toBe('vocab entry 1 is missing: every token id needs a character');
    expect(refusal(torch, ['E', null, 'c', ' ', '\n', 'a'] as unknown as string[]).message).toBe('vocab entry 1 must be a string (one character), got null');
  });

  it('entries that are not strings, lone surrogates, duplicates, an object instead of a list', () => {
    expect(refusal(withMetadata({ vocab: '["a", 2, "c", " ", "\\n", "E"]' })).message).toBe('vocab entry 1 must be a string (one character), got 2');
    expect(refusal(withMetadata({ vocab: JSON.stringify(['a', '', 'c', ' ', '\n', 'E']) })).message).toMatch(/^vocab entry 1 \(""\) must be one character .*got 0$/);
    expect(refusal(withMetadata({ vocab: '["a", "\\udc00", "c", " ", "\\n", "E"]' })).message).toBe('vocab entry 1 ("\\udc00") is a lone surrogate, not a character');
    expect(refusal(torch, ['a', 'b', 'a', ' ', '\n', 'E']).message).toBe('vocab entry 2 ("a") appears twice (also entry 0)');
    expect(refusal(withMetadata({ vocab: '{"a": 0, "b": 1}' })).message).toBe('vocab must be an array of strings, one per token id');
  });

  it('a config the engine refuses: an unknown key, "__proto__" among them', () => {
    const config = (text: string): string => refusal(withMetadata({ config: text })).message;
    const good = JSON.parse(readSafetensors(ours).metadata.get('config')!);
    expect(config(JSON.stringify({ ...good, extra: 1 }))).toMatch(/^config in __metadata__ is invalid: model\.extra: unknown setting/);
    expect(config(JSON.stringify(good).replace('{', '{"__proto__": {"hidden": 9},'))).toMatch(/^config in __metadata__ is invalid: model\.__proto__: unknown setting/);
  });

  it('and the good file and vocabulary still import', () => {
    expect(lab.importModel(ours, { name: 'ours' }).model.vocab).toEqual(VOCAB);
    expect(lab.importModel(torch, { name: 'torch', vocab: VOCAB }).model.format).toBe('pytorch');
  });
});

describe('JSON from a model file beyond the limits is refused at import', () => {
  it('a provenance nested 5,000 levels deep (JSON.stringify would overflow the stack storing it)', () => {
    const deep = `${'{"a": '.repeat(5000)}1${'}'.repeat(5000)}`;
    expect(refusal(withMetadata({ provenance: deep })).message).toBe('__metadata__ "provenance" nests deeper than 64 levels');
  });
});

describe('a model stored before these checks', () => {
  it('answers generate with the reason (invalid-model), not an internal error', async () => {
    const sparse = ['E', null, 'c', ' ', '\n', 'a'];
    const id = lab.store.models.insert({ name: 'old', format: 'pytorch', sha256: 'x'.repeat(64), config: { cell: 'lstm', vocabSize: 6, hidden: 4 }, vocab: sparse as string[], provenance: {}, bytes: torch });
    const r = await dispatch(lab, 'generate', { modelId: id, prime: 'a', length: 5, temperature: 1, topK: 0, seed: 1, requestId: 'r' }, { emit: () => {} });
    expect(r).toEqual({ ok: false, code: 'invalid-model', message: 'vocab entry 1 must be a string (one character), got null' });
  });
});
