/**
 * `npm start` stopped by a signal stops everything it started: npm, the `sh -c` it runs the
 * script under, scripts/start.mjs and the browser-mode server, checked by pid in /proc. With out/
 * fresh (ensureAppBuilt here, the Node build in the global setup) start.mjs builds nothing, which
 * it says. `--serve` keeps it in browser mode where Electron is installed too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAppBuilt, repoRoot } from './support.ts';

const hasProc = existsSync('/proc/self/stat');
if (!hasProc) console.log('test/e2e/npm-start.test.ts skipped: it finds the processes npm start leaves through /proc, which this system has not');

/** The fields of /proc/PID/stat after the command name: state, ppid, ... (null once the process is gone). */
function stat(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Running: it exists and is not a zombie waiting for its parent to read its exit. */
function alive(pid: number): boolean {
  const s = stat(pid);
  return s !== null && s[0] !== 'Z';
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** The process and all its descendants now, parents first. */
function tree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (!s) continue;
    const ppid = Number(s[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

interface Started {
  child: ChildProcess;
  pids: number[];
  output: () => string;
  /** its exit code (null: a signal ended it) */
  exited: Promise<number | null>;
}

const started: number[] = [];
let tmp = '';

/** Starts `npm start` (or start.mjs itself) in a process group of its own and waits for the server's address. */
async function start(how: 'npm' | 'start.mjs'): Promise<Started> {
  const db = join(tmp, `${how}-${started.length}.db`);
  const serve = ['--serve', '--port', '0', '--db', db];
  const child = how === 'npm'
    ? spawn('npm', ['start', '--', ...serve], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, ['scripts/start.mjs', ...serve], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!/open http:\/\/127\.0\.0\.1:\d+\/\?token=/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start printed no address within 60 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pids = tree(child.pid!);
  started.push(...pids);
  return { child, pids, output: () => out, exited };
}

/** The pids still running after up to `ms`. */
async function survivors(pids: number[], ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(alive).map((pid) => `${pid} ${commandLine(pid)}`);
}

describe.skipIf(!hasProc)('npm start, stopped by a signal', () => {
  beforeAll(() => {
    ensureAppBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'rnn-lab-start-'));
  }, 180_000);

  afterAll(() => {
    for (const pid of started) {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('SIGTERM to the npm process stops npm, its shell, start.mjs and the server', async () => {
    const s = await start('npm');
    const commands = s.pids.map(commandLine);
    expect(commands.some((c) => c.includes('scripts/start.mjs'))).toBe(true);
    expect(commands.some((c) => c.includes('bin/rnn-lab.mjs serve'))).toBe(true);
    expect(s.output()).toContain('The app in out/ is up to date with its sources: not building it again.');
    process.kill(s.child.pid!, 'SIGTERM');
    expect(await survivors(s.pids, 10_000)).toEqual([]);
    // the server stopped as it does on a signal, pausing running runs, and was not killed
    expect(s.output()).toContain('stopping: pausing running runs');
    expect(s.output()).not.toContain('was ended by');
  });

  it('SIGTERM to start.mjs itself stops it and the server', async () => {
    const s = await start('start.mjs');
    expect(s.pids.map(commandLine).some((c) => c.includes('bin/rnn-lab.mjs serve'))).toBe(true);
    process.kill(s.child.pid!, 'SIGTERM');
    expect(await survivors(s.pids, 10_000)).toEqual([]);
    expect(await s.exited).toBe(0);
  });

  it('SIGINT to the whole process group (Ctrl-C in a terminal) reaches the server once, and everything stops', async () => {
    const s = await start('npm');
    process.kill(-s.child.pid!, 'SIGINT');
    expect(await survivors(s.pids, 10_000)).toEqual([]);
    // the server heard one signal: a second SIGINT would have killed it while it paused its runs
    expect(s.output()).toContain('stopping: pausing running runs');
    expect(s.output()).not.toContain('the server was ended by SIGINT');
  });
});
