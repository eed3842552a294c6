/**
 * What the lab and its remote workers share in Redis, besides BullMQ's own keys:
 *
 * - blobs: large byte payloads (a corpus's token ids, checkpoints, initial weights) under
 *   rnnlab:blob:SHA256 as a list of chunks, so no Redis value or job payload holds a whole
 *   checkpoint; content-addressed, so a corpus's ids are written once and read by every run of it.
 * - a stream per run (rnnlab:run:ID:events): everything the run reports, in order. A stream rather
 *   than job progress: progress keeps only its latest value, while a stream keeps every event
 *   until the lab has recorded the run's end, so what a worker reports while the lab is down waits
 *   there, and a restarted lab reads the run's stream again from its start.
 * - per run: the job that trains it, a pause or cancel request, and the last checkpoint a worker
 *   posted (where another worker resumes a stalled run).
 * - per worker: a heartbeat that expires when the worker stops sending it.
 */
import { createHash } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import { ioredis } from './deps.ts';
import type { RemoteWorkerInfo } from '../api/contract.ts';
import type { ModelConfig, TrainConfig } from '../../src-worker/engine/config.ts';
import type { Cadence, TrainEvent, TrainResult } from '../../src-worker/train-report.ts';
import type { RedisTarget } from './redis-url.ts';

export const PREFIX = 'rnnlab';
/** BullMQ's prefix for its queues' keys */
export const BULL_PREFIX = `${PREFIX}:bull`;
/** one queue per kernel set, so a run always trains with the kernels it started with */
export const queueName = (kernelSet: string): string => `train-${kernelSet}`;

export const keys = {
  blob: (sha: string) => `${PREFIX}:blob:${sha}`,
  events: (runId: number) => `${PREFIX}:run:${runId}:events`,
  job: (runId: number) => `${PREFIX}:run:${runId}:job`,
  control: (runId: number) => `${PREFIX}:run:${runId}:control`,
  resume: (runId: number) => `${PREFIX}:run:${runId}:resume`,
  /** the checkpoint blobs a run's events name, deleted with its stream */
  runBlobs: (runId: number) => `${PREFIX}:run:${runId}:blobs`,
  workers: `${PREFIX}:workers`,
  worker: (id: string) => `${PREFIX}:worker:${id}`,
};

/** bytes per chunk of a blob */
const CHUNK = 1 << 20;
/** a corpus's ids stay this long after their last use, ms */
export const CORPUS_TTL_MS = 7 * 24 * 3600 * 1000;

/** A training task as a job: the TrainRequest with its buffers replaced by the blobs that hold them. */
export interface TrainJob {
  runId: number;
  model: ModelConfig;
  train: TrainConfig;
  cadence: Cadence;
  vocab: string[];
  trainIds: string;
  validIds: string;
  validMasks: { predictable: string; longRange: string } | null;
  resume: string | null;
  initWeights: string | null;
  elapsedBefore: number;
  bestValLoss: number | null;
  /** the step `resume` was saved at (0 for a fresh start) */
  resumeStep: number;
}

/** Where a worker that takes over a run resumes: the last 'last' checkpoint posted for it. */
export interface ResumePoint {
  step: number;
  state: string;
  elapsed: number;
  bestValLoss: number | null;
}

/** What a run's stream carries: the trainer's events (a checkpoint's state as a blob), a new attempt's start, and the end. */
export type StreamEvent =
  | Exclude<TrainEvent, { type: 'checkpoint' }>
  | { type: 'checkpoint'; step: number; kind: 'last' | 'best'; valLoss: number | null; state: string }
  /** an attempt begins from `from`: what was reported after it is reported again */
  | { type: 'attempt'; from: number; worker: string }
  | { type: 'end'; result: TrainResult };

/** A worker's heartbeat: what the app shows of it. */
export type Heartbeat = RemoteWorkerInfo;

export const HEARTBEAT_MS = 2000;
/** a worker silent this long is gone */
export const HEARTBEAT_TTL_MS = 4 * HEARTBEAT_MS;

/** ioredis's options for a target: where, who (AUTH) and how (TLS). */
export function redisOptions(target: RedisTarget): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    username: target.username,
    password: target.password,
    ...(target.tls ? { tls: { servername: target.host } } : {}),
  };
}

/** A connection that waits out an outage: commands queue until it is back (BullMQ's blocking connections need this too). */
export function connect(target: RedisTarget, opts: { onError?: (e: Error) => void } = {}): Redis {
  const redis = new (ioredis().Redis)({ ...redisOptions(target), maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 2000) });
  redis.on('error', (e: Error) => opts.onError?.(e));
  return redis;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Stores bytes as a blob unless it is there already; returns its key's hash. Written under a
 * temporary key and renamed, so a reader never sees half a blob.
 */
export async function putBlob(redis: Redis, bytes: Uint8Array, ttlMs?: number): Promise<string> {
  const sha = sha256(bytes);
  const key = keys.blob(sha);
  if (await redis.exists(key)) {
    if (ttlMs) await redis.pexpire(key, ttlMs);
    return sha;
  }
  const tmp = `${key}:writing:${process.pid}:${Math.random().toString(36).slice(2)}`;
  const m = redis.multi().del(tmp);
  // an empty blob is one empty chunk, so that it exists
  if (bytes.length === 0) m.rpush(tmp, Buffer.alloc(0));
  for (let at = 0; at < bytes.length; at += CHUNK) {
    m.rpush(tmp, Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(CHUNK, bytes.length - at)));
  }
  m.rename(tmp, key);
  if (ttlMs) m.pexpire(key, ttlMs);
  await m.exec();
  return sha;
}

export class BlobError extends Error {}

/**
 * Reads a blob into a SharedArrayBuffer (what the trainer's threads share), refusing one larger
 * than maxBytes before reading it and one whose bytes do not hash to its name.
 */
export async function getBlob(redis: Redis, sha: string, maxBytes: number): Promise<SharedArrayBuffer> {
  if (!/^[0-9a-f]{64}$/.test(sha)) throw new BlobError(`${JSON.stringify(sha)} is not a blob name (64 hex digits)`);
  const key = keys.blob(sha);
  const chunks = await redis.llen(key);
  if (chunks === 0) throw new BlobError(`blob ${sha.slice(0, 12)} is not in Redis (expired, or Redis was emptied)`);
  if ((chunks - 1) * CHUNK > maxBytes) throw new BlobError(`blob ${sha.slice(0, 12)} is larger than the ${maxBytes} bytes allowed`);
  const parts = await redis.lrangeBuffer(key, 0, -1);
  const total = parts.reduce((n, p) => n + p.length, 0);
  if (total > maxBytes) throw new BlobError(`blob ${sha.slice(0, 12)} has ${total} bytes, more than the ${maxBytes} allowed`);
  const out = new SharedArrayBuffer(total);
  const view = new Uint8Array(out);
  let at = 0;
  for (const p of parts) {
    view.set(p, at);
    at += p.length;
  }
  if (sha256(view) !== sha) throw new BlobError(`blob ${sha.slice(0, 12)}'s bytes do not match its hash`);
  return out;
}
