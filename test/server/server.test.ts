/**
 * Browser mode over real HTTP on port 0, with a temporary database and a stand-in renderer folder:
 * the token, the Origin and Host checks, the wire format, the events stream and the static files.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../src-main/api/contract.ts';
import { decodeWire, encodeWire } from '../../src-shared/wire.ts';
import { Lab } from '../../src-main/lab/lab.ts';
import { startServer, type RunningServer } from '../../src-main/server/server.ts';
import { repoRoot } from '../helpers.ts';

let dir: string;
let lab: Lab;
let server: RunningServer;
let base: string;

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build-node.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'rnn-lab-server-'));
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(join(dir, 'secret.txt'), 'SECRET');
  lab = Lab.open({ db: join(dir, 'lab.db'), workers: 1 });
  server = await startServer({ lab, rendererDir: renderer });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  await lab?.close({ running: 'cancel' });
  rmSync(dir, { recursive: true, force: true });
});

function api(method: string, req: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}`, ...headers },
    body: encodeWire({ req }),
  });
}

async function value(method: string, req: unknown): Promise<any> {
  const res = await api(method, req);
  expect(res.status).toBe(200);
  const r = decodeWire(await res.text()) as { ok: boolean; value?: unknown; message?: string };
  if (!r.ok) throw new Error(`${method}: ${r.message}`);
  return r.value;
}

/** A raw request: the path goes out exactly as written (fetch would normalise "..") and any Host. */
function raw(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('access', () => {
  it('prints a loopback URL with a 64-hex-digit token', () => {
    expect(server.url).toBe(`${base}/?token=${server.token}`);
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses API calls without the token or with a wrong one (401)', async () => {
    const none = await fetch(`${base}/api/listCorpora`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"req":{}}' });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ ok: false, code: 'bad-request' });
    expect((await api('listCorpora', {}, { Authorization: `Bearer ${server.token.slice(0, -1)}${server.token.endsWith('0') ? '1' : '0'}` })).status).toBe(401);
    expect((await api('listCorpora', {}, { Authorization: server.token })).status).toBe(401);
    // only the events stream takes the token in the query
    const query = await fetch(`${base}/api/listCorpora?token=${server.token}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"req":{}}' });
    expect(query.status).toBe(401);
    expect((await fetch(`${base}/api/events`)).status).toBe(401);
    expect((await fetch(`${base}/api/events?token=wrong`)).status).toBe(401);
  });

  it('refuses a foreign Origin (403) and a non-loopback Host (403), even with the token', async () => {
    expect((await api('listCorpora', {}, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await api('listCorpora', {}, { Origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await api('listCorpora', {}, { Origin: base })).status).toBe(200);
    const rebound = await raw('/api/events?token=' + server.token, { Host: `evil.example:${server.port}` });
    expect(rebound.status).toBe(403);
  });

  it('answers unknown methods 404, wrong verbs 405, other content types 415, bad JSON 400', async () => {
    expect((await api('dropTables', {})).status).toBe(404);
    expect((await api('__proto__', {})).status).toBe(404);
    expect((await fetch(`${base}/api/listCorpora`, { headers: { Authorization: `Bearer ${server.token}` } })).status).toBe(405);
    const form = await fetch(`${base}/api/listCorpora`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'text/plain' }, body: '{"req":{}}' });
    expect(form.status).toBe(415);
    const bad = await fetch(`${base}/api/listCorpora`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' }, body: '{"req":' });
    expect(bad.status).toBe(400);
    expect((await api('listCorpora', undefined)).status).toBe(200);
  });

  it('refuses a body nested 5,000 levels deep with the reason, not a stack overflow', async () => {
    const deep = `{"req":{"name":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const res = await fetch(`${base}/api/listCorpora`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' }, body: deep });
    expect(res.status).toBe(400);
    const answer = decodeWire(await res.text()) as { ok: boolean; code: string; message: string };
    expect(answer).toMatchObject({ ok: false, code: 'bad-request' });
    expect(answer.message).toBe('the request cannot be read as JSON: it nests deeper than 64 levels');
  });

  it('refuses a body over the limit (413)', async () => {
    const small = await startServer({ lab, rendererDir: dir, maxBodyBytes: 1000 });
    try {
      const res = await fetch(`http://127.0.0.1:${small.port}/api/importCorpus`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${small.token}` },
        body: encodeWire({ req: { name: 'x', bytes: new Uint8Array(2000) } }),
      });
      expect(res.status).toBe(413);
    } finally {
      await small.close();
    }
  });
});

describe('the API over HTTP', () => {
  it('answers a good request, with validation errors as results', async () => {
    expect(await value('listCorpora', {})).toEqual([]);
    const res = await api('getCorpus', { id: 0 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: false, code: 'bad-request', message: 'id: must be a whole number from 1 to 9007199254740991, got 0' });
    expect((await value('appInfo', {})).shell).toBe('browser');
  });

  it('carries bytes both ways: a corpus import and a model export', async () => {
    const bytes = new TextEncoder().encode('abcabcabd\n'.repeat(300));
    const { corpus } = await value('importCorpus', { name: 'abc', bytes });
    expect(corpus.chars).toBe(3000);
    expect(corpus.vocab).toEqual(['\n', 'a', 'b', 'c', 'd']);
  });

  it('streams lab events as server-sent events while an experiment runs', async () => {
    const abort = new AbortController();
    const stream = await fetch(`${base}/api/events?token=${server.token}`, { signal: abort.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events: ApiEvent[] = [];
    const reading = (async () => {
      const reader = stream.body!.getReader();
      const decoder = new StringDecoder('utf8');
      let buffered = '';
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) return;
        buffered += decoder.write(Buffer.from(chunk));
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          for (const line of frame.split('\n')) if (line.startsWith('data: ')) events.push(decodeWire(line.slice(6)) as ApiEvent);
        }
        if (events.some((e) => e.type === 'run' && e.run.status === 'completed')) return;
      }
    })();
    const [corpus] = await value('listCorpora', {});
    const d = await value('createExperiment', {
      corpusId: corpus.id,
      spec: { cells: ['gru'], budget: { mode: 'hidden', hidden: 8 }, train: { seqLen: 8, batch: 2, steps: 10 }, cadence: { evalEvery: 5, checkpointEvery: 5, sampleEvery: 0, evalChars: 100 } },
    });
    expect((await value('runExperiment', { id: d.experiment.id })).queued).toEqual([d.runs[0].id]);
    await Promise.race([reading, new Promise((_, reject) => setTimeout(() => reject(new Error('no completed run event within 20 s')), 20_000))]);
    abort.abort();
    const runEvents = events.filter((e): e is Extract<ApiEvent, { type: 'run' }> => e.type === 'run');
    expect(runEvents.map((e) => e.run.status)).toEqual(['running', 'completed']);
    expect(runEvents[0].run.id).toBe(d.runs[0].id);
    expect(events.some((e) => e.type === 'metrics')).toBe(true);
    expect(events.some((e) => e.type === 'eval')).toBe(true);
    // the model comes back as bytes through the wire encoding
    const file = await value('exportModel', { runId: d.runs[0].id, checkpoint: 'last' });
    expect(file.bytes).toBeInstanceOf(Uint8Array);
    expect(file.bytes.length).toBeGreaterThan(100);
  });
});

describe('static files', () => {
  it('serves the page and its assets without the token, with a strict CSP and nosniff', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const asset = await fetch(`${base}/assets/app.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await asset.text()).toBe('console.log("app")');
    expect((await api('listCorpora', {})).headers.get('content-security-policy')).toBe(csp);
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/assets`)).status).toBe(404);
  });

  it('refuses paths that leave the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e%5csecret.txt', '/.%00/secret.txt', '/%']) {
      const r = await raw(path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.body, path).not.toContain('SECRET');
    }
  });
});
