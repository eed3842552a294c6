/**
 * Measures remote training through Redis on this machine (not a test: `npx tsx test/remote/bench.ts`
 * after `npm run build:node`; needs /usr/bin/redis-server):
 * - scheduling overhead: 20 runs of 1 step, one at a time, locally (a pool of one thread) and on one
 *   worker process (concurrency 1): the median time from a run's 'running' event to its first
 *   metrics event, and from 'running' to 'completed';
 * - throughput: 12 runs (rnn and gru x 6 seeds, hidden 48, 1500 steps of batch 4 x 16) on 1, 2 and 3 worker
 *   processes of concurrency 1, each pinned to a core with taskset where there is one (worker i on
 *   core i mod cores), against the local pool of as many threads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Lab } from '../../src-main/lab/lab.ts';
import { startRedis } from './support.ts';

const BIN = resolve(import.meta.dirname, '../../bin/rnn-lab.mjs');
const cores = availableParallelism();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function startWorker(url: string, i: number): Promise<ChildProcess> {
  const args = [BIN, 'worker', '--redis', url, '--name', `bench-${i}`, '--concurrency', '1'];
  const child = spawn('taskset', ['-c', String(i % cores), process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((res) => {
    let log = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      log += d;
      if (log.includes(`worker bench-${i}:`)) res(child);
    });
  });
}

async function timeRuns(lab: Lab, spec: { cells: ('rnn' | 'gru')[]; seeds: number; hidden: number; steps: number }): Promise<{ wall: number; firstEvent: number[]; runTime: number[] }> {
  const corpus = lab.createTaskCorpus('recall', { length: 4000 }).corpus.id;
  const { experiment } = lab.createExperiment({
    corpusId: corpus,
    spec: { cells: spec.cells, seeds: spec.seeds, budget: { mode: 'hidden', hidden: spec.hidden }, train: { steps: spec.steps, seqLen: 16, batch: 4 }, cadence: { evalEvery: spec.steps, checkpointEvery: spec.steps } },
  });
  const started = new Map<number, number>();
  const firstEvent: number[] = [];
  const runTime: number[] = [];
  const seen = new Set<number>();
  const off = lab.on((e) => {
    const now = performance.now();
    if (e.type === 'run' && e.run.status === 'running' && !started.has(e.run.id)) started.set(e.run.id, now);
    if (e.type === 'metrics' && !seen.has(e.runId) && started.has(e.runId)) {
      seen.add(e.runId);
      firstEvent.push(now - started.get(e.runId)!);
    }
    if (e.type === 'run' && e.run.status === 'completed' && started.has(e.run.id)) runTime.push(now - started.get(e.run.id)!);
  });
  const t0 = performance.now();
  lab.runExperiment(experiment.id);
  await lab.whenIdle();
  off();
  return { wall: performance.now() - t0, firstEvent, runTime };
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-remote-bench-'));
  const db = (name: string): string => join(dir, `${name}.db`);
  const ms = (x: number): string => `${x.toFixed(0)} ms`;
  try {
    // overhead: 20 runs of one step, one at a time
    const one = { cells: ['rnn' as const], seeds: 20, hidden: 8, steps: 1 };
    let lab = Lab.open({ db: db('local-1'), workers: 1 });
    const local = await timeRuns(lab, one);
    await lab.close();
    let workers = [await startWorker(redis.url, 0)];
    lab = Lab.open({ db: db('remote-1'), remote: { url: redis.url } });
    const remote = await timeRuns(lab, one);
    await lab.close();
    for (const w of workers) w.kill('SIGTERM');
    console.log(`overhead, 20 runs of 1 step one at a time (median): local pool: start to first metrics ${ms(median(local.firstEvent))}, start to completed ${ms(median(local.runTime))}, ${ms(local.wall / 20)} per run in all`);
    console.log(`  through Redis (1 worker): start to first metrics ${ms(median(remote.firstEvent))}, start to completed ${ms(median(remote.runTime))}, ${ms(remote.wall / 20)} per run in all`);

    // throughput: 12 runs
    const twelve = { cells: ['rnn' as const, 'gru' as const], seeds: 6, hidden: 48, steps: 1500 };
    for (const n of [1, 2, 3]) {
      lab = Lab.open({ db: db(`local-${n}x`), workers: n });
      const l = await timeRuns(lab, twelve);
      await lab.close();
      workers = await Promise.all(Array.from({ length: n }, (_, i) => startWorker(redis.url, i)));
      lab = Lab.open({ db: db(`remote-${n}x`), remote: { url: redis.url } });
      // capacity comes with the first heartbeats
      while (lab.execution().mode === 'redis' && (lab.execution() as { workers: unknown[] }).workers.length < n) await new Promise((r) => setTimeout(r, 100));
      const r = await timeRuns(lab, twelve);
      await lab.close();
      for (const w of workers) w.kill('SIGTERM');
      await new Promise((res) => setTimeout(res, 500));
      console.log(`12 runs on ${n}: local pool of ${n} thread(s) ${(l.wall / 1000).toFixed(1)} s (${(12 / (l.wall / 60000)).toFixed(1)} runs/min); ${n} worker process(es) ${(r.wall / 1000).toFixed(1)} s (${(12 / (r.wall / 60000)).toFixed(1)} runs/min)`);
    }
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
