/**
 * Where a lab or a worker may connect (the URL rules: AUTH, TLS, --insecure), and what the lab
 * says when Redis goes away.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/api/methods.ts';
import { Lab } from '../../src-main/lab/lab.ts';
import { parseRedisUrl } from '../../src-main/remote/redis-url.ts';
import { removeSandboxes, sandbox, waitFor } from '../cli/cli-helpers.ts';
import { repoRoot } from '../helpers.ts';
import { hasRedis, REDIS_SERVER, startRedis } from './support.ts';

afterAll(removeSandboxes);

describe('Redis URLs', () => {
  it('reads host, port, database, AUTH and TLS, and never shows the password', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6380/2')).toMatchObject({ host: '127.0.0.1', port: 6380, db: 2, tls: false, password: undefined });
    expect(parseRedisUrl('redis://localhost')).toMatchObject({ host: 'localhost', port: 6379, db: 0 });
    expect(parseRedisUrl('redis://[::1]:7000')).toMatchObject({ host: '::1', port: 7000 });
    const auth = parseRedisUrl('redis://lab:s%40cret@10.0.0.5:6379');
    expect(auth).toMatchObject({ host: '10.0.0.5', username: 'lab', password: 's@cret', tls: false });
    expect(auth.shown).toBe('redis://lab:***@10.0.0.5:6379');
    expect(parseRedisUrl('rediss://redis.example.org:6380')).toMatchObject({ host: 'redis.example.org', tls: true, password: undefined });
  });

  it('refuses plain redis:// to another machine without a password unless --insecure, naming the rule', () => {
    for (const url of ['redis://10.0.0.5:6379', 'redis://redis.example.org', 'redis://[2001:db8::1]:6379']) {
      expect(() => parseRedisUrl(url)).toThrow(/needs a password \(redis:\/\/:PASSWORD@.*Redis AUTH\), or TLS \(rediss:\/\/\), or --insecure/);
      expect(parseRedisUrl(url, { insecure: true }).password).toBeUndefined();
    }
    // loopback, a password, or TLS need no --insecure
    for (const url of ['redis://127.0.0.1:6379', 'redis://127.8.0.1', 'redis://localhost', 'redis://[::1]', 'redis://:pw@10.0.0.5', 'rediss://10.0.0.5']) {
      expect(() => parseRedisUrl(url)).not.toThrow();
    }
  });

  it('refuses what is not a Redis URL, saying what is expected', () => {
    expect(() => parseRedisUrl('localhost:6379')).toThrow(/must start with redis:\/\/ or rediss:\/\//);
    expect(() => parseRedisUrl('http://127.0.0.1:6379')).toThrow(/must start with redis:\/\/ or rediss:\/\/ \(TLS\), got "http:"/);
    expect(() => parseRedisUrl('not a url')).toThrow(/cannot be read; write it as redis:\/\/HOST:PORT/);
    expect(() => parseRedisUrl('redis://127.0.0.1:6379/zero')).toThrow(/path must be a database number/);
  });

  it('the worker and the lab refuse the URL before they connect, with the rule, and exit 1', async () => {
    const s = sandbox('remote-url');
    const rule = /refusing redis:\/\/10\.0\.0\.5: a plain connection to another machine needs a password/;
    await s.fails(['worker', '--redis', 'redis://10.0.0.5:6379'], rule, 1);
    await s.fails(['experiment', 'run', '1', '--redis', 'redis://10.0.0.5:6379'], rule, 1);
    await s.fails(['serve', '--redis', 'redis://10.0.0.5:6379'], rule, 1);
    await s.fails(['worker'], /--redis URL is required \(or set RNN_LAB_REDIS\)/, 1);
    // RNN_LAB_REDIS is the default of the commands that train, checked by the same rule
    for (const args of [['experiment', 'run', '1'], ['serve']]) {
      const r = spawnSync(process.execPath, [join(repoRoot, 'bin/rnn-lab.mjs'), ...args, '--db', join(s.dir, 'env.db')], {
        env: { ...process.env, RNN_LAB_REDIS: 'redis://10.0.0.5:6379' }, encoding: 'utf8', timeout: 30_000,
      });
      expect([r.status, r.stderr]).toEqual([1, expect.stringMatching(rule)]);
    }
    await s.fails(['worker', '--redis', 'redis://127.0.0.1:1', '--concurrency', '0'], /--concurrency must be a whole number >= 1, got "0"/, 1);
  });
});

describe('the Execution methods', () => {
  it('answer where runs train, refuse a URL against the rules as a bad request, and test a Redis that is not there', async () => {
    const lab = Lab.open({ db: ':memory:', workers: 2 });
    const ctx = { emit: () => undefined };
    try {
      expect(await dispatch(lab, 'getExecution', {}, ctx)).toEqual({ ok: true, value: { mode: 'local', threads: 2 } });
      const refused = await dispatch(lab, 'setExecution', { redis: 'redis://10.0.0.5:6379' }, ctx);
      expect(refused).toMatchObject({ ok: false, code: 'bad-request', message: expect.stringMatching(/needs a password/) });
      expect(await dispatch(lab, 'setExecution', { redis: 'redis://127.0.0.1:1', extra: 1 }, ctx)).toMatchObject({ ok: false, code: 'bad-request' });
      const test = await dispatch(lab, 'testRedis', { url: 'redis://127.0.0.1:1' }, ctx);
      expect(test).toMatchObject({ ok: true, value: { ok: false, error: expect.stringMatching(/^redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/) } });
      expect(lab.execution().mode).toBe('local');
    } finally {
      await lab.close();
    }
  });
});

describe.skipIf(!hasRedis)(`the lab without Redis (needs ${REDIS_SERVER})`, () => {
  it('says when Redis goes away, in its status and to its listener, and goes on serving what it has', async () => {
    const redis = await startRedis();
    const said: (string | null)[] = [];
    const lab = Lab.open({ db: ':memory:', remote: { url: redis.url, onConnection: (e) => said.push(e) } });
    try {
      expect(lab.execution()).toMatchObject({ mode: 'redis', url: `${redis.url}` });
      await waitFor('the lab to connect', () => (lab.execution() as { connected: boolean }).connected, 30_000);
      await redis.stop();
      await waitFor('the lab to say Redis is gone', () => said.length > 0, 30_000);
      expect(said[0]).toMatch(/ECONNREFUSED|Connection is closed|connect/);
      const status = lab.execution() as { connected: boolean; error: string | null };
      expect(status.connected).toBe(false);
      expect(status.error).toBe(said[0]);
      // the lab itself goes on
      expect(lab.listCorpora()).toEqual([]);
    } finally {
      await lab.close();
    }
  });
});
