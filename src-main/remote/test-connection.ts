/** The Execution setting's connection test: one connection to a Redis URL, the workers there, and closed again. */
import { ioredis } from './deps.ts';
import type { RemoteWorkerInfo } from '../api/contract.ts';
import { parseRedisUrl, RedisUrlError } from './redis-url.ts';
import { redisOptions } from './wire.ts';
import { readWorkers } from './workers-watch.ts';

/** how long the test waits for Redis to answer */
const TIMEOUT_MS = 3000;

export async function testRedis(url: string, opts: { insecure?: boolean }): Promise<{ ok: true; workers: RemoteWorkerInfo[] } | { ok: false; error: string }> {
  let target;
  try {
    target = parseRedisUrl(url, opts);
  } catch (e) {
    if (e instanceof RedisUrlError) return { ok: false, error: e.message };
    throw e;
  }
  const redis = new (ioredis().Redis)({
    ...redisOptions(target),
    lazyConnect: true, connectTimeout: TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null,
  });
  // the socket's error (ECONNREFUSED, a TLS or AUTH failure) says more than connect()'s "Connection is closed."
  let cause: string | null = null;
  redis.on('error', (e: Error) => (cause ??= e.message || String(e)));
  try {
    await redis.connect();
    await redis.ping();
    return { ok: true, workers: await readWorkers(redis) };
  } catch (e) {
    return { ok: false, error: `${target.shown}: ${cause ?? ((e as Error).message || String(e))}` };
  } finally {
    redis.disconnect();
  }
}
