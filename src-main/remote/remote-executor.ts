/**
 * The scheduler's second executor: runs trained by `rnn-lab worker` processes on other machines
 * (or this one), through BullMQ on Redis. A run becomes a job on its kernel set's queue, with its
 * corpus and checkpoint as blobs; its events come back on its stream (wire.ts), read by one
 * StreamReader; pause and cancel go out through the run's control key. Capacity is what the
 * workers' heartbeats offer, so the scheduler hands over only what they can train now and the
 * rest waits in the lab's queue, where it can still be reordered, paused or cancelled.
 *
 * A run whose job is still in Redis when the lab opens again (it crashed, or was stopped without
 * pausing) is followed again rather than trained twice: `start` finds its job and reads its stream
 * from the beginning.
 */
import type { Queue, QueueEvents } from 'bullmq';
import { bullmq } from './deps.ts';
import type { Redis } from 'ioredis';
import type { TrainResult } from '../../src-worker/train-report.ts';
import { stateStep } from '../pool/pool.ts';
import type { RunEvent, RunHandle, TrainingExecutor, TrainRequest } from '../lab/executor.ts';
import type { RedisTarget } from './redis-url.ts';
import { StreamReader } from './stream-reader.ts';
import { BULL_PREFIX, connect, CORPUS_TTL_MS, getBlob, keys, putBlob, queueName, type Heartbeat, type StreamEvent, type TrainJob } from './wire.ts';
import { WorkersWatch } from './workers-watch.ts';

/** the largest checkpoint the lab reads back: SQLite's largest value */
const MAX_CHECKPOINT_BYTES = 1_000_000_000;

export interface RemoteStatus {
  url: string;
  connected: boolean;
  /** the connection's last error while it is down */
  error: string | null;
  workers: Heartbeat[];
}

interface Tracked {
  runId: number;
  queue: string;
  jobId: string;
  lastStep: number;
  resolve(r: TrainResult): void;
  failure: string | null;
}

export class RemoteExecutor implements TrainingExecutor {
  private conn: { main: Redis; reader: Redis; watch: WorkersWatch; streams: StreamReader } | null = null;
  private readonly queues = new Map<string, { queue: Queue; events: QueueEvents; eventsConnection: Redis }>();
  private readonly tracked = new Map<number, Tracked>();
  private readonly capacityListeners = new Set<() => void>();
  private readonly sha = new WeakMap<ArrayBufferLike, string>();
  private connected = false;
  private lastError: string | null = null;

  constructor(
    private readonly target: RedisTarget,
    /** the connection went down (with the error) or came back (null) */
    private readonly onConnection: (error: string | null) => void = () => undefined,
  ) {}

  get threads(): number {
    return this.connection().watch.threads;
  }

  onCapacityChange(listener: () => void): void {
    this.capacityListeners.add(listener);
  }

  status(): RemoteStatus {
    const c = this.connection();
    return { url: this.target.shown, connected: this.connected, error: this.connected ? null : this.lastError, workers: c.watch.workers };
  }

  /** Of these runs, those that have a job in Redis (trained by a worker while no lab followed them). */
  async inRedis(runIds: number[]): Promise<number[]> {
    const { main } = this.connection();
    const found = await Promise.all(runIds.map((id) => main.exists(keys.job(id))));
    return runIds.filter((_, i) => found[i] > 0);
  }

  start(request: TrainRequest, onEvent: (ev: RunEvent) => void): RunHandle {
    const runId = request.runId;
    let resolve!: (r: TrainResult) => void;
    const result = new Promise<TrainResult>((r) => (resolve = r));
    const t: Tracked = { runId, queue: '', jobId: '', lastStep: 0, resolve: () => undefined, failure: null };
    let settled = false;
    t.resolve = (r) => {
      if (settled) return;
      settled = true;
      this.tracked.delete(runId);
      resolve(r);
    };
    const deliver = (ev: RunEvent): void => {
      try {
        onEvent(ev);
      } catch (e) {
        console.error(`run ${runId}: event handler threw:`, e);
      }
    };
    let stopping: 'pause' | 'cancel' | null = null;
    const begun = this.submit(request, t).then(
      () => {
        this.tracked.set(runId, t);
        this.connection().streams.follow(runId, {
          onEvent: (ev) => this.onStreamEvent(t, ev, deliver),
          onDrained: () => t.resolve({ status: 'failed', step: t.lastStep, error: t.failure ?? 'the job ended without a result' }),
        });
        if (stopping) void this.stop(t, stopping);
      },
      (e: unknown) => t.resolve({ status: 'failed', step: t.lastStep, error: `could not hand the run to Redis: ${(e as Error).message}` }),
    );
    const stop = (how: 'pause' | 'cancel'): void => {
      if (settled || stopping) return;
      stopping = how;
      void begun.then(() => (t.jobId ? this.stop(t, how) : undefined));
    };
    return { result, pause: () => stop('pause'), cancel: () => stop('cancel') };
  }

  async close(): Promise<void> {
    if (!this.conn) return;
    const { main, reader, watch, streams } = this.conn;
    watch.stop();
    streams.stop();
    await Promise.all([...this.queues.values()].flatMap((q) => [q.queue.close(), q.events.close()]));
    // BullMQ leaves connections it was given open
    for (const q of this.queues.values()) q.eventsConnection.disconnect();
    this.queues.clear();
    reader.disconnect();
    await main.quit().catch(() => main.disconnect());
    this.conn = null;
  }

  private connection(): NonNullable<RemoteExecutor['conn']> {
    if (this.conn) return this.conn;
    const onError = (e: Error): void => {
      const message = e.message || (e as NodeJS.ErrnoException).code || String(e);
      if (this.connected || this.lastError === null) this.onConnection(message);
      this.connected = false;
      this.lastError = message;
    };
    const main = connect(this.target, { onError });
    main.on('ready', () => {
      if (!this.connected && this.lastError !== null) this.onConnection(null);
      this.connected = true;
    });
    const reader = connect(this.target, { onError: () => undefined });
    const watch = new WorkersWatch(main, onError);
    watch.onChange(() => {
      for (const l of this.capacityListeners) l();
    });
    watch.start();
    this.conn = { main, reader, watch, streams: new StreamReader(reader, main, onError) };
    return this.conn;
  }

  private bull(name: string): { queue: Queue; events: QueueEvents; eventsConnection: Redis } {
    let q = this.queues.get(name);
    if (q) return q;
    const { main } = this.connection();
    const queue = new (bullmq().Queue)(name, { connection: main, prefix: BULL_PREFIX });
    const eventsConnection = main.duplicate();
    const events = new (bullmq().QueueEvents)(name, { connection: eventsConnection, prefix: BULL_PREFIX });
    // a job that failed for good (refused, or stalled too often): its worker posted no end
    events.on('failed', ({ jobId, failedReason }) => {
      const t = [...this.tracked.values()].find((x) => x.jobId === jobId && x.queue === name);
      if (!t) return;
      void bullmq().Job.fromId(queue, jobId).then(async (job) => {
        if ((await job?.getState()) !== 'failed') return; // it will be retried
        t.failure = failedReason;
        this.connection().streams.drain(t.runId);
      });
    });
    q = { queue, events, eventsConnection };
    this.queues.set(name, q);
    return q;
  }

  /** Finds the run's job in Redis, or makes one: its blobs, then the job on its kernel set's queue. */
  private async submit(request: TrainRequest, t: Tracked): Promise<void> {
    const { main, watch } = this.connection();
    const runId = request.runId;
    const existing = await main.get(keys.job(runId));
    if (existing) {
      const [queue, jobId] = JSON.parse(existing) as [string, string];
      // a job that completed is gone from its queue, but its stream holds what it reported
      if ((await bullmq().Job.fromId(this.bull(queue).queue, jobId)) || (await main.exists(keys.events(runId)))) {
        Object.assign(t, { queue, jobId });
        return;
      }
    }
    const kernelSet = request.kernelSet ?? watch.kernelSets()[0];
    if (kernelSet === undefined) throw new Error('no worker is connected');
    await this.forget(runId);
    const job = await this.jobOf(request);
    const queue = queueName(kernelSet);
    const jobId = `run-${runId}-${Date.now().toString(36)}`;
    await main.set(keys.job(runId), JSON.stringify([queue, jobId]));
    await this.bull(queue).queue.add('train', job, {
      jobId,
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    });
    Object.assign(t, { queue, jobId, lastStep: job.resumeStep });
  }

  private async jobOf(r: TrainRequest): Promise<TrainJob> {
    const { main } = this.connection();
    const put = async (buf: ArrayBufferLike, ttl?: number): Promise<string> => {
      const known = this.sha.get(buf);
      if (known && (await main.pexpire(keys.blob(known), ttl ?? CORPUS_TTL_MS))) return known;
      const sha = await putBlob(main, new Uint8Array(buf), ttl);
      this.sha.set(buf, sha);
      return sha;
    };
    // the run's own blobs go with its stream when it ends
    const blob = async (b: ArrayBuffer): Promise<string> => {
      const sha = await putBlob(main, new Uint8Array(b));
      await main.sadd(keys.runBlobs(r.runId), sha);
      return sha;
    };
    return {
      runId: r.runId,
      model: r.model,
      train: r.train,
      cadence: r.cadence,
      vocab: r.vocab,
      trainIds: await put(r.trainIds, CORPUS_TTL_MS),
      validIds: await put(r.validIds, CORPUS_TTL_MS),
      validMasks: r.validMasks && { predictable: await put(r.validMasks.predictable, CORPUS_TTL_MS), longRange: await put(r.validMasks.longRange, CORPUS_TTL_MS) },
      resume: r.resume ? await blob(r.resume) : null,
      // the same weights start every run from one imported model: shared like the corpus, not deleted with a run
      initWeights: r.initWeights ? await put(r.initWeights, CORPUS_TTL_MS) : null,
      elapsedBefore: r.elapsedBefore,
      bestValLoss: r.bestValLoss,
      resumeStep: r.resume ? stateStep(r.resume) : 0,
    };
  }

  private async onStreamEvent(t: Tracked, ev: StreamEvent, deliver: (ev: RunEvent) => void): Promise<void> {
    switch (ev.type) {
      case 'attempt':
        t.lastStep = ev.from;
        deliver({ type: 'attempt', from: ev.from });
        return;
      case 'checkpoint': {
        let state: Uint8Array;
        try {
          state = new Uint8Array(await getBlob(this.connection().main, ev.state, MAX_CHECKPOINT_BYTES)).slice();
        } catch (e) {
          console.error(`run ${t.runId}: checkpoint at step ${ev.step} lost: ${(e as Error).message}`);
          return;
        }
        t.lastStep = Math.max(t.lastStep, ev.step);
        deliver({ type: 'checkpoint', step: ev.step, kind: ev.kind, valLoss: ev.valLoss, state: state.buffer as ArrayBuffer });
        return;
      }
      case 'end':
        this.connection().streams.unfollow(t.runId);
        await this.forget(t.runId, t);
        t.resolve(ev.result);
        return;
      case 'metrics':
        if (ev.rows.length) t.lastStep = Math.max(t.lastStep, ev.rows[ev.rows.length - 1].step);
        deliver(ev);
        return;
      default:
        t.lastStep = Math.max(t.lastStep, ev.step);
        deliver(ev);
    }
  }

  /** Asks the worker to stop the run; a job no worker has taken yet is taken out of its queue at once. */
  private async stop(t: Tracked, how: 'pause' | 'cancel'): Promise<void> {
    const { main, streams } = this.connection();
    await main.set(keys.control(t.runId), how);
    const job = await bullmq().Job.fromId(this.bull(t.queue).queue, t.jobId);
    const state = await job?.getState();
    if (job && (state === 'waiting' || state === 'delayed' || state === 'prioritized')) {
      const removed = await job.remove().then(() => true, () => false);
      if (!removed) return; // a worker took it meanwhile: it reads the request
      streams.unfollow(t.runId);
      await this.forget(t.runId, t);
      t.resolve({ status: how === 'pause' ? 'paused' : 'cancelled', step: t.lastStep });
    }
  }

  /** Deletes what Redis holds for a run (its stream, checkpoints, control and resume point; with t, its job too). */
  private async forget(runId: number, t?: Tracked): Promise<void> {
    const { main } = this.connection();
    const blobs = await main.smembers(keys.runBlobs(runId));
    await main.del(keys.events(runId), keys.job(runId), keys.control(runId), keys.resume(runId), keys.runBlobs(runId), ...blobs.map((s) => keys.blob(s)));
    if (t) await bullmq().Job.fromId(this.bull(t.queue).queue, t.jobId).then((j) => j?.remove()).catch(() => undefined);
  }
}
