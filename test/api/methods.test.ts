/**
 * The LabApi handlers and dispatch, against a Lab on a temporary database file: validation names
 * the field, unknown keys are refused, every failure maps to its code, internal errors do not leak.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src-worker/engine/config.ts';
import { ModelFileError } from '../../src-worker/engine/model-file.ts';
import type { ApiEvent, Result } from '../../src-main/api/contract.ts';
import { METHOD_NAMES } from '../../src-shared/methods.ts';
import { dispatch, failure, LAB_METHODS } from '../../src-main/api/methods.ts';
import { decodeWire, encodeWire } from '../../src-shared/wire.ts';
import { CorpusError } from '../../src-main/lab/corpora.ts';
import { DEMO_EXPERIMENT_NAME, Lab, LabError } from '../../src-main/lab/lab.ts';
import { StoreError } from '../../src-main/store/errors.ts';
import { repoRoot } from '../helpers.ts';

let dir: string;
let lab: Lab;
/** what handlers emit through the context (streamed generation) */
const events: ApiEvent[] = [];
/** what the lab emits to its listeners (runs, metrics...) */
const labEvents: ApiEvent[] = [];
const ctx = { emit: (e: ApiEvent) => events.push(e), shell: 'test' };
const call = (method: string, req: unknown): Promise<Result<unknown>> => dispatch(lab, method, req, ctx);

async function ok<T = any>(method: string, req: unknown): Promise<T> {
  const r = await call(method, req);
  if (!r.ok) throw new Error(`${method}: ${r.code}: ${r.message}`);
  return r.value as T;
}

async function refused(method: string, req: unknown): Promise<{ code: string; message: string }> {
  const r = await call(method, req);
  if (r.ok) throw new Error(`${method} should have failed`);
  return r;
}

const TINY = {
  cells: ['rnn', 'gru'],
  budget: { mode: 'hidden', hidden: 8 },
  train: { seqLen: 8, batch: 2, steps: 20 },
  cadence: { evalEvery: 10, evalChars: 200, checkpointEvery: 10, sampleEvery: 0 },
};

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build-node.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'rnn-lab-api-'));
  lab = Lab.open({ db: join(dir, 'lab.db'), workers: 2 });
  lab.on((e) => labEvents.push(e));
});

afterAll(async () => {
  await lab?.close({ running: 'cancel' });
  rmSync(dir, { recursive: true, force: true });
});

describe('the method list', () => {
  it('has a schema and a handler for every method of the contract, and nothing else', () => {
    expect(Object.keys(LAB_METHODS).sort()).toEqual([...METHOD_NAMES].sort());
  });

  it('answers an unknown method, even an Object.prototype name, with bad-request', async () => {
    for (const m of ['nope', 'constructor', '__proto__', 'toString']) expect((await refused(m, {})).code).toBe('bad-request');
  });
});

describe('validation', () => {
  it('names the field and the allowed range', async () => {
    const r = await refused('createExperiment', { corpusId: 1, spec: { cells: ['rnn'], train: { seqLen: 0 } } });
    expect(r).toEqual({ ok: false, code: 'bad-request', message: 'spec.train.seqLen: must be a whole number from 1 to 100000, got 0' });
    expect((await refused('getCorpus', { id: 1.5 })).message).toBe('id: must be a whole number from 1 to 9007199254740991, got 1.5');
    expect((await refused('getCorpus', { id: '1' })).message).toMatch(/^id: must be a whole number .* got "1"$/);
    expect((await refused('compareRuns', { ids: [1, -2] })).message).toMatch(/^ids\[1\]: must be a whole number/);
    expect((await refused('createExperiment', { corpusId: 1, spec: { cells: ['rnn', 'transformer'] } })).message).toMatch(/^spec\.cells\[1\]: must be one of rnn, lstm/);
    expect((await refused('createExperiment', { corpusId: 1, spec: { cells: ['rnn'], budget: { mode: 'flops' } } })).message).toMatch(/^spec\.budget\.mode: must be one of hidden, params/);
  });

  it('refuses unknown keys at every level', async () => {
    expect((await refused('getCorpus', { id: 1, extra: true })).message).toBe('extra: unknown field; allowed: id');
    expect((await refused('listCorpora', { x: 1 })).message).toBe('x: unknown field; allowed: none');
    expect((await refused('planExperiment', { corpusId: 1, spec: { cells: ['rnn'], train: { optimizer: { lr: 0.1, momentun: 0.9 } } } })).message)
      .toMatch(/^spec\.train\.optimizer\.momentun: unknown field/);
    expect((await refused('planExperiment', { corpusId: 1, spec: { cells: ['rnn'], overrides: { gru2: {} } } })).message).toMatch(/^spec\.overrides\.gru2: unknown field/);
  });

  it('refuses wrong types and missing fields', async () => {
    expect((await refused('getCorpus', null)).message).toBe('request: must be an object, got null');
    expect((await refused('getCorpus', [1])).message).toBe('request: must be an object, got a list');
    expect((await refused('getCorpus', {})).message).toBe('id: is required');
    expect((await refused('importCorpus', { name: 'x', bytes: 'aGVsbG8=' })).message).toMatch(/^bytes: must be binary data/);
    expect((await refused('importCorpus', { name: 'x'.repeat(201), bytes: new Uint8Array(1) })).message).toMatch(/^name: must have 1 to 200 characters/);
    expect((await refused('generate', { runId: 1, prime: '', length: 10, temperature: Number.NaN, topK: 0, seed: 1, checkpoint: 'last', requestId: 'r' })).message).toMatch(/^temperature: must be a number/);
  });

  it('caps sizes: corpus bytes at 100 MB, lists, strings', async () => {
    const big = new Uint8Array(100 * 1024 * 1024 + 1);
    expect((await refused('importCorpus', { name: 'big', bytes: big })).message).toMatch(/^bytes: may have at most 104857600 bytes/);
    expect((await refused('compareRuns', { ids: Array.from({ length: 101 }, (_, i) => i + 1) })).message).toMatch(/^ids: must have 1 to 100 items/);
    expect((await refused('generate', { runId: 1, prime: 'x'.repeat(10_001), length: 1, temperature: 1, topK: 0, seed: 1, checkpoint: 'last', requestId: 'r' })).message).toMatch(/^prime: may have at most 10000 characters/);
  });
});

describe('handlers', () => {
  let corpusId: number;
  let experimentId: number;
  let runIds: number[];
  let copyId: number;

  it('appInfo and listTasks', async () => {
    const info = await ok('appInfo', {});
    expect(info).toMatchObject({ shell: 'test', workers: 2, database: join(dir, 'lab.db') });
    expect(info.cores).toBeGreaterThan(0);
    expect(await ok('appInfo', undefined)).toEqual(info); // an empty request may be left out
    const tasks = await ok<{ name: string; params: { name: string }[] }[]>('listTasks', {});
    expect(tasks.map((t) => t.name)).toEqual(['reber', 'recall', 'timing', 'dyck']);
    expect(tasks.find((t) => t.name === 'recall')!.params.map((p) => p.name)).toEqual(['lag', 'symbols', 'length', 'seed']);
  });

  it('imports corpora; a second import of the same bytes finds the first', async () => {
    const bytes = new TextEncoder().encode('the quick brown fox jumps over the lazy dog. '.repeat(200));
    const first = await ok('importCorpus', { name: 'fox', bytes, source: 'fox.txt' });
    expect(first.existing).toBe(false);
    expect(first.corpus).toMatchObject({ name: 'fox', kind: 'file', source: 'fox.txt' });
    expect(first.corpus.stats.chars).toBe(9000);
    expect((await ok('importCorpus', { name: 'again', bytes })).existing).toBe(true);
    corpusId = first.corpus.id;
    expect((await ok('getCorpus', { id: corpusId })).stats.vocabSize).toBe(first.corpus.stats.vocabSize);
  });

  it('maps a CorpusError to invalid-corpus and a missing corpus to not-found', async () => {
    expect((await refused('importCorpus', { name: 'bad', bytes: new Uint8Array([0x66, 0xff, 0xfe, 0x66]) })).code).toBe('invalid-corpus');
    expect((await refused('getCorpus', { id: 999 })).code).toBe('not-found');
    expect((await refused('createTaskCorpus', { task: 'reber', params: { length: 0 } })).code).toBe('invalid-config');
    expect((await refused('createTaskCorpus', { task: 'chess', params: {} })).message).toMatch(/^task: must be one of reber, recall, timing, dyck/);
  });

  it('plans an experiment with an estimate, without creating anything', async () => {
    const plan = await ok('planExperiment', { corpusId, spec: TINY });
    expect(plan.runs).toEqual([
      { cell: 'rnn', seed: 1, hidden: 8, params: expect.any(Number), memory: expect.objectContaining({ bytes: expect.any(Number) }) },
      { cell: 'gru', seed: 1, hidden: 8, params: expect.any(Number), memory: expect.objectContaining({ bytes: expect.any(Number) }) },
    ]);
    expect(plan.estimateSeconds).toBeGreaterThan(0);
    expect(plan.estimateSeconds).toBeLessThan(1);
    const longer = await ok('planExperiment', { corpusId, spec: { ...TINY, train: { ...TINY.train, steps: 2000 } } });
    expect(longer.estimateSeconds).toBeGreaterThan(50 * plan.estimateSeconds);
    // wider models run their products faster: 8x the FLOPs per character at H 256 take 1/8 the time per FLOP
    const wide = await ok('planExperiment', { corpusId, spec: { ...TINY, budget: { mode: 'hidden', hidden: 256 } } });
    const narrow = await ok('planExperiment', { corpusId, spec: { ...TINY, budget: { mode: 'hidden', hidden: 32 } } });
    expect(wide.estimateSeconds / narrow.estimateSeconds).toBeLessThan(64 / 4);
    // two runs of two threads take the two workers in turn, each for half its time: the sum of the
    // halves, where one thread each side by side takes as long as the longer run
    const threaded = await ok('planExperiment', { corpusId, spec: { ...TINY, train: { ...TINY.train, threads: 2 } } });
    expect(threaded.estimateSeconds).toBeLessThan(plan.estimateSeconds);
    expect(threaded.estimateSeconds).toBeGreaterThan(plan.estimateSeconds / 2);
    expect(await ok('listExperiments', {})).toEqual([]);
  });

  it('maps engine ConfigErrors to invalid-config, naming the field', async () => {
    const r = await refused('createExperiment', { corpusId, spec: { ...TINY, train: { ...TINY.train, optimizer: { lr: -1 } } } });
    expect(r.code).toBe('invalid-config');
    expect(r.message).toMatch(/lr/);
    expect((await refused('createExperiment', { corpusId, spec: { ...TINY, train: { seqLen: 5000, batch: 4 } } })).code).toBe('invalid-config');
    const wide = await refused('createExperiment', { corpusId, spec: { ...TINY, train: { ...TINY.train, threads: 3 } } });
    expect(wide).toMatchObject({ code: 'invalid-config', message: expect.stringMatching(/threads/) });
  });

  it('creates an experiment and answers its details', async () => {
    const d = await ok('createExperiment', { corpusId, name: 'tiny', spec: TINY });
    expect(d.experiment.name).toBe('tiny');
    expect(d.spec.cells).toEqual(['rnn', 'gru']);
    expect(d.runs.map((r: { status: string }) => r.status)).toEqual(['not-started', 'not-started']);
    experimentId = d.experiment.id;
    runIds = d.runs.map((r: { id: number }) => r.id);
    expect(await ok('getExperiment', { id: experimentId })).toEqual(d);
  });

  it('maps a corpus still in use (StoreError in-use) to bad-state', async () => {
    expect((await refused('deleteCorpus', { id: corpusId })).code).toBe('bad-state');
  });

  it('duplicates a run and compares runs by their config differences', async () => {
    labEvents.length = 0;
    const copy = await ok('duplicateRun', { id: runIds[0] });
    expect(copy).toMatchObject({ experimentId, cell: 'rnn', seed: 1, status: 'not-started', copy: 1, config: (await ok('getRunData', { id: runIds[0] })).run.config });
    expect(copy.id).not.toBe(runIds[0]);
    copyId = copy.id;
    expect(labEvents).toEqual([{ type: 'run', run: copy }]);
    const same = await ok('compareRuns', { ids: [runIds[0], copy.id] });
    expect(same.differences).toEqual([]);
    const cmp = await ok('compareRuns', { ids: [runIds[0], runIds[1]] });
    expect(cmp.differences).toEqual(['model.cell']);
    expect(cmp.runs[0]).toMatchObject({ experimentName: 'tiny', bestValLoss: null, bitsPerChar: null, seconds: 0 });
    expect((await ok('cancelRun', { id: copy.id })).status).toBe('cancelled');
    const r = await refused('resumeRun', { id: copy.id });
    expect(r.code).toBe('bad-state');
    expect((await refused('compareRuns', { ids: [999] })).code).toBe('not-found');
  });

  it('trains, then generates with the text streamed as events carrying the requestId', async () => {
    expect((await ok('runExperiment', { id: experimentId })).queued).toEqual(runIds);
    await lab.whenIdle();
    expect((await ok('getExperiment', { id: experimentId })).runs.map((r: { status: string }) => r.status)).toEqual(['completed', 'completed', 'cancelled']);
    expect((await refused('runExperiment', { id: experimentId })).code).toBe('bad-state');
    const data = await ok('getRunData', { id: runIds[1], fromStep: 15 });
    expect(data.metrics.map((m: { step: number }) => m.step)).toEqual([15, 16, 17, 18, 19, 20]);
    expect(data.evals.map((e: { step: number }) => e.step)).toEqual([20]);
    events.length = 0;
    const { text } = await ok('generate', { runId: runIds[1], prime: 'the ', length: 40, temperature: 0.8, topK: 0, seed: 3, checkpoint: 'last', requestId: 'req-1' });
    expect(text).toHaveLength(40);
    const streamed = events.filter((e): e is Extract<ApiEvent, { type: 'generate' }> => e.type === 'generate');
    expect(streamed.length).toBeGreaterThan(0);
    expect(streamed.every((e) => e.requestId === 'req-1')).toBe(true);
    expect(streamed.map((e) => e.text).join('')).toBe(text);
    expect((await refused('generate', { runId: runIds[1], prime: '#', length: 5, temperature: 1, topK: 0, seed: 1, checkpoint: 'last', requestId: 'r' })).code).toBe('bad-request');
  });

  it('exports a model and metrics as named files', async () => {
    const model = await ok('exportModel', { runId: runIds[1], checkpoint: 'best' });
    expect(model.fileName).toBe(`run ${runIds[1]} gru seed 1 best.safetensors`);
    expect(model.bytes).toBeInstanceOf(Uint8Array);
    const headerLength = Number(new DataView(model.bytes.buffer, model.bytes.byteOffset).getBigUint64(0, true));
    expect(JSON.parse(new TextDecoder().decode(model.bytes.subarray(8, 8 + headerLength)))).toHaveProperty('decoder.weight');
    // a Cho-form GRU has no torch.nn module, so no snippet; an RNN has one, naming the file
    expect(model.snippet).toBeUndefined();
    const rnn = await ok('exportModel', { runId: runIds[0], checkpoint: 'last', format: 'safetensors' });
    expect(rnn.snippet).toContain(`open(${JSON.stringify(rnn.fileName)}, "rb")`);
    expect(rnn.snippet).toContain('torch.nn.RNN(');
    const onnx = await ok('exportModel', { runId: runIds[1], checkpoint: 'best', format: 'onnx-step' });
    expect(onnx.fileName).toBe(`run ${runIds[1]} gru seed 1 best onnx-step.onnx`);
    expect(onnx.bytes).toBeInstanceOf(Uint8Array);
    expect(onnx.snippet).toBeUndefined();
    expect((await ok('exportModel', { runId: runIds[1], checkpoint: 'best', format: 'onnx-whole' })).fileName).toMatch(/ onnx-whole\.onnx$/);
    expect((await refused('exportModel', { runId: runIds[1], checkpoint: 'best', format: 'pt' as never })).code).toBe('bad-request');
    const csv = await ok('exportMetrics', { experimentId, format: 'csv' });
    expect(csv.fileName).toBe('tiny metrics.csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('experiment,run,cell,seed,step,chars_seen,wall_seconds,train_loss,val_loss,bits_per_char,grad_norm,lr');
    expect(lines).toHaveLength(1 + 40);
    const json = JSON.parse((await ok('exportMetrics', { experimentId, format: 'json' })).text);
    expect(json.runs[0].metrics).toHaveLength(20);
    // with the configs: the experiment's spec and each run's resolved model and training config
    expect(json.spec).toMatchObject({ cells: ['rnn', 'gru'], budget: { mode: 'hidden', hidden: 8 } });
    expect(json.runs.map((r: { config: { model: { cell: string; hidden: number }; train: { steps: number } } }) => [r.config.model.cell, r.config.model.hidden, r.config.train.steps])).toEqual([['rnn', 8, 20], ['gru', 8, 20], ['rnn', 8, 20]]);
    expect((await refused('exportModel', { runId: copyId, checkpoint: 'best' })).code).toBe('not-found');
  });

  it('answers the inside-the-cells methods for a trained run, and checks their requests first', async () => {
    const flow = await ok('gradientFlow', { runId: runIds[1], checkpoint: 'best', window: 4 });
    expect(flow).toMatchObject({ runId: runIds[1], cell: 'gru', window: 4, maxLag: 4, c: null });
    const cells = await ok('inspectCells', { runId: runIds[1], length: 10 });
    expect(cells.layers[0].h).toBeInstanceOf(Uint8Array);
    expect(cells.gates.map((g: { name: string }) => g.name)).toEqual(['r', 'z', 'g']);
    const losses = await ok('characterLosses', { runIds, length: 10, topK: 2 });
    expect(losses.runs.map((r: { nll: number[] }) => r.nll.length)).toEqual([9, 9]);
    expect((await ok('getBaselines', { corpusId })).ngram).toHaveLength(5);
    expect((await refused('inspectCells', { runId: runIds[1], length: 1 })).code).toBe('bad-request');
    expect((await refused('characterLosses', { runIds: [] })).code).toBe('bad-request');
    expect((await refused('gradientFlow', { runId: runIds[1], window: 401 })).code).toBe('bad-request');
    expect((await refused('getBaselines', { corpusId: 12345 })).code).toBe('not-found');
  });

  it('keeps a Uint8Array intact through the HTTP wire encoding', () => {
    const bytes = Uint8Array.from({ length: 20000 }, (_, i) => (i * 7) % 256);
    const back = decodeWire(encodeWire({ req: { name: 'x', bytes, nested: [{ b: bytes.subarray(5, 9) }] } })) as any;
    expect(back.req.bytes).toEqual(bytes);
    expect(back.req.nested[0].b).toEqual(Uint8Array.of(35, 42, 49, 56));
    expect(decodeWire('{"$bytes":"aGk=","other":1}')).toEqual({ $bytes: 'aGk=', other: 1 });
    expect(() => decodeWire('{"$bytes":"not base64!"}')).toThrow(SyntaxError);
  });

  it('deletes an experiment and then its corpus', async () => {
    expect(await ok('deleteExperiment', { id: experimentId })).toBeNull();
    expect(await ok('deleteCorpus', { id: corpusId })).toBeNull();
    expect((await refused('getExperiment', { id: experimentId })).code).toBe('not-found');
  });

  it('makes the demo experiment once, on an empty database only', async () => {
    for (const c of await ok<{ id: number }[]>('listCorpora', {})) await ok('deleteCorpus', { id: c.id });
    const id = lab.ensureDemo();
    expect(id).not.toBeNull();
    expect(lab.ensureDemo()).toBeNull();
    const d = await ok('getExperiment', { id });
    expect(d.experiment.name).toBe(DEMO_EXPERIMENT_NAME);
    expect(d.runs.map((r: { cell: string; seed: number; status: string }) => `${r.cell} s${r.seed} ${r.status}`)).toEqual(['rnn', 'lstm', 'gru'].flatMap((c) => [1, 2, 3].map((s) => `${c} s${s} not-started`)));
    expect(d.spec.budget).toEqual({ mode: 'params', params: 3940 });
    const plan = await ok('planExperiment', { corpusId: d.experiment.corpusId, spec: d.spec });
    expect(plan.estimateSeconds).toBeGreaterThan(10);
    expect(plan.estimateSeconds).toBeLessThan(120);
  });
});

describe('error mapping', () => {
  it('maps every expected failure to its code and keeps its message', () => {
    const cases: [unknown, string][] = [
      [new ConfigError('hidden', 'too big'), 'invalid-config'],
      [new CorpusError('invalid-utf8', 'not text'), 'invalid-corpus'],
      [new ModelFileError('truncated'), 'invalid-model'],
      [new LabError('not-found', 'no run 3'), 'not-found'],
      [new LabError('bad-state', 'running'), 'bad-state'],
      [new LabError('bad-input', 'prime'), 'bad-request'],
      [new StoreError('in-use', 'used'), 'bad-state'],
    ];
    for (const [e, code] of cases) expect(failure('m', e)).toEqual({ ok: false, code, message: (e as Error).message });
  });

  it('answers anything else as internal with a generic message, logging the details', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const r = failure('getCorpus', new TypeError('secret detail at /home/someone/x.ts:12'));
      expect(r).toEqual({ ok: false, code: 'internal', message: 'getCorpus failed because of an internal error; the details are in the log' });
      expect(log).toHaveBeenCalledOnce();
      expect(String(log.mock.calls[0][1])).toContain('secret detail');
      const other = failure('x', new StoreError('corrupt', 'damaged'));
      expect(other.ok === false && other.code).toBe('internal');
      // through dispatch: a handler that throws something unexpected
      const broken = { corpus: () => { throw new RangeError('boom'); } } as unknown as Lab;
      const d = await dispatch(broken, 'getCorpus', { id: 1 }, ctx);
      expect(d).toMatchObject({ ok: false, code: 'internal' });
      expect(JSON.stringify(d)).not.toContain('boom');
    } finally {
      log.mockRestore();
    }
  });
});
