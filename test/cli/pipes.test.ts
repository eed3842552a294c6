/**
 * rnn-lab in a pipeline whose reader stops early (`rnn-lab corpus list | head -1`): the closed pipe
 * ends the command quietly with status 141, what a shell reports for a writer that SIGPIPE ended
 * (128 + 13), and no stack trace; on stderr too.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../../src-main/lab/lab.ts';
import { repoRoot } from '../helpers.ts';
import { EN, removeSandboxes, sandbox } from './cli-helpers.ts';

afterAll(removeSandboxes);

const BIN = resolve(repoRoot, 'bin/rnn-lab.mjs');

/** Runs rnn-lab with its stdout and stderr piped; `close` says when to close the read end of each. */
function run(args: string[], close: { stdout?: 'first-line' | 'at-once'; stderr?: 'at-once' }): Promise<{ code: number | null; signal: string | null; firstLine: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  if (close.stdout === 'at-once') child.stdout.destroy();
  else {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (close.stdout === 'first-line' && out.includes('\n')) child.stdout.destroy();
    });
  }
  if (close.stderr === 'at-once') child.stderr.destroy();
  else child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((done, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => done({ code, signal, firstLine: out.split('\n')[0], stderr: err }));
  });
}

describe('a pipe closed by its reader', () => {
  it('corpus list | head -1: exits 141 with nothing on stderr', async () => {
    const s = sandbox('pipe');
    // far more than a pipe holds (64 KB), so the listing is still being written when the reader leaves
    const lab = Lab.open({ db: s.db, workers: 1 });
    const name = 'a long corpus name '.repeat(8);
    for (let i = 0; i < 1000; i++) lab.importCorpus(new TextEncoder().encode(`${i}\n${EN.slice(0, 300)}`), { name: `${name}${i}` });
    await lab.close();

    const r = await run(['corpus', 'list', '--db', s.db], { stdout: 'first-line' });
    expect(r.firstLine).toMatch(/^ {3}1 {2}a long corpus name/);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(141);
    // the database is as it was: the next command lists everything
    const all = await run(['corpus', 'list', '--db', s.db, '--json'], {});
    expect(all.code).toBe(0);
  });

  it('stdout closed before the first write, and stderr closed before a usage error: 141, quietly', async () => {
    const s = sandbox('pipe-err');
    const help = await run(['--help'], { stdout: 'at-once' });
    expect(help).toMatchObject({ code: 141, signal: null, stderr: '' });
    const usage = await run(['bogus', '--db', s.db], { stderr: 'at-once' });
    expect(usage).toMatchObject({ code: 141, signal: null });
  });
});
