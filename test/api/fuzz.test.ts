/**
 * Every LabApi method fed random and boundary values through dispatch, over a Lab on a temporary
 * database: wrong types, NaN, Infinity, -0, huge and negative numbers, empty, huge and lone-surrogate
 * strings, nested objects and lists, missing, extra and "__proto__" fields, and whole requests that
 * are not objects. Every answer must be a success or a named error (never 'internal', never a stack
 * trace in the message), and the database must pass PRAGMA integrity_check afterwards.
 *
 * Seeded (FUZZ_SEED, default below; printed with every failure), so a failure replays. Bounded in
 * time: the corpora and models are tiny, and the methods that start training only ever see the
 * two tiny experiments (a few steps) or ids that do not exist. FUZZ_REPORT=1 prints cases and
 * answers per method.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MethodName, Result } from '../../src-main/api/contract.ts';
import { dispatch } from '../../src-main/api/methods.ts';
import { Lab } from '../../src-main/lab/lab.ts';
import { METHOD_NAMES } from '../../src-shared/methods.ts';
import { Rng } from '../../src-worker/engine/rng.ts';
import { readSafetensors, writeSafetensors } from '../../src-worker/engine/safetensors.ts';
import { repoRoot } from '../helpers.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 13013);
const CASES_PER_METHOD = Number(process.env.FUZZ_CASES ?? 110);

let dir: string;
let lab: Lab;
/** the fixtures every template refers to */
const ids = { corpus: 0, task: 0, trained: 0, fresh: 0, run: 0, freshRun: 0, model: 0 };
/** what the fuzzed calls made, fed back into later requests (never to the methods that start training) */
const made = { corpora: [] as number[], experiments: [] as number[], runs: [] as number[], models: [] as number[] };
let modelBytes: Uint8Array;
/** the same weights as PyTorch saves them (no metadata), imported with the corpus's vocabulary */
let torchBytes: Uint8Array;
let vocab: string[];
const TEXT = 'the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs. '.repeat(40);
const TINY = { cells: ['gru-reset-after'], budget: { mode: 'hidden', hidden: 6 }, train: { seqLen: 8, batch: 2, steps: 3 }, cadence: { evalEvery: 3, evalChars: 200, checkpointEvery: 3, sampleEvery: 0, sampleLength: 20 } };

const deep = (levels: number): unknown => JSON.parse(`${'{"a": '.repeat(levels)}1${'}'.repeat(levels)}`);

/** Values of every kind a caller could send (structured clone carries more than JSON: typed arrays, Date, Map, BigInt). */
function hostileValues(random: () => number): unknown[] {
  const sparse: unknown[] = ['a', 'b', 'c'];
  delete sparse[1];
  const bytes = Uint8Array.from({ length: 512 }, () => Math.floor(random() * 256));
  return [
    undefined, null, true, false,
    0, -0, 1, -1, 2, 3, 1.5, -2.5, 0.1, NaN, Infinity, -Infinity, 1e-300, 5e-324, 2 ** 31, 2 ** 32, 65536, 8192, 1e9, 1e15,
    Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER, 1e308, Number.MAX_VALUE,
    '', ' ', 'x', 'rnn', 'lstm', 'best', 'last', 'csv', 'adam', 'hidden', '1', '-1', 'NaN', 'Infinity', '__proto__', 'constructor', 'toString',
    '\udc00', 'x\udc00y', '\ud83d', '😀', '\u0000', '\u001b[31mred', '=1+1', 'x'.repeat(201), 'y'.repeat(100_001),
    [], [1], [null], ['rnn', 'rnn'], [1, 2, 3], sparse, new Array(1000).fill(1), [[[[]]]],
    {}, { a: 1 }, JSON.parse('{"__proto__": {"polluted": true}}'), Object.create(null), deep(10), deep(5000),
    new Uint8Array(0), bytes, new Float32Array(4), new Date(0), new Map([[1, 2]]), 10n,
  ];
}

/** A valid request of each method over the fixtures (some methods have several kinds). */
function template(m: MethodName, random: () => number): unknown {
  const passage = random() < 0.7 ? { start: 0, length: 40 } : { text: 'the lazy dog' };
  const either = <T>(a: T, b: T): T => (random() < 0.5 ? a : b);
  const one = (fixture: number, list: number[]): number => (list.length > 0 && random() < 0.5 ? list[Math.floor(random() * list.length)] : fixture);
  const corpus = one(ids.corpus, made.corpora);
  const experiment = one(ids.trained, made.experiments);
  const run = one(ids.run, made.runs);
  const model = one(ids.model, made.models);
  switch (m) {
    case 'appInfo': case 'listTasks': case 'listCorpora': case 'listExperiments': case 'listModels': return {};
    case 'getCorpus': case 'deleteCorpus': return { id: corpus };
    case 'importCorpus': return { name: 'fuzzed text', bytes: new TextEncoder().encode(TEXT.slice(0, 3000) + 'z'), keepCrlf: false, source: 'fuzz.txt' };
    case 'createTaskCorpus': return { task: 'recall', params: { length: 3000, seed: 2, lag: 5, symbols: 3 } };
    case 'runExperiment': return { id: ids.trained };
    case 'getExperiment': case 'deleteExperiment': return { id: experiment };
    case 'planExperiment': return { corpusId: corpus, spec: either<object>(structuredClone(TINY), {
      cells: ['lstm', 'rnn'], budget: { mode: 'params', params: 2000 }, train: { seqLen: 8, batch: 2, threads: 1 },
      sweep: { search: 'grid', trials: 4, drawSeed: 1, ranges: [{ name: 'lr', scale: 'log', min: 1e-3, max: 1e-1, points: 2 }, { name: 'optimizer', values: ['adam', 'sgd'] }], halving: { eta: 2, minSteps: 100 } },
    }) };
    case 'createExperiment': return either<object>(
      { corpusId: corpus, name: 'fuzzed', spec: { ...structuredClone(TINY), model: { layers: 1, embedding: 0, dropout: 0 }, seeds: 1 } },
      { corpusId: ids.corpus, spec: { cells: ['gru-reset-after'], initFrom: { modelId: ids.model }, train: { seqLen: 8, batch: 2, steps: 3 }, overrides: { 'gru-reset-after': { train: { optimizer: { name: 'sgd', lr: 0.1 } } } } } },
    );
    case 'resumeRun': case 'duplicateRun': return { id: ids.run };
    case 'pauseRun': case 'cancelRun': return { id: run };
    case 'getRunData': return { id: run, fromStep: 0 };
    case 'compareRuns': return { ids: [run, ids.freshRun] };
    case 'importModel': return either({ name: 'fuzzed model', bytes: modelBytes }, { name: 'from torch', bytes: otherWeights(torchBytes, random), vocab: [...vocab] });
    case 'generate': return { ...either({ modelId: model }, { runId: run, checkpoint: 'best' }), prime: 'the', length: 20, temperature: 0.8, topK: 0, seed: 1, requestId: 'fuzz' };
    case 'exportModel': return { runId: run, checkpoint: 'last', format: 'safetensors' };
    case 'exportMetrics': return { experimentId: experiment, format: 'csv' };
    case 'exportReport': return { experimentId: experiment };
    case 'printPdf': return { title: 'fuzzed' };
    case 'gradientFlow': return { runId: run, checkpoint: 'last', window: 8 };
    case 'inspectCells': return { runId: run, checkpoint: 'last', ...passage };
    case 'characterLosses': return { runIds: [run], checkpoint: 'last', topK: 3, ...passage };
    case 'getBaselines': return { corpusId: corpus };
    case 'sweepReport': return { experimentId: experiment };
    case 'confirmSweep': return { experimentId: experiment, seeds: 3 };
    case 'getExecution': return {};
    // back to this machine, or a Redis that refuses the connection (port 1): the fuzz reaches no Redis
    case 'setExecution': return { redis: null };
    case 'testRedis': return { url: 'redis://127.0.0.1:1', insecure: false };
  }
}

/** Methods that start training see only the tiny experiments and their runs, or ids that do not exist. */
const TRAINING: readonly MethodName[] = ['runExperiment', 'resumeRun', 'duplicateRun'];
/** Run last, so the fixtures stay for the others as long as possible. */
const DELETING: readonly MethodName[] = ['deleteCorpus', 'deleteExperiment'];

type Path = (string | number)[];

/** Every field and list item inside a request, depth first (bytes count as one value). */
function paths(value: unknown, at: Path = []): Path[] {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return [];
  const out: Path[] = [];
  for (const [k, v] of Object.entries(value)) {
    const p = [...at, Array.isArray(value) ? Number(k) : k];
    out.push(p, ...paths(v, p));
  }
  return out;
}

function parentOf(root: unknown, path: Path): Record<string | number, unknown> {
  let o = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  return o;
}

/** A request made from the template: as is, one value replaced or removed, a field added, or something else entirely. */
function mutate(m: MethodName, random: () => number, values: unknown[]): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const base = template(m, random);
  const all = paths(base);
  const kind = random();
  if (kind < 0.06) return base;
  if (kind < 0.12) return pick(values);
  const req = structuredClone(base) as Record<string, unknown>;
  const value = (): unknown => {
    if (TRAINING.includes(m)) return pick([ids.trained, ids.fresh, ids.run, ids.freshRun, 0, -1, 1.5, NaN, 10_000_000 + Math.floor(random() * 1e6), '1', null, [], {}, Infinity, -0]);
    return pick(values);
  };
  if (all.length === 0 || kind < 0.2) {
    const key = pick(['extra', '__proto__', 'constructor', 'id', 'spec', 'name', '']);
    if (key === '__proto__') return Object.assign(JSON.parse('{"__proto__": 1}'), req);
    req[key] = value();
    return req;
  }
  const path = pick(all);
  const parent = parentOf(req, path);
  const last = path[path.length - 1];
  if (kind < 0.3) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (kind < 0.38 && !Array.isArray(parent)) {
    parent[pick(['extra', 'hidden', 'steps', 'x'.repeat(60), '__proto__'])] = value();
  } else if (kind < 0.65 && !TRAINING.includes(m)) {
    // a value of the same kind, which the schema may pass: the handler's own checks meet it
    const kindOf = (x: unknown): string => (Array.isArray(x) ? 'array' : x instanceof Uint8Array ? 'bytes' : typeof x);
    parent[last] = pick(values.filter((x) => kindOf(x) === kindOf(parent[last])).concat([parent[last]]));
  } else {
    parent[last] = value();
  }
  return req;
}

/** A stack trace, or the shape of one, in a message meant for a person. */
const STACK = /\n\s+at |\bat [\w.<>]+ \(|\(?(file:\/\/|node:internal|\/[\w./-]+\.(ts|js|mjs)):\d+/;

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build-node.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'rnn-lab-fuzz-'));
  lab = Lab.open({ db: join(dir, 'lab.db'), workers: 1 });
  ids.corpus = lab.importCorpus(new TextEncoder().encode(TEXT), { name: 'fox' }).corpus.id;
  ids.task = lab.createTaskCorpus('recall', { length: 3000, seed: 1 }).corpus.id;
  const trained = lab.createExperiment({ corpusId: ids.corpus, spec: TINY as never });
  ids.trained = trained.experiment.id;
  ids.run = trained.runs[0].id;
  lab.runExperiment(ids.trained);
  await lab.whenIdle();
  expect(lab.run(ids.run).status).toBe('completed');
  const fresh = lab.createExperiment({ corpusId: ids.task, spec: { ...TINY, cells: ['rnn'] } as never });
  ids.fresh = fresh.experiment.id;
  ids.freshRun = fresh.runs[0].id;
  modelBytes = lab.exportModel(ids.run, 'last');
  const file = readSafetensors(modelBytes);
  torchBytes = writeSafetensors([...file.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data })));
  vocab = lab.corpus(ids.corpus).vocab;
  ids.model = lab.importModel(modelBytes, { name: 'fox gru' }).model.id;
}, 120_000);

afterAll(async () => {
  await lab?.close({ running: 'cancel' });
  rmSync(dir, { recursive: true, force: true });
});

describe('what the fuzz found, each answered with a named error now', () => {
  const call = (m: string, req: unknown): Promise<Result<unknown>> => dispatch(lab, m, req, { emit: () => {} });
  const corpusBytes = (): Uint8Array => new TextEncoder().encode(`${TEXT} nul test`);

  it('a name with a NUL character (SQLite\'s length() ends the text there, so the table\'s check failed: internal)', async () => {
    for (const name of ['\u0000', 'a\u0000b']) {
      const at = name.indexOf('\u0000');
      const refusal = { ok: false, code: 'bad-request', message: `name: has a NUL character (U+0000) at position ${at}, which a name may not` };
      expect(await call('importModel', { name, bytes: otherWeights(torchBytes, () => 0.5), vocab })).toEqual(refusal);
      expect(await call('importCorpus', { name, bytes: corpusBytes() })).toEqual(refusal);
      expect(await call('createExperiment', { corpusId: ids.corpus, name, spec: TINY })).toEqual(refusal);
    }
  });

  it('a list with holes (structured clone keeps them; they skipped the item check)', async () => {
    const holes = (xs: unknown[], at: number): unknown[] => {
      const a = xs.slice();
      delete a[at];
      return a;
    };
    expect(await call('compareRuns', { ids: holes([ids.run, ids.freshRun], 1) })).toEqual({ ok: false, code: 'bad-request', message: 'ids[1]: must be a whole number from 1 to 9007199254740991, got undefined' });
    expect(await call('planExperiment', { corpusId: ids.corpus, spec: { cells: holes(['rnn', 'lstm'], 0) } })).toEqual({ ok: false, code: 'bad-request', message: 'spec.cells[0]: must be one of rnn, lstm, lstm-peephole, gru, gru-reset-after, got undefined' });
    expect(await call('importModel', { name: 'holes', bytes: torchBytes, vocab: holes(vocab, 2) })).toEqual({ ok: false, code: 'bad-request', message: 'vocab[2]: must be a string, got undefined' });
  });
});

describe(`the API fuzzed (FUZZ_SEED=${SEED})`, () => {
  it('answers every request with a success or a named error, and the database stays sound', async () => {
    const rng = new Rng(SEED);
    const random = (): number => rng.uniform();
    const values = hostileValues(random);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const order = [...METHOD_NAMES.filter((m) => !DELETING.includes(m)), ...DELETING];
    const stats = new Map<MethodName, { cases: number; ok: number; codes: Map<string, number> }>();
    const bad: string[] = [];
    try {
      for (const m of order) {
        const s = { cases: 0, ok: 0, codes: new Map<string, number>() };
        stats.set(m, s);
        for (let i = 0; i < CASES_PER_METHOD; i++) {
          const req = mutate(m, random, values);
          const r: Result<unknown> = await dispatch(lab, m, req, { emit: () => {} });
          s.cases++;
          if (r.ok) {
            s.ok++;
            remember(m, r.value);
            continue;
          }
          s.codes.set(r.code, (s.codes.get(r.code) ?? 0) + 1);
          if (r.code === 'internal' || typeof r.message !== 'string' || r.message === '' || STACK.test(r.message)) {
            const cause = logged.mock.calls.at(-1)?.map(String).join(' ') ?? '';
            bad.push(`FUZZ_SEED=${SEED} ${m} case ${i}: ${r.code}: ${r.message.slice(0, 300)}\n  request: ${preview(req)}\n  ${cause.slice(0, 600)}`);
          }
        }
      }
      await lab.whenIdle();
    } finally {
      logged.mockRestore();
    }
    if (process.env.FUZZ_REPORT) {
      for (const [m, s] of stats) console.log(`${m}: ${s.cases} cases, ${s.ok} ok, ${[...s.codes].map(([c, n]) => `${n} ${c}`).join(', ')}`);
    }
    expect(bad, bad.join('\n\n')).toEqual([]);
    expect([...stats.values()].reduce((a, s) => a + s.cases, 0)).toBe(METHOD_NAMES.length * CASES_PER_METHOD);
    // the fuzz reached past validation: some of every method's answers are successes or the lab's own refusals
    for (const [m, s] of stats) expect(s.ok + (s.cases - s.ok - (s.codes.get('bad-request') ?? 0)), m).toBeGreaterThan(0);
    expect(lab.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(lab.store.db.pragma('foreign_key_check')).toEqual([]);
  }, 600_000);
});

/** The same file with one byte of its last weight changed, so that it is another file (another sha256). */
function otherWeights(bytes: Uint8Array, random: () => number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[out.length - 2] = Math.floor(random() * 256);
  return out;
}

/** Keeps the ids a successful call made, for the requests after it. */
function remember(m: MethodName, value: unknown): void {
  const v = value as { corpus?: { id: number }; model?: { id: number }; experiment?: { id: number }; runs?: { id: number }[]; id?: number; existing?: boolean };
  if ((m === 'importCorpus' || m === 'createTaskCorpus') && !v.existing) made.corpora.push(v.corpus!.id);
  if (m === 'importModel' && !v.existing) made.models.push(v.model!.id);
  if (m === 'createExperiment') {
    made.experiments.push(v.experiment!.id);
    made.runs.push(...v.runs!.map((r) => r.id));
  }
}

function preview(v: unknown): string {
  try {
    const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : ArrayBuffer.isView(x) ? `<${x.constructor.name} ${x.byteLength} bytes>` : typeof x === 'string' && x.length > 80 ? `<string of ${x.length}>` : x));
    return s === undefined ? String(v) : s.slice(0, 400);
  } catch {
    return `<${typeof v}: not JSON>`;
  }
}
