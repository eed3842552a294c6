/**
 * Runs on `rnn-lab worker` processes through a real Redis: an experiment of 6 runs spread over
 * three workers, a worker killed mid-run (SIGKILL), the lab killed mid-experiment and started
 * again, each ending with exactly what a local run of the same experiment records (every metric
 * row, evaluation, sample and checkpoint, timings aside).
 */
import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeSandboxes, sandbox, waitFor, within, type Sandbox } from '../cli/cli-helpers.ts';
import { experiment, hasRedis, history, REDIS_SERVER, startRedis, startWorker, type RedisProcess, type WorkerProcess } from './support.ts';

const MINUTE = 60_000;

describe.skipIf(!hasRedis)(`remote workers through Redis (needs ${REDIS_SERVER})`, () => {
  let redis: RedisProcess;
  let local: unknown;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const s = sandbox('remote-local');
    const id = await experiment(s);
    await s.ok('experiment', 'run', id, '--workers', 2);
    local = history(s);
  }, 2 * MINUTE);

  afterAll(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
    await redis?.stop();
    removeSandboxes();
  });

  async function withWorkers(s: Sandbox, n: number): Promise<WorkerProcess[]> {
    const ws = await Promise.all(Array.from({ length: n }, (_, i) => startWorker(redis.url, `${s.dir.slice(-6)}-w${i + 1}`, s.dir)));
    workers.push(...ws);
    return ws;
  }

  /** A sandbox with the experiment, and n workers for it. */
  async function setUp(name: string, n: number): Promise<{ s: Sandbox; id: number; ws: WorkerProcess[] }> {
    const s = sandbox(name);
    const id = await experiment(s);
    return { s, id, ws: await withWorkers(s, n) };
  }

  async function retire(ws: WorkerProcess[]): Promise<void> {
    await Promise.all(ws.map((w) => w.stop()));
  }

  it('trains an experiment of 6 runs across three workers, each taking some, as a local run records it', async () => {
    const { s, id, ws } = await setUp('remote-six', 3);
    const r = await within(s.spawn('experiment', 'run', id, '--redis', redis.url), 2 * MINUTE);
    expect(r.code, r.stderr).toBe(0);
    for (const w of ws) expect(w.started().length, `${w.name} took no run:\n${w.log}`).toBeGreaterThan(0);
    expect(ws.flatMap((w) => w.started()).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(history(s)).toEqual(local);
    await retire(ws);
  }, 3 * MINUTE);

  it('hands the run of a worker killed mid-run (SIGKILL) to another, which resumes it from its last checkpoint to the same end', async () => {
    const { s, id, ws } = await setUp('remote-kill', 2);
    const lab = s.spawn('experiment', 'run', id, '--redis', redis.url);
    // a run past its first checkpoint and not yet at its end, and the worker that trains it
    let victim: { worker: WorkerProcess; runId: number } | null = null;
    await waitFor('a run in the middle of its training', () => {
      const mid = s.read((db) => db.prepare(`SELECT r.id FROM runs r JOIN checkpoints c ON c.run_id = r.id AND c.kind = 'last'
        WHERE r.status = 'running' AND c.step >= 40 AND r.step < 320`).get() as { id: number } | undefined);
      const worker = mid && ws.find((w) => w.started().includes(mid.id) && !w.completed().includes(mid.id));
      if (mid && worker) victim = { worker, runId: mid.id };
      return victim !== null;
    }, 2 * MINUTE, 5);
    const { worker, runId } = victim!;
    await worker.stop('SIGKILL');
    const r = await within(lab, 2 * MINUTE);
    expect(r.code, r.stderr).toBe(0);
    const survivor = ws.find((w) => w !== worker)!;
    const resumed = survivor.resumed().find((x) => x.runId === runId);
    expect(resumed, `the survivor did not resume run ${runId}:\n${survivor.log}`).toBeDefined();
    expect(resumed!.step).toBeGreaterThanOrEqual(40);
    expect(history(s)).toEqual(local);
    await retire([survivor]);
  }, 4 * MINUTE);

  it('loses nothing and trains nothing twice when the lab is killed mid-experiment and started again', async () => {
    const { s, id, ws } = await setUp('remote-restart', 2);
    const first = s.spawn('experiment', 'run', id, '--redis', redis.url);
    await waitFor('a run completed and others running', () => s.read((db) =>
      (db.prepare(`SELECT count(*) AS n FROM runs WHERE status = 'completed'`).get() as { n: number }).n >= 1
      && (db.prepare(`SELECT count(*) AS n FROM runs WHERE status = 'running' AND step > 0`).get() as { n: number }).n >= 1), 2 * MINUTE, 5);
    first.child.kill('SIGKILL');
    await first.done;
    const doneBefore = ws.flatMap((w) => w.completed()).length;
    // the workers go on while no lab listens: what they report waits in Redis
    await waitFor('a run completed with the lab down', () => ws.flatMap((w) => w.completed()).length > doneBefore, 2 * MINUTE);
    const second = await within(s.spawn('experiment', 'run', id, '--redis', redis.url), 2 * MINUTE);
    expect(second.code, second.stderr).toBe(0);
    expect(ws.flatMap((w) => w.started()).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ws.flatMap((w) => w.resumed())).toEqual([]);
    expect(history(s)).toEqual(local);
    await retire(ws);
  }, 4 * MINUTE);

  it('refuses a job that fails the validation of a local run, naming why, and trains nothing', async () => {
    const s = sandbox('remote-refuse');
    const [w] = await withWorkers(s, 1);
    const name = /\(queue ([\w-]+)\)/.exec(w.log)![1];
    const { port } = new URL(redis.url);
    const queue = new Queue(name, { connection: { host: '127.0.0.1', port: Number(port) }, prefix: 'rnnlab:bull' });
    const sha = 'a'.repeat(64);
    const good = {
      runId: 99, model: { cell: 'rnn', vocabSize: 2, hidden: 8, layers: 1, embedding: 0, dropout: 0, init: 'pytorch', forgetBias: 1 },
      train: { seqLen: 8, batch: 2, steps: 10 }, cadence: { metricsEvery: 1, evalEvery: 5, evalChars: 0, sampleEvery: 0, sampleLength: 10, checkpointEvery: 5 },
      vocab: ['a', 'b'], trainIds: sha, validIds: sha, validMasks: null, resume: null, initWeights: null, elapsedBefore: 0, bestValLoss: null, resumeStep: 0,
    };
    const cases: [unknown, RegExp][] = [
      [{ ...good, model: { ...good.model, hidden: 1e9 } }, /^refused: hidden: must be a whole number from 1 to 8192, got 1000000000$/],
      [{ ...good, train: { ...good.train, optimizer: { name: 'rm -rf' } } }, /^refused: optimizer.name: unknown optimizer "rm -rf"/],
      [{ ...good, evil: true }, /refused: the job has unknown fields: evil/],
      [{ ...good, vocab: ['a'] }, /refused: vocab must be 2 characters/],
      [{ ...good, cadence: { ...good.cadence, evalEvery: 0 } }, /refused: cadence.evalEvery must be a whole number from 1/],
      [{ ...good, trainIds: '../../etc/passwd' }, /refused: trainIds must name a blob/],
      [{ ...good, train: { ...good.train, threads: 2 } }, /refused: the run trains on 2 threads but this worker gives a run at most 1/],
      [[1, 2, 3], /refused: the job is not an object/],
    ];
    try {
      const jobs = await Promise.all(cases.map(([data], i) => queue.add('train', data, { jobId: `bad-${i}`, attempts: 3 })));
      for (const t0 = Date.now(); (await queue.getFailedCount()) < cases.length;) {
        if (Date.now() - t0 > 2 * MINUTE) throw new Error(`the worker did not refuse every job; its log:\n${w.log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const [i, [, reason]] of cases.entries()) {
        const job = await Job.fromId(queue, jobs[i].id!);
        expect(await job!.getState()).toBe('failed');
        expect(job!.failedReason).toMatch(reason);
        // refused for good, not retried
        expect(job!.attemptsMade).toBe(1);
      }
      expect(w.started()).toEqual([]);
    } finally {
      await queue.close();
      await retire([w]);
    }
  }, 3 * MINUTE);
});
