// rnn-lab corpus: importing files (and refusing bad ones), Unicode, built-in tasks.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chars, EMOJI, EMOJI_TOKENS, EN, type Json, KO, removeSandboxes, sandbox, TINY } from './cli-helpers.ts';

afterAll(removeSandboxes);

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
