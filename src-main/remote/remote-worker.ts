/**
 * `rnn-lab worker`: takes runs from its kernel set's queue in Redis and trains them with the local
 * pool (PiscinaExecutor over train.worker, the very code path of a run in the lab), posting what
 * they report to each run's stream (wire.ts). It never opens a database: everything it needs is in
 * the job and its blobs.
 *
 * A worker that dies or loses Redis stops renewing its jobs' locks; BullMQ's stalled-job check in
 * another worker then moves the job back to the queue, and whoever takes it resumes from the last
 * checkpoint posted for the run (its resume point), posting an 'attempt' event first. Every post
 * is fenced by the job's lock: a worker cut off that comes back after its job moved on finds the
 * lock gone, posts nothing more, and drops the run.
 */
// first: relaxed SIMD on, so this process's default kernel set is the one its train threads use
import '../../src-worker/wasm-features.ts';
import { randomUUID } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import type { Job, Worker } from 'bullmq';
import { bullmq } from './deps.ts';
import type { Redis } from 'ioredis';
import { defaultKernelName } from '../../src-worker/engine/kernel-sets.ts';
import type { TrainEvent, TrainResult } from '../../src-worker/train-report.ts';
import { thisMachine } from '../lab/estimate.ts';
import { DEFAULT_MAX_BYTES } from '../lab/corpora.ts';
import { PiscinaExecutor } from '../pool/piscina-executor.ts';
import { TrainingPool } from '../pool/pool.ts';
import type { RedisTarget } from './redis-url.ts';
import { checkIds, checkMemory, JobRefused, validateJob } from './validate-job.ts';
import { BULL_PREFIX, BlobError, connect, getBlob, HEARTBEAT_MS, HEARTBEAT_TTL_MS, keys, putBlob, queueName, type Heartbeat, type ResumePoint, type StreamEvent, type TrainJob } from './wire.ts';

export interface WorkerOptions {
  name: string;
  /** runs trained at once */
  concurrency: number;
  /** threads one run may take */
  threads: number;
  /** ms a worker may go silent before another takes its runs (BullMQ's lock duration) */
  stallMs: number;
  /** where it says what it does */
  log: (line: string) => void;
}

/** checkpoints and initial weights: SQLite's largest value, where the lab keeps them */
const MAX_STATE_BYTES = 1_000_000_000;
/** token ids: two bytes a character of the largest corpus the lab imports */
const MAX_IDS_BYTES = 2 * DEFAULT_MAX_BYTES;
const CONTROL_POLL_MS = 250;

/** XADD to the run's stream only while this attempt holds the job's lock. */
const FENCED_XADD = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('XADD', KEYS[2], '*', 'e', ARGV[2]) end return false`;

class LostJob extends Error {}

export class RemoteWorker {
  readonly id = randomUUID();
  readonly kernelSet = defaultKernelName();
  private readonly redis: Redis;
  private readonly pool: TrainingPool;
  private readonly executor: PiscinaExecutor;
  private readonly worker: Worker<TrainJob, TrainResult>;
  /** the worker's blocking connection (BullMQ leaves a connection it was given open) */
  private readonly workerConnection: Redis;
  private readonly running = new Map<number, number>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly stopping = new Set<() => void>();

  constructor(target: RedisTarget, private readonly opts: WorkerOptions) {
    let down = false;
    this.redis = connect(target, {
      onError: (e) => {
        if (!down) opts.log(`redis: ${e.message || String(e)}; runs in progress go on, their reports wait`);
        down = true;
      },
    });
    this.redis.on('ready', () => {
      if (down) opts.log('redis: connected again');
      down = false;
    });
    this.pool = new TrainingPool({ maxThreads: opts.concurrency });
    this.executor = new PiscinaExecutor(opts.concurrency, () => this.pool);
    const queue = queueName(this.kernelSet);
    this.workerConnection = this.redis.duplicate();
    this.worker = new (bullmq().Worker)<TrainJob, TrainResult>(queue, (job, token) => this.process(job, token ?? ''), {
      connection: this.workerConnection,
      prefix: BULL_PREFIX,
      concurrency: opts.concurrency,
      lockDuration: opts.stallMs,
      stalledInterval: Math.max(500, Math.floor(opts.stallMs / 2)),
      maxStalledCount: 3,
    });
    this.worker.on('error', () => undefined); // the connection's errors are said above
    this.worker.on('failed', (job, e) => opts.log(`run ${job?.data?.runId ?? '?'}: job failed: ${e.message}`));
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    void this.beat();
    opts.log(`worker ${opts.name}: ${opts.concurrency} run(s) at once, up to ${opts.threads} thread(s) each, ${this.kernelSet} kernels, on ${target.shown} (queue ${queue})`);
  }

  /** Stops taking runs; runs in progress pause with a checkpoint (the lab shows them paused). */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const stop of this.stopping) stop();
    await this.worker.close();
    this.workerConnection.disconnect();
    await this.redis.del(keys.worker(this.id)).catch(() => undefined);
    await this.redis.srem(keys.workers, this.id).catch(() => undefined);
    await this.pool.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async beat(): Promise<void> {
    const beat: Heartbeat = {
      id: this.id, name: this.opts.name, host: hostname(), cores: availableParallelism(),
      concurrency: this.opts.concurrency, threads: this.opts.threads, kernelSet: this.kernelSet,
      running: [...this.running].map(([runId, step]) => ({ runId, step })), lastHeartbeat: Date.now(),
    };
    await this.redis.multi().set(keys.worker(this.id), JSON.stringify(beat), 'PX', HEARTBEAT_TTL_MS).sadd(keys.workers, this.id).exec().catch(() => undefined);
  }

  private async process(job: Job<TrainJob, TrainResult>, token: string): Promise<TrainResult> {
    let data: TrainJob;
    try {
      data = validateJob(job.data, this.opts);
    } catch (e) {
      if (e instanceof JobRefused) throw new (bullmq().UnrecoverableError)(`refused: ${e.message}`);
      throw e;
    }
    const runId = data.runId;
    const lockKey = `${BULL_PREFIX}:${job.queueName}:${job.id}:lock`;
    const post = async (ev: StreamEvent): Promise<void> => {
      const added = await this.redis.eval(FENCED_XADD, 2, lockKey, keys.events(runId), token, JSON.stringify(ev));
      if (added === null) throw new LostJob(`run ${runId}: the job moved to another worker`);
    };
    const { from, ...task } = await this.taskOf(data);
    this.opts.log(`run ${runId}: ${task.resume ? `resuming at step ${from}` : 'starting'} (${data.model.cell}, ${data.train.steps} steps)`);
    this.running.set(runId, from);
    await post({ type: 'attempt', from, worker: this.opts.name });

    // the pool's events arrive synchronously; their posts go out one after another, in order
    let chain = Promise.resolve();
    let lost: LostJob | null = null;
    let best = task.bestValLoss;
    let elapsed = task.elapsedBefore;
    const handle = this.executor.start({ ...task, kernelSet: this.kernelSet }, (ev) => {
      if (ev.type === 'metrics' && ev.rows.length) {
        const last = ev.rows[ev.rows.length - 1];
        this.running.set(runId, last.step);
        elapsed = last.wallSeconds;
      }
      if (ev.type === 'eval' && Number.isFinite(ev.valLoss) && (best === null || ev.valLoss < best)) best = ev.valLoss;
      const bestThen = best;
      const elapsedThen = elapsed;
      chain = chain.then(() => this.report(runId, ev, post, bestThen, elapsedThen)).catch((e: unknown) => {
        if (e instanceof LostJob) {
          lost ??= e;
          handle.cancel();
        } else throw e;
      });
    });
    const stop = (): void => handle.pause();
    this.stopping.add(stop);
    const control = setInterval(() => {
      void this.redis.get(keys.control(runId)).then((c) => {
        if (c === 'pause') handle.pause();
        else if (c === 'cancel') handle.cancel();
      }, () => undefined);
    }, CONTROL_POLL_MS);
    try {
      const result = await handle.result;
      await chain;
      if (lost) throw lost;
      await post({ type: 'end', result });
      this.opts.log(`run ${runId}: ${result.status} at step ${result.step}${result.status === 'failed' ? `: ${result.error}` : ''}`);
      return result;
    } finally {
      clearInterval(control);
      this.stopping.delete(stop);
      this.running.delete(runId);
    }
  }

  /** A trainer's event onto the stream; a 'last' checkpoint also becomes the run's resume point. */
  private async report(runId: number, ev: TrainEvent, post: (ev: StreamEvent) => Promise<void>, best: number | null, elapsed: number): Promise<void> {
    if (ev.type !== 'checkpoint') return post(ev);
    const sha = await putBlob(this.redis, new Uint8Array(ev.state));
    await this.redis.sadd(keys.runBlobs(runId), sha);
    await post({ type: 'checkpoint', step: ev.step, kind: ev.kind, valLoss: ev.valLoss, state: sha });
    if (ev.kind === 'last') {
      const point: ResumePoint = { step: ev.step, state: sha, elapsed, bestValLoss: best };
      await this.redis.set(keys.resume(runId), JSON.stringify(point));
    }
  }

  /** The job's blobs read and checked, from its resume point if a worker before this one posted a later checkpoint. */
  private async taskOf(j: TrainJob) {
    const get = (sha: string, max: number): Promise<SharedArrayBuffer> =>
      getBlob(this.redis, sha, max).catch((e: unknown) => {
        // a missing or damaged blob will not come back: no retry
        if (e instanceof BlobError) throw new (bullmq().UnrecoverableError)(`run ${j.runId}: ${e.message}`);
        throw e;
      });
    const point = await this.redis.get(keys.resume(j.runId)).then((s) => (s ? (JSON.parse(s) as ResumePoint) : null));
    const later = point && point.step > j.resumeStep ? point : null;
    const trainIds = await get(j.trainIds, MAX_IDS_BYTES);
    const validIds = await get(j.validIds, MAX_IDS_BYTES);
    try {
      checkIds('the training text', new Uint16Array(trainIds), j.model.vocabSize);
      checkIds('the validation text', new Uint16Array(validIds), j.model.vocabSize);
      checkMemory(j, { trainChars: trainIds.byteLength / 2, validChars: validIds.byteLength / 2 }, thisMachine(this.opts.concurrency * this.opts.threads));
    } catch (e) {
      if (e instanceof JobRefused) throw new (bullmq().UnrecoverableError)(`refused: ${e.message}`);
      throw e;
    }
    const validMasks = j.validMasks && { predictable: await get(j.validMasks.predictable, validIds.byteLength / 2), longRange: await get(j.validMasks.longRange, validIds.byteLength / 2) };
    const resumeSha = later ? later.state : j.resume;
    const resume = resumeSha ? copy(await get(resumeSha, MAX_STATE_BYTES)) : null;
    const initWeights = j.initWeights ? copy(await get(j.initWeights, MAX_STATE_BYTES)) : null;
    return {
      runId: j.runId, model: j.model, train: j.train, cadence: j.cadence, vocab: j.vocab,
      trainIds, validIds, validMasks, resume, initWeights,
      elapsedBefore: later ? later.elapsed : j.elapsedBefore,
      bestValLoss: later ? later.bestValLoss : j.bestValLoss,
      from: later ? later.step : j.resumeStep,
    };
  }
}

/** the trainer takes a resume state and weights as plain ArrayBuffers */
function copy(b: SharedArrayBuffer): ArrayBuffer {
  const out = new ArrayBuffer(b.byteLength);
  new Uint8Array(out).set(new Uint8Array(b));
  return out;
}
