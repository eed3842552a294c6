/**
 * Hostile text on a terminal: names, previews and samples with ESC sequences, C1 controls, carriage
 * returns and bidi overrides are printed with those characters made visible (forTerminal), while
 * --json keeps them exact; and a lone surrogate in an argument is refused before anything runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { forTerminal, oneLine } from '../../src-main/cli/terminal.ts';
import { repoRoot } from '../helpers.ts';
import { EN, type Json, removeSandboxes, sandbox, TINY } from './cli-helpers.ts';

afterAll(removeSandboxes);

/** what a terminal would act on: any C0 control but \n and \t, DEL, C1, and the bidi controls */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const CLEAR = '\x1b[2J\x1b[H';
const TITLE = '\x1b]0;owned\x07';
const HOSTILE_NAME = `evil${CLEAR}${TITLE}\u202eeman\u009b31m\rfake line\nsecond`;

describe('forTerminal and oneLine', () => {
  it('show every control but newline and tab as an escape, and leave other text alone', () => {
    expect(forTerminal(`a\x1b[31mred\x1b[0m\n\tb\r\x00\x7f\x9b\u202e\u2066\u200f`)).toBe('a\\x1b[31mred\\x1b[0m\n\tb\\r\\x00\\x7f\\x9b\\u202e\\u2066\\u200f');
    const plain = 'Hello, 안녕하세요 😀 café é\u0301 — “quotes” \u00a0nbsp';
    expect(forTerminal(plain)).toBe(plain);
    expect(oneLine(plain)).toBe(plain);
    expect(oneLine('a\nb\tc\x1b')).toBe('a\\nb\\tc\\x1b');
    for (let cp = 0; cp < 0x3000; cp++) {
      const c = String.fromCharCode(cp);
      if (c === '\n' || c === '\t') continue;
      expect(CONTROL.test(forTerminal(c)), `U+${cp.toString(16)}`).toBe(false);
    }
    // what comes out has nothing left to escape
    expect(forTerminal(forTerminal(HOSTILE_NAME))).toBe(forTerminal(HOSTILE_NAME));
  });
});

describe('rnn-lab output on a terminal', () => {
  it('corpus list, corpus show and run show make hostile names, previews and samples visible; --json stays exact', async () => {
    const s = sandbox('terminal');
    const text = `${EN.slice(0, 200)}${CLEAR}${TITLE}\u202ereversed\r\x9b1mbold\n${EN.slice(200)}`;
    const corpus = (await s.json('corpus', 'import', s.file('hostile.txt', text), '--name', HOSTILE_NAME)).id;

    const list = (await s.ok('corpus', 'list')).stdout;
    expect(list).not.toMatch(CONTROL);
    expect(list.split('\n').filter((l) => l !== '')).toHaveLength(1); // the name's newline cannot fake a line
    expect(list).toContain('evil\\x1b[2J\\x1b[H\\x1b]0;owned\\x07\\u202eeman\\x9b31m\\rfake line\\nsecond');

    const show = (await s.ok('corpus', 'show', corpus)).stdout;
    expect(show).not.toMatch(CONTROL);
    expect(show).toContain('\\x1b[2J\\x1b[H\\x1b]0;owned\\x07\\u202ereversed\\r\\x9b1mbold\n'); // the preview keeps its newlines
    expect(show.split('\n').length).toBeGreaterThan(5);

    const json = await s.json('corpus', 'show', corpus);
    expect(json.corpus.name).toBe(HOSTILE_NAME);
    expect(json.corpus.stats.preview).toBe(text.slice(0, 500));

    // a run whose last sample (as the engine would record it) carries escapes
    const exp = await s.json('experiment', 'create', '--corpus', corpus, '--cells', 'rnn', ...TINY, '--name', `exp${CLEAR}`);
    const runId = exp.runs[0].id;
    const db = new Database(s.db);
    db.prepare('INSERT INTO samples (run_id, step, prime, temperature, text, created_at) VALUES (?, 10, ?, 1, ?, 0)').run(runId, `pr${TITLE}`, `one\x1b[1Aup\ntwo\u202e`);
    db.close();
    const run = (await s.ok('run', 'show', runId)).stdout;
    expect(run).not.toMatch(CONTROL);
    expect(run).toContain('sample at step 10:\npr\\x1b]0;owned\\x07one\\x1b[1Aup\ntwo\\u202e\n');
    expect((await s.json('run', 'show', runId)).samples[0].text).toBe(`one\x1b[1Aup\ntwo\u202e`);

    const created = (await s.ok('experiment', 'show', exp.id)).stdout;
    expect(created).not.toMatch(CONTROL);
    expect(created).toContain('"exp\\x1b[2J\\x1b[H"');
  });

  it('error messages on stderr are shown the same way', async () => {
    const s = sandbox('terminal-err');
    const r = await s.cli('bogus\u202egnp.exe');
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r.stderr).toContain('unknown command "bogus\\u202egnp.exe"');
  });
});

describe('arguments', () => {
  // A Linux command line is bytes, which Node decodes as UTF-8 (a bad byte becomes U+FFFD), so a
  // lone surrogate only comes in through runCli's argv: the built CLI is called with one directly.
  it('a lone surrogate in any argument is refused (exit 2) naming the argument, before the database is opened', async () => {
    const s = sandbox('surrogate');
    const file = s.file('en.txt', EN);
    const cli = resolve(repoRoot, 'out/node/cli.mjs');
    const call = (argv: string[]): { code: number; stderr: string } => {
      const script = `import(${JSON.stringify(cli)}).then((m) => m.runCli(JSON.parse(process.env.ARGV)))`;
      try {
        execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ARGV: JSON.stringify(argv) }, stdio: ['ignore', 'pipe', 'pipe'] });
        return { code: 0, stderr: '' };
      } catch (e) {
        const err = e as { status: number; stderr: Buffer };
        return { code: err.status, stderr: err.stderr.toString() };
      }
    };
    const cases: [string[], string][] = [
      [['corpus', 'import', file, '--name', 'x\udc00y', '--db', s.db], 'argument 5 (--name)'],
      [['experiment', 'create', '--corpus', '1', '--name', '\ud800', '--db', s.db], 'argument 6 (--name)'],
      [['generate', '1', '--prime', 'RO\udc00MEO', '--db', s.db], 'argument 4 (--prime)'],
      [['model', 'import', `f\udfff.safetensors`, '--db', s.db], 'argument 3'],
    ];
    for (const [argv, which] of cases) {
      const r = call(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^rnn-lab: ${which.replace(/[()]/g, '\\$&')} has a lone surrogate \\(U\\+D[89A-F][0-9A-F]{2}\\) at position \\d+: it is not valid Unicode text\\n`));
    }
    expect(existsSync(s.db), 'the database was created').toBe(false);
    // a well-formed name goes the same way
    expect(call(['corpus', 'import', file, '--name', 'x😀y', '--db', s.db]).code).toBe(0);
    expect((await s.json('corpus', 'list')).corpora.map((c: Json) => c.name)).toEqual(['x😀y']);
  });
});
