/**
 * End-to-end tests of the rnn-lab command: the built CLI (bin/rnn-lab.mjs -> out/node/cli.mjs) and
 * the built train/model workers, run as child processes against a real SQLite file. Every test has
 * its own temporary directory and --db. Configs are tiny so the file runs in seconds; the crash,
 * Ctrl-C and pause tests use runs of a few hundred steps so there is time to interrupt them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.ts';

const BIN = resolve(repoRoot, 'bin/rnn-lab.mjs');

// ---- texts, made here from a fixed seed ----

/** xorshift32: the same texts on every machine */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

function wordsText(words: readonly string[], lines: number, perLine: number, seed: number, end = ''): string {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(Array.from({ length: perLine }, () => words[Math.floor(r() * words.length)]).join(' ') + end);
  return out.join('\n') + '\n';
}

const EN_WORDS = 'the quick brown fox jumps over a lazy dog while seven wizards hex many jolly boxers'.split(' ');
/** about 2 KB of English-looking text */
const EN = wordsText(EN_WORDS, 40, 10, 7);
/** other text with the same characters, for eval */
const EN_EVAL = wordsText(EN_WORDS, 10, 10, 99);
const KO = wordsText(['안녕하세요', '오늘은', '날씨가', '좋습니다', '우리는', '한국어를', '공부합니다', '학교에', '갑니다', '고맙습니다', '그리고'], 40, 6, 3, '.');
/** emoji outside the BMP (two UTF-16 units each, one character) among a few letters */
const EMOJI_TOKENS = ['😀', '🐱', '🚀', '🌍', '🎉', '🍕', 'a', 'b', ' '];
const EMOJI = (() => {
  const r = rng(5);
  let s = '';
  for (let line = 0; line < 40; line++) {
    for (let k = 0; k < 20; k++) s += EMOJI_TOKENS[Math.floor(r() * EMOJI_TOKENS.length)];
    s += '\n';
  }
  return s;
})();

/** characters as the lab counts them: code points */
const chars = (s: string): string[] => [...s];

// ---- running the command ----

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Started {
  child: ChildProcess;
  done: Promise<Result>;
  readonly stdout: string;
  readonly stderr: string;
}

const env = { ...process.env };
delete env.RNN_LAB_DB;

function start(args: string[], cwd: string): Started {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Result>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr }));
  });
  return { child, done, get stdout() { return stdout; }, get stderr() { return stderr; } };
}

const dirs: string[] = [];

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON from the command */
type Json = any;

/** A temporary directory with its own database, and the command run against it. */
function sandbox(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `rnn-lab-cli-${name}-`));
  dirs.push(dir);
  const db = join(dir, 'lab.db');
  const withDb = (args: (string | number)[]): string[] => [...args.map(String), '--db', db];
  const cli = (...args: (string | number)[]): Promise<Result> => start(withDb(args), dir).done;
  const ok = async (...args: (string | number)[]): Promise<Result> => {
    const r = await cli(...args);
    expect(r.code, `rnn-lab ${args.join(' ')} exited ${r.code}:\n${r.stderr}`).toBe(0);
    return r;
  };
  return {
    dir,
    db,
    file(fileName: string, content: string | Uint8Array): string {
      const p = join(dir, fileName);
      writeFileSync(p, content);
      return p;
    },
    cli,
    ok,
    /** runs with --json, expects exit 0 and one JSON document on stdout */
    async json(...args: (string | number)[]): Promise<Json> {
      const r = await ok(...args, '--json');
      return JSON.parse(r.stdout);
    },
    /** expects a refusal: non-zero exit, one clear line on stderr (no stack trace) and nothing on stdout */
    async fails(args: (string | number)[], message: RegExp, code?: number): Promise<Result> {
      const r = await cli(...args);
      expect(r.code, `rnn-lab ${args.join(' ')} should fail; stdout: ${r.stdout}`).not.toBe(0);
      if (code !== undefined) expect(r.code).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/^rnn-lab/);
      expect(r.stderr, 'a stack trace instead of a message').not.toMatch(/^\s+at /m);
      expect(r.stdout).toBe('');
      return r;
    },
    spawn: (...args: (string | number)[]): Started => start(withDb(args), dir),
    /** reads the database directly (read-only), as another process would */
    read<T>(fn: (db: Database.Database) => T): T {
      const conn = new Database(db, { readonly: true, fileMustExist: true });
      try {
        return fn(conn);
      } finally {
        conn.close();
      }
    },
  };
}
type Sandbox = ReturnType<typeof sandbox>;

async function waitFor(what: string, cond: () => boolean, timeoutMs: number, everyMs = 25): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (cond()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits for a child and fails the test (killing it) if it runs too long. */
async function within(started: Started, ms: number): Promise<Result> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => {
      started.child.kill('SIGKILL');
      rej(new Error(`still running after ${ms} ms; stderr:\n${started.stderr}`));
    }, ms);
  });
  try {
    return await Promise.race([started.done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const TINY = ['--hidden', 12, '--seq', 8, '--batch', 4, '--steps', 30, '--eval-every', 10, '--checkpoint-every', 10];

async function englishCorpus(s: Sandbox): Promise<number> {
  return (await s.json('corpus', 'import', s.file('en.txt', EN))).id;
}

const runStatuses = (s: Sandbox): { id: number; status: string; step: number }[] =>
  s.read((db) => db.prepare('SELECT id, status, step FROM runs ORDER BY id').all() as { id: number; status: string; step: number }[]);

const integrity = (s: Sandbox): unknown => s.read((db) => db.pragma('integrity_check', { simple: true }));

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('rnn-lab corpus', () => {
  it('imports a file once, lists and shows it, and keeps it while an experiment uses it', async () => {
    const s = sandbox('corpus');
    const file = s.file('en.txt', EN);
    const first = await s.json('corpus', 'import', file);
    expect(first).toMatchObject({ existing: false, corpus: { name: 'en', kind: 'file', source: 'en.txt', chars: EN.length } });
    const again = await s.json('corpus', 'import', file, '--name', 'other name');
    expect(again).toMatchObject({ id: first.id, existing: true });
    // same content with a BOM and CRLF line ends is the same corpus
    const crlf = s.file('en-crlf.txt', '\uFEFF' + EN.replaceAll('\n', '\r\n'));
    expect(await s.json('corpus', 'import', crlf)).toMatchObject({ id: first.id, existing: true });

    const list = await s.json('corpus', 'list');
    expect(list.corpora.map((c: Json) => [c.id, c.name, c.chars])).toEqual([[first.id, 'en', EN.length]]);
    const shown = await s.json('corpus', 'show', first.id);
    const vocab = [...new Set(chars(EN))].sort();
    expect(shown.corpus.vocab).toEqual(vocab);
    expect(shown.corpus.stats).toMatchObject({ chars: EN.length, vocabSize: vocab.length, lines: 40, trainChars: EN.length - Math.round(EN.length * 0.1) });
    // the text output says the same
    expect((await s.ok('corpus', 'show', first.id)).stdout).toContain(`${EN.length} characters, ${vocab.length} distinct`);

    const exp = await s.json('experiment', 'create', '--corpus', first.id, '--cells', 'rnn', ...TINY, '--name', 'keeps it');
    await s.fails(['corpus', 'rm', first.id], /corpus 'en' is used by the experiment 'keeps it'; delete it first/, 1);
    expect((await s.json('corpus', 'list')).corpora).toHaveLength(1);
    await s.ok('experiment', 'rm', exp.id);
    expect(await s.json('corpus', 'rm', first.id)).toEqual({ deleted: first.id });
    expect((await s.json('corpus', 'list')).corpora).toEqual([]);
    await s.fails(['corpus', 'rm', first.id], new RegExp(`no corpus ${first.id}`), 1);
  });

  it('refuses bad files with a clear message and writes nothing', async () => {
    const s = sandbox('bad');
    const enc = (t: string): Uint8Array => new TextEncoder().encode(t);
    const cat = (...parts: (Uint8Array | number[])[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
    const cases: { name: string; bytes?: Uint8Array; args?: string[]; message: RegExp }[] = [
      { name: 'empty.txt', bytes: new Uint8Array(0), message: /corpus import: empty: the file is empty/ },
      { name: 'bom.txt', bytes: Uint8Array.of(0xef, 0xbb, 0xbf), message: /only a byte order mark/ },
      { name: 'binary.bin', bytes: cat(enc('hello'), [0, 1, 2, 0xff], enc(EN)), message: /NUL byte at byte 5: it looks like a binary file/ },
      // 0xFF never occurs in UTF-8; it is the 7th byte, on line 2
      { name: 'latin1.txt', bytes: cat(enc('abc\nde'), [0xff], enc(EN)), message: /invalid UTF-8 at byte 6 \(line 2\): byte 0xFF never occurs in UTF-8/ },
      // "é" cut short: 0xC3 followed by an ASCII letter
      { name: 'cut.txt', bytes: cat(enc(EN.slice(0, 100)), [0xc3], enc('a' + EN)), message: /invalid UTF-8 at byte 100 \(line \d+\): .*0xC3.*cut short/ },
      // an encoded surrogate (CESU-8 style), after a Korean syllable of 3 bytes
      { name: 'surrogate.txt', bytes: cat(enc('한'), [0xed, 0xa0, 0x80], enc(EN)), message: /invalid UTF-8 at byte 3 .*surrogate/ },
      { name: 'utf16.txt', bytes: cat([0xff, 0xfe], enc('h\0i\0')), message: /UTF-16/ },
      { name: 'big.txt', bytes: enc(EN), args: ['--max-mb', '0.001'], message: /over the limit of 1 KB/ },
      { name: 'short.txt', bytes: enc('hello world\n'), message: /the text has 12 characters; it needs at least \d+/ },
      { name: 'missing.txt', message: /cannot read corpus file .*missing\.txt: ENOENT/ },
    ];
    for (const c of cases) {
      const path = c.bytes ? s.file(c.name, c.bytes) : join(s.dir, c.name);
      await s.fails(['corpus', 'import', path, ...(c.args ?? [])], c.message, 1);
    }
    await s.fails(['corpus', 'import', s.file('ok.txt', EN), '--max-mb', '0'], /--max-mb must be a size of at least one byte/, 1);
    await s.fails(['corpus', 'import', s.file('ok2.txt', EN), '--max-mb', 'lots'], /--max-mb must be a number/, 1);
    expect((await s.json('corpus', 'list')).corpora).toEqual([]);
  });

  it('counts Korean and emoji in characters and trains and generates from them', async () => {
    const s = sandbox('unicode');
    for (const [name, text] of [['ko', KO], ['emoji', EMOJI]] as const) {
      const { id, corpus } = await s.json('corpus', 'import', s.file(`${name}.txt`, text));
      const vocab = [...new Set(chars(text))];
      expect(corpus.chars).toBe(chars(text).length);
      expect(corpus.vocab).toHaveLength(vocab.length);
      expect(new Set(corpus.vocab)).toEqual(new Set(vocab));
      if (name === 'emoji') {
        expect(corpus.chars).toBe(40 * 21);
        expect(corpus.chars).toBeLessThan(text.length); // UTF-16 units count emoji twice
        for (const e of EMOJI_TOKENS.filter((t) => t.length === 2)) expect(corpus.vocab).toContain(e);
      } else {
        expect(corpus.vocab).toContain('한');
      }
      const exp = await s.json('experiment', 'create', '--corpus', id, '--cells', 'gru', ...TINY);
      const trained = await s.json('experiment', 'run', exp.id);
      expect(trained.runs.map((r: Json) => [r.status, r.step])).toEqual([['completed', 30]]);
      const runId = trained.runs[0].id;
      const out = await s.json('generate', runId, '--length', 80, '--seed', 3);
      expect(out.prime).toBe('\n');
      const generated = chars(out.text);
      expect(generated).toHaveLength(80);
      for (const c of generated) expect(corpus.vocab).toContain(c);
      // a prime outside the vocabulary is refused
      await s.fails(['generate', runId, '--prime', 'Z'], /the prime has "Z", which is not in this model's vocabulary/, 1);
    }
  });

  it('creates task corpora from their parameters and refuses bad ones', async () => {
    const s = sandbox('tasks');
    const made: [string, (string | number)[], Record<string, number>][] = [
      ['reber', ['--length', 2000, '--seed', 3], { length: 2000, seed: 3 }],
      ['recall', ['--length', 3000, '--lag', 5, '--symbols', 3], { length: 3000, seed: 1, lag: 5, symbols: 3 }],
      ['timing', ['--length', 2500, '--period', 7, '--symbols', 2], { length: 2500, seed: 1, period: 7, symbols: 2 }],
      ['dyck', ['--length', 2000, '--depth', 4, '--seed', 9], { length: 2000, seed: 9, depth: 4 }],
    ];
    const ids: number[] = [];
    for (const [task, args, params] of made) {
      const r = await s.json('corpus', 'task', task, ...args);
      expect(r.existing).toBe(false);
      expect(r.corpus).toMatchObject({ kind: 'task', chars: params.length, task: { name: task, params } });
      ids.push(r.id);
    }
    expect(new Set(ids).size).toBe(4);
    // same task, same parameters: the same corpus
    expect(await s.json('corpus', 'task', 'reber', '--seed', 3, '--length', 2000)).toMatchObject({ id: ids[0], existing: true });
    // another seed: another text
    expect((await s.json('corpus', 'task', 'reber', '--seed', 4, '--length', 2000)).existing).toBe(false);

    await s.fails(['corpus', 'task', 'recall', '--lag', 1], /recall\.lag: must be a whole number from 2 to 1000 .*got 1/, 1);
    await s.fails(['corpus', 'task', 'timing', '--period', 2.5], /timing\.period: must be a whole number .*got 2\.5/, 1);
    await s.fails(['corpus', 'task', 'dyck', '--depth', 0], /dyck\.depth: must be a whole number from 1/, 1);
    await s.fails(['corpus', 'task', 'reber', '--lag', 5], /reber\.lag: unknown parameter; task reber takes: length, seed/, 1);
    await s.fails(['corpus', 'task', 'reber', '--length', 'many'], /--length must be a number, got "many"/, 1);
    await s.fails(['corpus', 'task', 'sudoku'], /unknown task "sudoku"; allowed: reber, recall, timing, dyck/, 1);
    expect((await s.json('corpus', 'list')).corpora).toHaveLength(5);
  });
});

describe('rnn-lab experiment', () => {
  const ALL = 'rnn,lstm,lstm-peephole,gru,gru-reset-after';

  it('sizes every cell to the parameter budget and names the field of a bad value', async () => {
    const s = sandbox('create');
    const corpus = await englishCorpus(s);
    for (const budget of [4000, 12000]) {
      const r = await s.json('experiment', 'create', '--corpus', corpus, '--cells', ALL, '--params', budget, '--seq', 8, '--batch', 4, '--steps', 10);
      expect(r.runs.map((x: Json) => x.cell)).toEqual(ALL.split(','));
      for (const run of r.runs) {
        expect(Math.abs(run.params - budget) / budget, `${run.cell}: ${run.params}`).toBeLessThanOrEqual(0.02);
        expect(run.status).toBe('queued');
      }
      // the cells got different hidden sizes to land on the same budget
      expect(new Set(r.runs.map((x: Json) => x.config.model.hidden)).size).toBeGreaterThan(1);
    }
    const base = ['experiment', 'create', '--corpus', corpus];
    await s.fails([...base, '--cells', 'foo'], /cells: unknown cell "foo"; allowed: rnn, lstm/, 1);
    await s.fails([...base, '--cells', 'lstm,lstm'], /cells: each cell may appear once/, 1);
    await s.fails([...base, '--hidden', 0], /--hidden must be a whole number >= 1, got "0"/, 1);
    await s.fails([...base, '--lr', 'nan'], /--lr must be a number, got "nan"/, 1);
    await s.fails([...base, '--lr', '0'], /optimizer\.lr: must be a finite number in \(0, 10\]/, 1);
    await s.fails([...base, '--steps', 0], /steps: must be a whole number from 1/, 1);
    await s.fails([...base, '--seq', 2000], /seqLen: the training part of "en" has \d+ characters/, 1);
    await s.fails([...base, '--hidden', 8, '--params', 4000], /give --hidden .* or --params .*not both/, 1);
    await s.fails([...base, '--params', 10], /params: no hidden size gives rnn within 2% of 10 parameters/, 1);
    await s.fails([...base, '--optimizer', 'lbfgs'], /optimizer\.name: unknown optimizer "lbfgs"/, 1);
    await s.fails(['experiment', 'create', '--corpus', 42, '--cells', 'rnn'], /no corpus 42/, 1);
    expect((await s.json('experiment', 'list')).experiments).toHaveLength(2);
  });

  it('trains all five cells, then evaluates, generates and exports models and metrics', async () => {
    const s = sandbox('full');
    const corpus = await englishCorpus(s);
    const evalFile = s.file('eval.txt', EN_EVAL);
    const exp = await s.json('experiment', 'create', '--corpus', corpus, '--cells', ALL, ...TINY, '--sample-every', 15, '--name', 'all five');
    const { runs } = await s.json('experiment', 'run', exp.id);
    expect(runs.map((r: Json) => [r.cell, r.status, r.step, r.error])).toEqual(ALL.split(',').map((c) => [c, 'completed', 30, null]));
    for (const r of runs) expect(r.bestValLoss).toBeGreaterThan(0);
    // nothing left to run
    await s.fails(['experiment', 'run', exp.id], /has no run left to train/, 1);

    const lstm = runs.find((r: Json) => r.cell === 'lstm');
    const shown = await s.json('run', 'show', lstm.id);
    expect(shown.run).toMatchObject({ id: lstm.id, status: 'completed', step: 30, steps: 30, ownerPid: null, control: null });
    expect(shown.evals.map((e: Json) => e.step)).toEqual([10, 20, 30]);
    expect(shown.samples.map((x: Json) => x.step)).toEqual([15, 30]);
    expect(shown.run.bestValLoss).toBe(Math.min(...shown.evals.map((e: Json) => e.valLoss)));

    const ev = await s.json('eval', lstm.id, '--text', evalFile);
    expect(Object.keys(ev).sort()).toEqual(['accuracy', 'bits_per_char', 'chars', 'loss', 'perplexity']);
    expect(ev.loss).toBeGreaterThan(0);
    expect(ev.loss).toBeLessThan(Math.log(28) + 1);
    expect(ev.bits_per_char).toBeCloseTo(ev.loss / Math.LN2, 10);
    expect(ev.perplexity).toBeCloseTo(Math.exp(ev.loss), 8);
    expect(ev.chars).toBe(EN_EVAL.length - 1); // every character but the first is predicted
    // evaluating is deterministic
    expect(await s.json('eval', lstm.id, '--text', evalFile)).toEqual(ev);

    // inside the cells: the gradient flow over the run's window, and the baselines to beat
    const flow = await s.json('diagnose', 'gradient-flow', lstm.id, '--window', 6);
    expect(flow).toMatchObject({ runId: lstm.id, cell: 'lstm', checkpoint: 'last', step: 30, window: 6, maxLag: 6 });
    expect(flow.h[0]).toHaveLength(7);
    const flowText = await s.ok('diagnose', 'gradient-flow', lstm.id, '--window', 6);
    const lags = flowText.stdout.split('\n').filter((l: string) => /^\s+\d+\s/.test(l));
    expect(lags.map((l: string) => Number(l.trim().split(/\s+/)[0]))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Number(lags[6].trim().split(/\s+/)[1])).toBeCloseTo(flow.h[0][6], 3);
    const base = await s.json('diagnose', 'baselines', corpus);
    expect(base.uniform).toBeCloseTo(Math.log(base.vocabSize), 12);
    expect(base.ngram.map((n: Json) => n.order)).toEqual([1, 2, 3, 4, 5]);
    expect((await s.ok('diagnose', 'baselines', corpus)).stdout).toContain('5-gram, Kneser-Ney');

    const gen = await s.json('generate', lstm.id, '--length', 40, '--prime', 'the ', '--temperature', 0.5);
    expect(gen.prime).toBe('the ');
    expect(chars(gen.text)).toHaveLength(40);
    // the text output streams the prime and then the text
    const plain = await s.ok('generate', lstm.id, '--length', 40, '--prime', 'the ', '--temperature', 0.5);
    expect(plain.stdout).toBe('the ' + gen.text + '\n');

    // model export: safetensors with PyTorch names
    const out = join(s.dir, 'lstm.safetensors');
    expect(await s.json('model', 'export', lstm.id, '--out', out, '--checkpoint', 'last')).toMatchObject({ out });
    const bytes = readFileSync(out);
    const headerLen = Number(bytes.readBigUInt64LE(0));
    expect(8 + headerLen).toBeLessThan(bytes.length);
    const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString('utf8'));
    const H = lstm.config.model.hidden;
    const V = 28;
    expect(header['rnn.weight_ih_l0']).toMatchObject({ dtype: 'F32', shape: [4 * H, V] });
    expect(header['rnn.weight_hh_l0']).toMatchObject({ dtype: 'F32', shape: [4 * H, H] });
    expect(header['decoder.weight']).toMatchObject({ dtype: 'F32', shape: [V, H] });
    expect(header.__metadata__).toBeDefined();
    const ends = Object.entries(header).filter(([k]) => k !== '__metadata__').map(([, t]) => (t as Json).data_offsets[1]);
    expect(Math.max(...ends)).toBe(bytes.length - 8 - headerLen);

    const imported = await s.json('model', 'import', out);
    expect(imported.config).toMatchObject({ cell: 'lstm', hidden: H, layers: 1, vocabSize: V });
    expect(imported.params).toBe(lstm.params);
    expect(imported.vocab).toEqual((await s.json('corpus', 'show', corpus)).corpus.vocab);
    expect(imported.provenance).toMatchObject({ run: lstm.id, steps: 30, seed: 1 });
    // every cell exports and imports
    for (const r of runs) {
      const f = join(s.dir, `${r.cell}.safetensors`);
      await s.ok('model', 'export', r.id, '--out', f);
      expect((await s.json('model', 'import', f)).config.cell).toBe(r.cell);
    }
    await s.fails(['model', 'import', evalFile], /not a safetensors file/, 1);

    // metrics
    const csvPath = join(s.dir, 'm.csv');
    expect(await s.json('metrics', 'export', exp.id, '--out', csvPath)).toEqual({ out: csvPath, rows: 5 * 30 });
    const lines = readFileSync(csvPath, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('experiment,run,cell,seed,step,chars_seen,wall_seconds,train_loss,val_loss,bits_per_char,grad_norm,lr');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(5 * 30);
    expect(new Set(rows.map((r) => `${r[1]}/${r[4]}`)).size).toBe(5 * 30);
    for (const r of runs) {
      const mine = rows.filter((x) => Number(x[1]) === r.id);
      expect(mine.map((x) => Number(x[4]))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(mine.every((x) => x[0] === 'all five' && x[2] === r.cell && x[3] === '1')).toBe(true);
      // val_loss only where an evaluation happened
      expect(mine.filter((x) => x[8] !== '').map((x) => Number(x[4]))).toEqual([10, 20, 30]);
      expect(mine.every((x) => Number.isFinite(Number(x[7])) && Number(x[10]) > 0 && Number(x[11]) === 0.002)).toBe(true);
      expect(mine.map((x) => Number(x[5]))).toEqual(mine.map((x) => Number(x[4]) * 8 * 4));
    }
    const jsonPath = join(s.dir, 'm.json');
    expect(await s.json('metrics', 'export', exp.id, '--out', jsonPath)).toEqual({ out: jsonPath, rows: 150 });
    const doc = JSON.parse(readFileSync(jsonPath, 'utf8'));
    expect(doc.experiment).toMatchObject({ id: exp.id, name: 'all five' });
    expect(doc.runs.map((r: Json) => [r.cell, r.metrics.length])).toEqual(ALL.split(',').map((c) => [c, 30]));
    // the configs travel with the numbers: the experiment's spec and every run's resolved config
    expect(doc.spec).toMatchObject({ cells: ALL.split(','), seeds: 1, budget: { mode: 'hidden', hidden: 12 } });
    for (const r of doc.runs) {
      expect(r.config.model).toMatchObject({ cell: r.cell, hidden: 12, vocabSize: expect.any(Number) });
      expect(r.config.train).toMatchObject({ seqLen: 8, batch: 4, steps: 30, seed: 1, optimizer: { lr: 0.002 } });
    }
    await s.fails(['metrics', 'export', exp.id, '--out', join(s.dir, 'm.xlsx')], /--out FILE\.csv or FILE\.json is required/, 1);
  });
});

describe('rnn-lab runs that stop', () => {
  /** long enough (a few seconds) to interrupt */
  const LONG_STEPS = 1500;
  const LONG = ['--cells', 'lstm,gru', '--hidden', 64, '--seq', 16, '--batch', 8, '--steps', LONG_STEPS, '--eval-every', 20, '--checkpoint-every', 20, '--sample-every', 100];

  async function longExperiment(s: Sandbox): Promise<{ id: number; runIds: number[] }> {
    const corpus = await englishCorpus(s);
    const exp = await s.json('experiment', 'create', '--corpus', corpus, ...LONG);
    return { id: exp.id, runIds: exp.runs.map((r: Json) => r.id) };
  }

  /** what must not depend on timing or interruptions: everything but wall-clock columns */
  const exactRecord = (s: Sandbox, runId: number) =>
    s.read((db) => ({
      run: db.prepare('SELECT cell, seed, status, step, steps, best_val_loss, error FROM runs WHERE id = ?').get(runId),
      metrics: db.prepare('SELECT step, chars_seen, train_loss, grad_norm, clipped, lr FROM metrics WHERE run_id = ? ORDER BY step').all(runId),
      evals: db.prepare('SELECT step, val_loss, bits_per_char, accuracy, chars FROM evals WHERE run_id = ? ORDER BY step').all(runId),
      samples: db.prepare('SELECT step, prime, temperature, text FROM samples WHERE run_id = ? ORDER BY step').all(runId),
      checkpoints: db.prepare('SELECT kind, step, val_loss FROM checkpoints WHERE run_id = ? ORDER BY kind').all(runId),
    }));

  it('a process killed with SIGKILL leaves interrupted runs that resume exactly as if nothing happened', async () => {
    const s = sandbox('crash');
    const { id, runIds } = await longExperiment(s);
    const child = s.spawn('experiment', 'run', id, '--workers', 2);
    // both runs have written a checkpoint past the first one
    await waitFor('checkpoints at step 40', () => s.read((db) => (db.prepare("SELECT count(*) AS n FROM checkpoints WHERE kind = 'last' AND step >= 40").get() as { n: number }).n) === 2, 30_000);
    child.child.kill('SIGKILL');
    const killed = await child.done;
    expect(killed.signal).toBe('SIGKILL');

    // as the dead process left it: 'running', owned by a pid that is gone; the file is sound
    const left = s.read((db) => db.prepare('SELECT id, status, step, owner_pid AS ownerPid FROM runs ORDER BY id').all()) as Json[];
    expect(left.map((r) => [r.id, r.status, r.ownerPid])).toEqual(runIds.map((r) => [r, 'running', child.child.pid]));
    for (const r of left) expect(r.step).toBeLessThan(LONG_STEPS);
    expect(integrity(s)).toBe('ok');
    // what was recorded up to each run's last checkpoint, wall-clock columns included: a resume
    // keeps these rows (it continues from the checkpoint) rather than training from step 0 again
    const upToCheckpoint = (runId: number) => s.read((db) => db.prepare(`SELECT m.step, m.wall_seconds FROM metrics m
      JOIN checkpoints c ON c.run_id = m.run_id AND c.kind = 'last' WHERE m.run_id = ? AND m.step <= c.step ORDER BY m.step`).all(runId));
    const kept = runIds.map(upToCheckpoint);
    for (const k of kept) expect(k.length).toBeGreaterThanOrEqual(40);

    // the next process marks them interrupted
    const shown = await s.json('experiment', 'show', id);
    expect(shown.runs.map((r: Json) => [r.id, r.status, r.ownerPid])).toEqual(runIds.map((r) => [r, 'interrupted', null]));
    for (const r of runIds) {
      const resumed = await s.json('run', 'resume', r);
      expect(resumed.run).toMatchObject({ id: r, status: 'completed', step: LONG_STEPS });
    }
    expect(integrity(s)).toBe('ok');
    for (const [i, r] of runIds.entries()) {
      const after = s.read((db) => db.prepare('SELECT step, wall_seconds FROM metrics WHERE run_id = ? ORDER BY step').all(r)) as Json[];
      expect(after.slice(0, kept[i].length)).toEqual(kept[i]);
      // training time keeps counting across the crash
      for (let k = 1; k < after.length; k++) expect(after[k].wall_seconds).toBeGreaterThanOrEqual(after[k - 1].wall_seconds);
    }

    // the same experiment, never interrupted, in a fresh database
    const ref = sandbox('crash-ref');
    const refExp = await longExperiment(ref);
    expect(refExp.runIds).toEqual(runIds);
    const refRun = await ref.json('experiment', 'run', refExp.id, '--workers', 2);
    expect(refRun.runs.map((r: Json) => r.status)).toEqual(['completed', 'completed']);

    const evalText = s.file('eval.txt', EN_EVAL);
    for (const r of runIds) {
      const got = exactRecord(s, r);
      const want = exactRecord(ref, r);
      expect(got.metrics.map((m: Json) => m.step)).toEqual(Array.from({ length: LONG_STEPS }, (_, i) => i + 1));
      // exact equality: resuming from a checkpoint replays the same numbers bit for bit
      expect(got).toEqual(want);
      for (const which of ['best', 'last']) {
        const a = await s.json('eval', r, '--text', evalText, '--checkpoint', which);
        const b = await ref.json('eval', r, '--text', evalText, '--checkpoint', which);
        expect(a).toEqual(b);
      }
      const ga = await s.json('generate', r, '--length', 60);
      const gb = await ref.json('generate', r, '--length', 60);
      expect(ga).toEqual(gb);
    }
  });

  it('Ctrl-C pauses the runs with a checkpoint, exits 130 and says how to resume', async () => {
    const s = sandbox('sigint');
    const { id, runIds } = await longExperiment(s);
    const child = s.spawn('experiment', 'run', id, '--workers', 2);
    await waitFor('20 steps of both runs', () => runStatuses(s).every((r) => r.step >= 20), 30_000);
    const t0 = Date.now();
    child.child.kill('SIGINT');
    const r = await within(child, 10_000);
    const took = Date.now() - t0;
    expect(r.code, r.stderr).toBe(130);
    expect(took).toBeLessThan(5000);
    expect(r.stderr).toContain('pausing (writing checkpoints)');
    expect(r.stdout).toContain(`paused: resume with ${runIds.map((x) => `rnn-lab run resume ${x}`).join(' ; ')}`);
    const runs = runStatuses(s);
    expect(runs.map((x) => x.status)).toEqual(['paused', 'paused']);
    for (const run of runs) {
      expect(run.step).toBeLessThan(LONG_STEPS);
      // the pause wrote a checkpoint where the run stopped
      const cp = s.read((db) => db.prepare("SELECT step FROM checkpoints WHERE run_id = ? AND kind = 'last'").get(run.id)) as Json;
      expect(cp.step).toBe(run.step);
    }
    for (const runId of runIds) {
      const resumed = await s.json('run', 'resume', runId);
      expect(resumed.run).toMatchObject({ status: 'completed', step: LONG_STEPS });
      const steps = s.read((db) => db.prepare('SELECT step FROM metrics WHERE run_id = ? ORDER BY step').all(runId)).map((m: Json) => m.step);
      expect(steps).toEqual(Array.from({ length: LONG_STEPS }, (_, i) => i + 1));
    }
    await s.fails(['run', 'resume', runIds[0]], /run \d+ is completed; only queued, paused or interrupted runs can be resumed/, 1);
    expect(integrity(s)).toBe('ok');
  });

  it('run pause and run cancel from other processes stop runs of the running process within a second or two', async () => {
    const s = sandbox('pause');
    const { id, runIds } = await longExperiment(s);
    const child = s.spawn('experiment', 'run', id, '--workers', 2);
    await waitFor('20 steps of both runs', () => runStatuses(s).every((r) => r.step >= 20), 30_000);
    // nothing a running experiment needs can be deleted meanwhile
    await s.fails(['experiment', 'rm', id], /has running runs; pause or cancel them first/, 1);
    await s.fails(['corpus', 'rm', 1], /is used by the experiment/, 1);

    const t0 = Date.now();
    const asked = await s.json('run', 'pause', runIds[0]);
    // the request is in the database; the owner has not acted on it yet
    expect(asked.run).toMatchObject({ id: runIds[0], status: 'running', control: 'pause' });
    await waitFor('the run to pause', () => runStatuses(s)[0].status === 'paused', 5000);
    expect(Date.now() - t0).toBeLessThan(2500);
    const [paused, other] = runStatuses(s);
    expect(other.status).toBe('running');
    // the pause wrote a checkpoint where the run stopped
    const cp = s.read((db) => db.prepare("SELECT step FROM checkpoints WHERE run_id = ? AND kind = 'last'").get(paused.id)) as Json;
    expect(cp.step).toBe(paused.step);

    // the owner keeps going until its last run ends: cancel that one too
    const t1 = Date.now();
    expect((await s.json('run', 'cancel', runIds[1])).run).toMatchObject({ status: 'running', control: 'cancel' });
    const r = await within(child, 10_000);
    expect(Date.now() - t1).toBeLessThan(2500);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`paused: resume with rnn-lab run resume ${runIds[0]}\n`);
    const runs = (await s.json('experiment', 'show', id)).runs;
    expect(runs[0]).toMatchObject({ status: 'paused', control: null, ownerPid: null, finishedAt: null });
    expect(runs[1]).toMatchObject({ status: 'cancelled', control: null, ownerPid: null, finishedAt: expect.any(Number) });
    for (const run of runs) expect(run.step).toBeLessThan(LONG_STEPS);
    await s.fails(['run', 'pause', runIds[0]], /is paused, not running/, 1);
    await s.fails(['run', 'resume', runIds[1]], /is cancelled; only queued, paused or interrupted runs can be resumed/, 1);
    // the paused run finishes on its own later
    expect((await s.json('run', 'resume', runIds[0])).run).toMatchObject({ status: 'completed', step: LONG_STEPS });
    await s.ok('experiment', 'rm', id);
    expect(integrity(s)).toBe('ok');
  });

  it('trains 8 runs on 2 workers, never more than 2 at a time', async () => {
    const s = sandbox('eight');
    const corpus = await englishCorpus(s);
    const exp = await s.json('experiment', 'create', '--corpus', corpus, '--cells', 'rnn,lstm,gru,gru-reset-after', '--seeds', 2, ...TINY);
    expect(exp.runs).toHaveLength(8);
    const { runs } = await s.json('experiment', 'run', exp.id, '--workers', 2);
    expect(runs.map((r: Json) => [r.cell, r.seed, r.status, r.step])).toEqual(
      ['rnn', 'lstm', 'gru', 'gru-reset-after'].flatMap((c) => [[c, 1, 'completed', 30], [c, 2, 'completed', 30]]),
    );
    // seeds differ: the two runs of a cell do not train identically
    const first = (runId: number) => s.read((db) => (db.prepare('SELECT train_loss FROM metrics WHERE run_id = ? AND step = 1').get(runId) as Json).train_loss);
    expect(first(runs[0].id)).not.toBe(first(runs[1].id));
    const spans: [number, number][] = runs.map((r: Json) => [r.startedAt, r.finishedAt]);
    for (const [t] of spans) expect(spans.filter(([a, b]) => a <= t && t < b).length).toBeLessThanOrEqual(2);
  });

  it('trains two-thread runs one at a time on 2 workers, and refuses to start them on 1', async () => {
    const s = sandbox('threads');
    const corpus = await englishCorpus(s);
    const exp = await s.json('experiment', 'create', '--corpus', corpus, '--cells', 'rnn,gru', '--threads', 2, ...TINY);
    const { runs } = await s.json('experiment', 'run', exp.id, '--workers', 2);
    expect(runs.map((r: Json) => [r.cell, r.status, r.step, r.config.train.threads])).toEqual([['rnn', 'completed', 30, 2], ['gru', 'completed', 30, 2]]);
    const [a, b] = runs.map((r: Json) => [r.startedAt, r.finishedAt]);
    expect(a[1] <= b[0] || b[1] <= a[0]).toBe(true);
    const again = await s.json('experiment', 'create', '--corpus', corpus, '--cells', 'rnn', '--threads', 2, ...TINY);
    await s.fails(['experiment', 'run', again.id, '--workers', 1], /needs 2 threads but this lab trains on 1; open it with more workers \(--workers 2\)/, 1);
    expect((await s.json('experiment', 'show', again.id)).runs[0].status).toBe('queued');
  });

  it('a diverging run fails with its step while the others complete', async () => {
    const s = sandbox('diverge');
    const corpus = await englishCorpus(s);
    const exp = await s.json('experiment', 'create', '--corpus', corpus, '--cells', 'rnn,lstm,gru', '--hidden', 16, '--seq', 8, '--batch', 4, '--steps', 60, '--eval-every', 20, '--checkpoint-every', 20);
    const rnn = exp.runs[0].id;
    // The command line cannot give one cell its own settings (the Lab API's spec.overrides can),
    // and plain SGD at the largest accepted lr (10) with no clipping stays finite. So we edit the
    // rnn run's resolved config in the database before it runs: SGD, lr 10, no clipping, and weight
    // decay 1, which makes each update w <- w - 10 (g + w) = -9 w - 10 g, so the weights grow ninefold
    // a step until float32 overflows. The config stays within what trainConfig accepts.
    const conn = new Database(s.db);
    conn.prepare(`UPDATE runs SET config = json_set(config, '$.train.optimizer.name', 'sgd', '$.train.optimizer.lr', 10,
      '$.train.optimizer.weightDecay', 1, '$.train.clip', 0) WHERE id = ?`).run(rnn);
    conn.close();
    // the others complete; the command says which run failed and exits 1
    const r = await s.cli('experiment', 'run', exp.id);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`run ${rnn} \\(rnn seed 1\\) failed: diverged at step \\d+: `));
    const { runs } = await s.json('experiment', 'show', exp.id);
    expect(runs[0]).toMatchObject({ cell: 'rnn', status: 'failed', error: expect.stringMatching(/^diverged at step (\d+): (loss is (NaN|Infinity)|gradient norm is|the update made a weight non-finite)/) });
    const at = Number(/at step (\d+)/.exec(runs[0].error)![1]);
    expect(at).toBeGreaterThan(1);
    expect(at).toBeLessThan(60);
    expect(runs[0].finishedAt).not.toBeNull();
    expect(runs.slice(1).map((x: Json) => [x.cell, x.status, x.step, x.error])).toEqual([['lstm', 'completed', 60, null], ['gru', 'completed', 60, null]]);
    // a failed run cannot be resumed
    await s.fails(['run', 'resume', rnn], /is failed; only queued, paused or interrupted/, 1);
  });
});

describe('rnn-lab errors', () => {
  it('gives a non-zero exit and one useful line for mistakes', async () => {
    const s = sandbox('errors');
    let r = await s.cli('bogus');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rnn-lab: unknown command "bogus"\nusage: rnn-lab COMMAND/);
    r = await s.cli('corpus', 'frobnicate', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rnn-lab: unknown command "corpus frobnicate"/);
    await s.fails(['experiment', 'create', '--cells', 'lstm'], /^rnn-lab experiment create: --corpus ID is required/, 1);
    await s.fails(['run', 'show', 999], /^rnn-lab run show: no run 999$/m, 1);
    await s.fails(['experiment', 'show', 'abc'], /ID must be a whole number >= 1, got "abc"/, 1);
    await s.fails(['experiment', 'run', 5], /no experiment 5/, 1);
    await s.fails(['corpus', 'show'], /rnn-lab corpus show: expected ID, got none/, 2);
    await s.fails(['corpus', 'list', '--bogus'], /Unknown option '--bogus'/, 2);
    await s.fails(['eval', 1], /--text FILE is required/, 1);
    await s.fails(['model', 'import', join(s.dir, 'nope.safetensors')], /cannot read model file .*ENOENT/, 1);
    const help = await s.cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: rnn-lab COMMAND/);
    // a file that is not an RNN Lab database is refused and left alone
    const notDb = s.file('notes.db', 'my notes\n'.repeat(100));
    const r2 = await start(['corpus', 'list', '--db', notDb], s.dir).done;
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/is not an RNN Lab database .*it was not modified/);
    expect(readFileSync(notDb, 'utf8')).toBe('my notes\n'.repeat(100));
  });
});

describe('rnn-lab report', () => {
  it('writes an experiment as one self-contained HTML file', async () => {
    const s = sandbox('report');
    const corpus = await englishCorpus(s);
    const exp = await s.json('experiment', 'create', '--corpus', corpus, '--cells', 'rnn,gru', ...TINY, '--sample-every', 15, '--name', 'report <me>');
    await s.json('experiment', 'run', exp.id);
    const out = join(s.dir, 'r.html');
    const result = await s.json('report', exp.id, '--out', out);
    expect(result.out).toBe(out);
    const html = readFileSync(out, 'utf8');
    expect(result.bytes).toBe(Buffer.byteLength(html));
    expect(html).toContain('<h1>report &lt;me&gt;</h1>');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:">`);
    expect(html.match(/<tr data-run="\d+">/g)).toHaveLength(2);
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(2);
    expect(html).not.toMatch(/<script/i);
    const text = await s.ok('report', exp.id, '--out', out);
    expect(text.stdout).toMatch(/^wrote the report of experiment \d+ to .*r\.html \(\d+ KB, opens offline\)\n$/);
    await s.fails(['report', exp.id, '--out', join(s.dir, 'r.pdf')], /--out FILE\.html is required/, 1);
    await s.fails(['report', 999, '--out', out], /no experiment 999/, 1);
  });
});
