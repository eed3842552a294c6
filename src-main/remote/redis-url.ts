/**
 * The Redis URL a lab or a worker connects to, checked before anything connects: redis:// (plain)
 * or rediss:// (TLS), a password in the URL for Redis AUTH (redis://:PASSWORD@host:6379, or
 * redis://USER:PASSWORD@host for an ACL user), and an optional database number as the path.
 *
 * A plain redis:// connection to another machine without a password lets anyone on the network
 * read the corpora and checkpoints in it and hand workers runs, so it is refused unless the user
 * says --insecure (a trusted network, a tunnel).
 */
import { isLoopback } from '../server/loopback.ts';

export class RedisUrlError extends Error {}

export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** the URL with its password replaced by ***, for messages and the app */
  shown: string;
}

export function parseRedisUrl(url: string, opts: { insecure?: boolean } = {}): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisUrlError(`the Redis URL ${JSON.stringify(url)} cannot be read; write it as redis://HOST:PORT (or rediss:// for TLS)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new RedisUrlError(`the Redis URL must start with redis:// or rediss:// (TLS), got ${JSON.stringify(u.protocol)}`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new RedisUrlError('the Redis URL names no host; write it as redis://HOST:PORT');
  const port = u.port === '' ? 6379 : Number(u.port);
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isSafeInteger(db) || db < 0) throw new RedisUrlError(`the Redis URL's path must be a database number, got ${JSON.stringify(u.pathname)}`);
  const password = u.password === '' ? undefined : decodeURIComponent(u.password);
  const username = u.username === '' ? undefined : decodeURIComponent(u.username);
  const tls = u.protocol === 'rediss:';
  if (!tls && password === undefined && !isLoopback(host) && !opts.insecure) {
    throw new RedisUrlError(
      `refusing redis://${host}: a plain connection to another machine needs a password (redis://:PASSWORD@${host}:${port}, Redis AUTH), `
        + 'or TLS (rediss://), or --insecure on a network you trust',
    );
  }
  const shown = password === undefined ? u.toString() : u.toString().replace(`:${u.password}@`, ':***@');
  return { host, port, db, username, password, tls, shown };
}
