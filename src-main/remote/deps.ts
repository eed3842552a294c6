/**
 * bullmq and ioredis, loaded on first use. Imported statically they cost every `rnn-lab` command
 * and every lab about 0.6 s of start-up (their CommonJS modules are read and parsed), Redis or
 * not; a command that never talks to Redis should not wait for them.
 */
import { createRequire } from 'node:module';
import type * as BullMQ from 'bullmq';
import type * as IORedis from 'ioredis';

const require = createRequire(import.meta.url);

export function bullmq(): typeof BullMQ {
  return require('bullmq') as typeof BullMQ;
}

export function ioredis(): typeof IORedis {
  return require('ioredis') as typeof IORedis;
}
