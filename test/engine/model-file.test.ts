// Model files: bit-exact round trips for every cell, PyTorch's names and shapes, refusal of files
// that do not match their own config, import of PyTorch-written files, and (where PyTorch is
// installed) the same cross-entropy from torch.nn as from our engine on a saved model.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELL_NAMES, type CellName } from '../../src-worker/engine/cells/index.ts';
import { naiveKernels } from '../../src-worker/engine/kernels.ts';
import { importTorchModel, loadModel, ModelFileError, saveModel } from '../../src-worker/engine/model-file.ts';
import { Model } from '../../src-worker/engine/model.ts';
import { Rng } from '../../src-worker/engine/rng.ts';
import { readSafetensors, writeSafetensors, type TensorData, type TensorToWrite } from '../../src-worker/engine/safetensors.ts';

const VOCAB = ['a', 'b', 'c', ' ', '\n', 'é'];
const V = VOCAB.length;

function makeModel(cell: CellName, layers: number, embedding: number, seed = 3): Model {
  const model = new Model({ cell, vocabSize: V, hidden: 4, layers, embedding }, 'f32');
  const rng = new Rng(seed);
  // every scalar different and non-zero, so a misplaced or transposed value shows
  for (let i = 0; i < model.params.length; i++) model.params[i] = rng.uniformIn(-1, 1);
  return model;
}

function bits(a: Float32Array | Float64Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.byteLength / 4);
}

/** Reads a file, lets `edit` change its tensors and metadata, and writes it again. */
function rewrite(bytes: Uint8Array, edit: (tensors: Map<string, TensorData>, meta: Record<string, string>) => void): Uint8Array {
  const f = readSafetensors(bytes);
  const meta = Object.fromEntries(f.metadata);
  edit(f.tensors, meta);
  const list: TensorToWrite[] = [...f.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
  return writeSafetensors(list, meta);
}

function loadError(bytes: Uint8Array): Error {
  try {
    loadModel(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFileError);
    return e as Error;
  }
  throw new Error('loadModel accepted the file');
}

describe('model files round-trip bit-exactly', () => {
  for (const cell of CELL_NAMES) {
    for (const embedding of [0, 3]) {
      for (const layers of [1, 2]) {
        it(`${cell}, ${embedding ? 'embedding' : 'one-hot'}, ${layers} layer(s)`, () => {
          const model = makeModel(cell, layers, embedding);
          const provenance = { corpusHash: 'sha256:abc', steps: 1200, seed: 3 };
          const loaded = loadModel(saveModel(model, { vocab: VOCAB, provenance }));
          expect(loaded.model.config).toEqual(model.config);
          expect(loaded.model.dtype).toBe('f32');
          expect(loaded.model.size).toBe(model.size);
          expect(bits(loaded.model.params)).toEqual(bits(model.params));
          expect(loaded.vocab).toEqual(VOCAB);
          expect(loaded.provenance).toEqual(provenance);
        });
      }
    }
  }

  it('a model initialised by Model.init round-trips too (LSTM zero hidden-side forget bias)', () => {
    const model = new Model({ cell: 'lstm', vocabSize: V, hidden: 5, layers: 2, embedding: 0 }, 'f32');
    model.init(new Rng(11));
    const loaded = loadModel(saveModel(model, { vocab: VOCAB }));
    expect(bits(loaded.model.params)).toEqual(bits(model.params));
    expect(loaded.provenance).toEqual({});
  });
});

describe('model file layout', () => {
  it('an LSTM has exactly PyTorch state_dict names, shapes and transposed weights', () => {
    const H = 4, G = 4, E = 3;
    const model = makeModel('lstm', 2, E);
    const f = readSafetensors(saveModel(model, { vocab: VOCAB }));
    const shapes = Object.fromEntries([...f.tensors].map(([name, t]) => [name, t.shape]));
    expect(shapes).toEqual({
      'embedding.weight': [V, E],
      'rnn.weight_ih_l0': [G * H, E],
      'rnn.weight_hh_l0': [G * H, H],
      'rnn.bias_ih_l0': [G * H],
      'rnn.bias_hh_l0': [G * H],
      'rnn.weight_ih_l1': [G * H, H],
      'rnn.weight_hh_l1': [G * H, H],
      'rnn.bias_ih_l1': [G * H],
      'rnn.bias_hh_l1': [G * H],
      'decoder.weight': [V, H],
      'decoder.bias': [V],
    });
    for (const t of f.tensors.values()) expect(t.dtype).toBe('F32');
    // PyTorch's weight_ih[g][i] is our Wx[i][g]; decoder.weight[v][h] is our W[h][v]
    const wih = f.tensors.get('rnn.weight_ih_l0')!.data;
    const Wx = model.layers[0].p.Wx;
    for (let g = 0; g < G * H; g++) for (let i = 0; i < E; i++) expect(wih[g * E + i]).toBe(Wx[i * G * H + g]);
    const dec = f.tensors.get('decoder.weight')!.data;
    for (let v = 0; v < V; v++) for (let h = 0; h < H; h++) expect(dec[v * H + h]).toBe(model.Wd[h * V + v]);
    expect(Array.from(f.tensors.get('embedding.weight')!.data)).toEqual(Array.from(model.embedding!));
    expect(Array.from(f.tensors.get('rnn.bias_hh_l1')!.data)).toEqual(Array.from(model.layers[1].p.bh!));

    const meta = Object.fromEntries(f.metadata);
    expect(meta).toMatchObject({ format: 'rnn-lab', format_version: '1', cell: 'lstm', rnn_lab_cell: 'lstm', pytorch_compatible: 'true' });
    expect(JSON.parse(meta.config)).toEqual(model.config);
    expect(JSON.parse(meta.vocab)).toEqual(VOCAB);
    expect(meta.note).toBeUndefined();
  });

  it('one-hot models have no embedding tensor, and weight_ih_l0 has V columns', () => {
    const f = readSafetensors(saveModel(makeModel('gru-reset-after', 1, 0), { vocab: VOCAB }));
    expect(f.tensors.has('embedding.weight')).toBe(false);
    expect(f.tensors.get('rnn.weight_ih_l0')!.shape).toEqual([12, V]);
    expect(f.metadata.get('cell')).toBe('gru');
  });

  it('the peephole LSTM stores its peepholes under their own names and says it is not PyTorch-compatible', () => {
    const model = makeModel('lstm-peephole', 1, 0);
    const f = readSafetensors(saveModel(model, { vocab: VOCAB }));
    const peep = model.layers[0].p.peep!;
    ['i', 'f', 'o'].forEach((gate, row) => {
      const t = f.tensors.get(`peephole.weight_${gate}_l0`)!;
      expect(t.shape).toEqual([4]);
      expect(Array.from(t.data)).toEqual(Array.from(peep.subarray(row * 4, row * 4 + 4)));
    });
    expect(f.tensors.has('rnn.weight_ih_l0')).toBe(true);
    expect(f.metadata.get('cell')).toBe('lstm-peephole');
    expect(f.metadata.get('pytorch_compatible')).toBe('false');
    expect(f.metadata.get('note')).toMatch(/peephole/);
  });

  it('the Cho GRU lives under gru_cho.* with a single bias, so torch.nn cannot mistake it', () => {
    const f = readSafetensors(saveModel(makeModel('gru', 1, 0), { vocab: VOCAB }));
    expect([...f.tensors.keys()].sort()).toEqual(['decoder.bias', 'decoder.weight', 'gru_cho.bias_l0', 'gru_cho.weight_hh_l0', 'gru_cho.weight_ih_l0']);
    expect(f.metadata.get('cell')).toBe('gru');
    expect(f.metadata.get('rnn_lab_cell')).toBe('gru');
    expect(f.metadata.get('pytorch_compatible')).toBe('false');
    expect(f.metadata.get('note')).toMatch(/Cho/);
  });
});

describe('saving refuses what could not be loaded', () => {
  it('a vocabulary of the wrong length or with duplicates', () => {
    const model = makeModel('rnn', 1, 0);
    expect(() => saveModel(model, { vocab: VOCAB.slice(1) })).toThrow(/vocab has 5 entries but the model's vocabSize is 6/);
    expect(() => saveModel(model, { vocab: ['a', 'b', 'a', 'd', 'e', 'f'] })).toThrow(/vocab entry 2 \("a"\) appears twice/);
  });

  it('non-finite weights', () => {
    const model = makeModel('rnn', 1, 0);
    model.bd[2] = NaN;
    expect(() => saveModel(model, { vocab: VOCAB })).toThrow(/cannot save: tensor "decoder.bias" holds a non-finite value \(NaN\) at index 2/);
  });
});

describe('loading refuses files that do not match their own config', () => {
  const good = saveModel(makeModel('lstm', 2, 3), { vocab: VOCAB, provenance: { seed: 3 } });

  it('a missing tensor', () => {
    const bytes = rewrite(good, (t) => t.delete('rnn.weight_hh_l1'));
    expect(loadError(bytes).message).toMatch(/missing tensor "rnn.weight_hh_l1" \(shape \[16, 4\]\) for a lstm \(V=6, H=4, layers=2, embedding 3\) model/);
  });

  it('an unexpected tensor', () => {
    const bytes = rewrite(good, (t) => t.set('rnn.weight_ih_l2', { dtype: 'F32', shape: [1], data: new Float32Array(1) }));
    expect(loadError(bytes).message).toMatch(/unexpected tensor "rnn.weight_ih_l2"/);
  });

  it('a shape mismatch names the tensor, the expected and the actual shape', () => {
    const bytes = rewrite(good, (t) => {
      const w = t.get('rnn.weight_ih_l0')!;
      t.set('rnn.weight_ih_l0', { dtype: 'F32', shape: [3, 16], data: w.data });
    });
    expect(loadError(bytes).message).toMatch(/tensor "rnn.weight_ih_l0" has shape \[3, 16\], expected \[16, 3\]/);
  });

  it('a vocabulary whose length is not vocabSize', () => {
    const bytes = rewrite(good, (_, m) => { m.vocab = JSON.stringify(['a', 'b']); });
    expect(loadError(bytes).message).toMatch(/vocab has 2 entries but the model's vocabSize is 6/);
    const notStrings = rewrite(good, (_, m) => { m.vocab = '[1, 2, 3, 4, 5, 6]'; });
    expect(loadError(notStrings).message).toBe('vocab entry 0 must be a string (one character), got 1');
  });

  it('an invalid config names the field', () => {
    const config = (edit: Record<string, unknown>): Uint8Array =>
      rewrite(good, (_, m) => { m.config = JSON.stringify({ ...JSON.parse(m.config), ...edit }); });
    expect(loadError(config({ hidden: 0 })).message).toMatch(/config in __metadata__ is invalid: hidden: must be a whole number from 1/);
    expect(loadError(config({ layers: 9 })).message).toMatch(/layers: must be a whole number from 1 to 4/);
    expect(loadError(config({ surprise: 1 })).message).toMatch(/model.surprise: unknown setting/);
    expect(loadError(config({ cell: 'gru' })).message).toMatch(/"rnn_lab_cell" is "lstm" but the config's cell is "gru"/);
    expect(loadError(rewrite(good, (_, m) => { m.config = '{"hidden": '; })).message).toMatch(/__metadata__ "config" is not valid JSON/);
    expect(loadError(rewrite(good, (_, m) => { m.config = '[]'; })).message).toMatch(/"config" must be a JSON object/);
  });

  it('metadata JSON nested deeper than the limit names the field', () => {
    const deep = (levels: number): string => `${'{"a": '.repeat(levels)}1${'}'.repeat(levels)}`;
    expect(loadError(rewrite(good, (_, m) => { m.provenance = deep(5000); })).message).toBe('__metadata__ "provenance" nests deeper than 64 levels');
    expect(loadError(rewrite(good, (_, m) => { m.config = deep(65); })).message).toBe('__metadata__ "config" nests deeper than 64 levels');
    expect(loadError(rewrite(good, (_, m) => { m.vocab = `[${'['.repeat(100)}${']'.repeat(100)}]`; })).message).toBe('__metadata__ "vocab" nests deeper than 64 levels');
    // at the limit the file loads
    expect(loadModel(rewrite(good, (_, m) => { m.provenance = deep(64); })).provenance).toHaveProperty('a');
  });

  it('a huge config in a small file fails on the missing tensors before allocating the model', () => {
    const bytes = rewrite(good, (_, m) => {
      m.config = JSON.stringify({ ...JSON.parse(m.config), hidden: 8192, layers: 4, embedding: 8192 });
    });
    expect(loadError(bytes).message).toMatch(/^(missing tensor|tensor "embedding.weight" has shape)/);
  });

  it('non-finite values name the tensor', () => {
    const bytes = rewrite(good, (t) => { t.get('rnn.bias_ih_l1')!.data[5] = Infinity; });
    expect(loadError(bytes).message).toMatch(/tensor "rnn.bias_ih_l1" holds a non-finite value \(Infinity\) at index 5/);
    const f64 = rewrite(good, (t) => {
      const data = Float64Array.from(t.get('decoder.bias')!.data);
      data[0] = 1e300; // finite in the file, infinite as float32
      t.set('decoder.bias', { dtype: 'F64', shape: [V], data });
    });
    expect(loadError(f64).message).toMatch(/tensor "decoder.bias" holds a non-finite value \(Infinity\) at index 0/);
  });

  it('a file that is not ours, or of another format version', () => {
    expect(loadError(rewrite(good, (_, m) => { delete m.format; })).message).toMatch(/not an RNN Lab model file \(no "format" in __metadata__.*importTorchModel/);
    expect(loadError(rewrite(good, (_, m) => { m.format_version = '2'; })).message).toMatch(/unsupported format_version "2"; this version of RNN Lab reads "1"/);
    expect(loadError(rewrite(good, (_, m) => { m.cell = 'gru'; })).message).toMatch(/"cell" is "gru", which does not describe a "lstm" model/);
    expect(loadError(rewrite(good, (_, m) => { m.provenance = '"x"'; })).message).toMatch(/"provenance" must be a JSON object/);
  });

  it('container errors come through as they are', () => {
    expect(loadError(good.subarray(0, 100)).message).toMatch(/runs past the end of the file/);
  });
});

describe('importing files written by PyTorch', () => {
  /** Our model as torch_bench.py --save writes one: no "rnn." prefix, a V x V identity for one-hot input. */
  function torchStyle(model: Model, opts: { identity: boolean; meta: Record<string, string> }): Uint8Array {
    return rewrite(saveModel(model, { vocab: VOCAB }), (t, m) => {
      for (const k of Object.keys(m)) delete m[k];
      Object.assign(m, opts.meta);
      for (const [name, data] of [...t]) {
        if (name.startsWith('rnn.')) {
          t.delete(name);
          t.set(name.slice(4), data);
        }
      }
      if (opts.identity) {
        const eye = new Float32Array(V * V);
        for (let i = 0; i < V; i++) eye[i * V + i] = 1;
        t.set('embedding.weight', { dtype: 'F32', shape: [V, V], data: eye });
      }
    });
  }

  it('a one-hot LSTM with the identity embedding, as torch_bench.py --save writes it', () => {
    const model = makeModel('lstm', 2, 0);
    const bytes = torchStyle(model, { identity: true, meta: { cell: 'lstm', hidden: '4', layers: '2' } });
    const { model: imported, vocab } = importTorchModel(bytes, VOCAB, { source: 'torch_bench' });
    expect(imported.config).toEqual(model.config);
    expect(bits(imported.params)).toEqual(bits(model.params));
    expect(vocab).toEqual(VOCAB);
  });

  it('a GRU with a real embedding and no metadata (cell inferred from the gate count)', () => {
    const model = makeModel('gru-reset-after', 1, 3);
    const { model: imported } = importTorchModel(torchStyle(model, { identity: false, meta: {} }), VOCAB);
    expect(imported.config.cell).toBe('gru-reset-after');
    expect(imported.config.embedding).toBe(3);
    expect(bits(imported.params)).toEqual(bits(model.params));
  });

  it('refuses a vocabulary of the wrong length and a ReLU RNN', () => {
    const model = makeModel('rnn', 1, 0);
    expect(() => importTorchModel(torchStyle(model, { identity: true, meta: {} }), VOCAB.slice(2))).toThrow(/vocab has 4 entries but the model's vocabSize is 6/);
    expect(() => importTorchModel(torchStyle(model, { identity: true, meta: { nonlinearity: 'relu' } }), VOCAB)).toThrow(/nonlinearity "relu" is not supported/);
  });
});

// ---------------------------------------------------------------------------------------------
// Against PyTorch: torch_ref.py loads our file into torch.nn and computes the cross-entropy of a
// text read as one sequence from a zero state; our engine must agree. Weights are float32 in both,
// but the arithmetic differs in order (and ours accumulates in float64), so the two agree to about
// 1e-6 relative; the tolerance is 1e-5 relative.

const SHARED = fileURLToPath(new URL('../../../shared', import.meta.url)); // the repository's ../shared
const TORCH_REF = join(SHARED, 'bench', 'torch_ref.py');
const PYTHON = '/usr/bin/python3';
const torchSkip = ((): string | null => {
  if (!existsSync(TORCH_REF)) return `${TORCH_REF} is missing`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.status !== 0) return `${PYTHON} cannot import torch (${(probe.error?.message ?? probe.stderr).trim().split('\n').pop()})`;
  return null;
})();
if (torchSkip) console.warn(`skipping the PyTorch comparison: ${torchSkip}`);

const TEXT = 'abc cab\nbac é abcé\n'.repeat(12); // 228 chars: three windows of 64 and a partial one
const REL_TOL = 1e-5;

/** Our mean cross-entropy over the text as one sequence, carried in windows of T from a zero state. */
function engineLoss(model: Model, ids: number[], T = 64): number {
  const n = ids.length - 1;
  let total = 0;
  const ws = model.workspace(T, 1);
  let t0 = 0;
  for (; t0 + T <= n; t0 += T) {
    for (let t = 0; t < T; t++) {
      ws.inputs[t] = ids[t0 + t];
      ws.targets[t] = ids[t0 + t + 1];
    }
    model.forward(naiveKernels, ws);
    for (let t = 0; t < T; t++) total += ws.nll[t];
    ws.carryState();
  }
  const rest = n - t0;
  if (rest > 0) {
    const last = model.workspace(rest, 1);
    const H = model.config.hidden;
    ws.layers.forEach((w, l) => {
      last.layers[l].hs.set(w.hs.subarray(0, H));
      if (w.cs) last.layers[l].cs!.set(w.cs.subarray(0, H));
    });
    for (let t = 0; t < rest; t++) {
      last.inputs[t] = ids[t0 + t];
      last.targets[t] = ids[t0 + t + 1];
    }
    model.forward(naiveKernels, last);
    for (let t = 0; t < rest; t++) total += last.nll[t];
  }
  return total / n;
}

/**
 * Runs torch_ref.py once per argument list, as `python3 torch_ref.py ARGS...` would, but inside one
 * Python process: importing torch takes about a second, the runs themselves milliseconds.
 */
const RUN_ALL = [
  'import json, runpy, sys',
  'ref, jobs = sys.argv[1], json.loads(sys.argv[2])',
  'for args in jobs:',
  '    sys.argv = [ref] + args',
  '    runpy.run_path(ref, run_name="__main__")',
  '    sys.stdout.flush()',
].join('\n');

function runTorchRef(jobs: string[][]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, OMP_NUM_THREADS: '1' };
    execFile(PYTHON, ['-c', RUN_ALL, TORCH_REF, JSON.stringify(jobs)], { timeout: 60_000, env }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(stdout.trim().split('\n'));
    });
  });
}

describe.skipIf(torchSkip !== null)('PyTorch (torch_ref.py) computes the same loss on our files', () => {
  const cases: { cell: CellName; embedding: number }[] = [];
  for (const cell of ['rnn', 'lstm', 'gru-reset-after'] as CellName[]) for (const embedding of [0, 5]) cases.push({ cell, embedding });
  const ours = new Map<string, number>();
  const theirs = new Map<string, { loss_nats_per_char: number; predicted_chars: number; cell: string; layers: number }>();
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rnn-lab-torch-'));
    const vocabPath = join(dir, 'vocab.json');
    const textPath = join(dir, 'text.txt');
    writeFileSync(vocabPath, JSON.stringify(VOCAB));
    writeFileSync(textPath, TEXT);
    const ids = [...TEXT].map((c) => VOCAB.indexOf(c));
    const jobs: string[][] = [];
    cases.forEach(({ cell, embedding }, i) => {
      const model = new Model({ cell, vocabSize: V, hidden: 8, layers: 2, embedding }, 'f32');
      model.init(new Rng(100 + i));
      const modelPath = join(dir, `${cell}-${embedding}.safetensors`);
      writeFileSync(modelPath, saveModel(model, { vocab: VOCAB, provenance: { test: true } }));
      ours.set(`${cell}/${embedding}`, engineLoss(model, ids));
      jobs.push([modelPath, vocabPath, textPath, '--json']);
    });
    const lines = await runTorchRef(jobs);
    expect(lines).toHaveLength(cases.length);
    cases.forEach(({ cell, embedding }, i) => theirs.set(`${cell}/${embedding}`, JSON.parse(lines[i])));
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const { cell, embedding } of cases) {
    it(`${cell}, ${embedding ? 'embedding' : 'one-hot'}, 2 layers`, () => {
      const key = `${cell}/${embedding}`;
      const ref = theirs.get(key)!;
      const loss = ours.get(key)!;
      expect(ref.predicted_chars).toBe([...TEXT].length - 1);
      expect(ref.layers).toBe(2);
      expect(ref.cell).toBe(cell === 'gru-reset-after' ? 'gru' : cell);
      expect(Math.abs(loss - ref.loss_nats_per_char) / ref.loss_nats_per_char).toBeLessThan(REL_TOL);
    });
  }
});
