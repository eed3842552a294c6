/**
 * What the remote-worker tests share: a real redis-server on a free loopback port (no persistence,
 * its own directory), `rnn-lab worker` processes against it, and one experiment small enough to
 * train in seconds yet long enough to be interrupted mid-run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { start, waitFor, type Sandbox } from '../cli/cli-helpers.ts';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const hasRedis = existsSync(REDIS_SERVER);

/** A port nobody listens on: bound to 0 and let go. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface RedisProcess {
  url: string;
  client: Redis;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-redis-'));
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (log += d));
  await waitFor(`redis-server on ${port} (log: ${log})`, () => log.includes('Ready to accept connections'), 30_000);
  const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
  return {
    url: `redis://127.0.0.1:${port}`,
    client,
    async stop() {
      client.disconnect();
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await gone;
}

export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  readonly log: string;
  /** runs it started from step 0, and those it resumed (with the step) */
  started(): number[];
  resumed(): { runId: number; step: number }[];
  completed(): number[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startWorker(url: string, name: string, dir: string, extra: string[] = []): Promise<WorkerProcess> {
  const w = start(['worker', '--redis', url, '--name', name, '--concurrency', '1', '--stall-seconds', '2', ...extra], dir);
  await waitFor(`worker ${name} to connect; stderr: ${w.stderr}`, () => w.stderr.includes(`worker ${name}:`), 30_000);
  const lines = (re: RegExp): RegExpExecArray[] => [...w.stderr.matchAll(new RegExp(re.source, 'gm'))];
  return {
    name,
    child: w.child,
    get log() {
      return w.stderr;
    },
    started: () => lines(/^run (\d+): starting/m).map((m) => Number(m[1])),
    resumed: () => lines(/^run (\d+): resuming at step (\d+)/m).map((m) => ({ runId: Number(m[1]), step: Number(m[2]) })),
    completed: () => lines(/^run (\d+): completed/m).map((m) => Number(m[1])),
    stop: (signal = 'SIGTERM') => stopChild(w.child, signal),
  };
}

/** 2 cells x 3 seeds of tiny models; 400 steps with a checkpoint every 40, so a run can be caught in the middle */
export const SPEC = ['--cells', 'rnn,gru', '--seeds', 3, '--hidden', 16, '--seq', 16, '--batch', 4, '--steps', 400, '--eval-every', 40, '--checkpoint-every', 40, '--sample-every', 0];

/** A corpus and the experiment on it; returns the experiment's id. */
export async function experiment(s: Sandbox): Promise<number> {
  const corpus = (await s.json('corpus', 'task', 'recall', '--length', 4000)).id as number;
  return (await s.json('experiment', 'create', '--corpus', corpus, ...SPEC)).id as number;
}

/** Everything a run recorded that does not depend on timing, per run in order. */
export function history(s: Sandbox): unknown {
  return s.read((db) => ({
    runs: db.prepare('SELECT id, status, step, best_val_loss FROM runs ORDER BY id').all(),
    metrics: db.prepare('SELECT run_id, step, chars_seen, train_loss, grad_norm, clipped, lr FROM metrics ORDER BY run_id, step').all(),
    evals: db.prepare('SELECT run_id, step, val_loss, bits_per_char, accuracy, predictable_accuracy, long_range_accuracy, chars FROM evals ORDER BY run_id, step').all(),
    samples: db.prepare('SELECT run_id, step, prime, temperature, text FROM samples ORDER BY run_id, step').all(),
    checkpoints: db.prepare('SELECT run_id, kind, step, val_loss, hex(state) AS state FROM checkpoints ORDER BY run_id, kind').all(),
  }));
}
