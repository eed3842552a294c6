// rnn-lab mistakes (unknown commands, bad arguments, a file that is not a lab database) and help.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src-main/cli/commands/index.ts';
import { helpText } from '../../src-main/cli/help.ts';
import { removeSandboxes, sandbox, start } from './cli-helpers.ts';

afterAll(removeSandboxes);

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

describe('rnn-lab help', () => {
  const flags = (text: string): string[] => [...text.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]);

  it('comes from the declarations, which name every option and argument and fit one line of summary', () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
    for (const c of COMMANDS) {
      const declared = Object.keys(c.options ?? {});
      // the usage shows every option, and says nothing of options the command does not take
      expect(new Set(flags(c.usage)), c.name).toEqual(new Set(declared));
      // an argument by its name in capitals, or by its choices (corpus task reber|recall|...)
      for (const p of c.positionals ?? []) if (!/^[a-z]+(\|[a-z]+)+ /.test(c.usage)) expect(c.usage.split(/[ |[\]]/), c.name).toContain(p.replace('?', '').toUpperCase());
      // indented by six under its usage line in the list of all
      expect(6 + c.summary.length, c.name).toBeLessThanOrEqual(100);
    }
    const all = helpText(COMMANDS, [])!;
    for (const c of COMMANDS) expect(all).toContain(`\n  ${c.name} ${c.usage.split(' ').slice(0, 2).join(' ')}`.trimEnd());
    expect(all.split('\n').slice(2).every((l) => l.length <= 100)).toBe(true);
  });

  it('prints all commands, one group or one command, and the usage with a mistake', async () => {
    const s = sandbox('help');
    const all = await s.ok('--help');
    expect(all.stdout).toBe(helpText(COMMANDS, []));
    expect((await s.ok('help')).stdout).toBe(all.stdout);
    const none = await start([], s.dir).done;
    expect(none.code).toBe(2);
    expect(none.stdout).toBe(all.stdout);

    const group = await s.ok('corpus', '--help');
    expect(group.stdout).toMatch(/^usage: rnn-lab corpus COMMAND/);
    expect(group.stdout.match(/^ {2}\S.*$/gm)!.map((l) => l.trim().split(' ').slice(0, 2).join(' '))).toEqual(['corpus import', 'corpus task', 'corpus list', 'corpus show', 'corpus rm']);
    expect((await s.ok('help', 'corpus')).stdout).toBe(group.stdout);

    const one = await s.ok('experiment', 'run', '--help');
    expect(one.stdout).toMatch(/^usage: rnn-lab experiment run ID \[--workers N\] \[--redis URL \[--insecure\]\]\n {2}train its unfinished runs \(here or on remote workers\)/);
    expect(one.stdout).toContain('exits 1 if a run failed, 130 after Ctrl-C');
    expect((await s.ok('help', 'experiment', 'run')).stdout).toBe(one.stdout);
    expect((await s.ok('generate', '-h')).stdout).toMatch(/^usage: rnn-lab generate RUN \| --model MODEL/);

    // a mistake in the command line: the error, then the usage of what was meant
    const missing = await s.fails(['corpus', 'show'], /^rnn-lab corpus show: expected ID, got none\nusage: rnn-lab corpus show ID\n$/, 2);
    expect(missing.stderr.split('\n')).toHaveLength(3);
    await s.fails(['report', '1', '--html'], /^rnn-lab report: Unknown option '--html'.*\nusage: rnn-lab report EXPERIMENT --out FILE\.html \[--lang en\|ko\]\n$/s, 2);
    const unknown = await s.fails(['corpus', 'frobnicate'], /^rnn-lab: unknown command "corpus frobnicate"\n/, 2);
    expect(unknown.stderr.slice(unknown.stderr.indexOf('\n') + 1)).toBe(group.stdout);
    await s.fails(['help', 'nothing'], /^rnn-lab: unknown command "nothing"\nusage: rnn-lab COMMAND/, 2);
  });
});
