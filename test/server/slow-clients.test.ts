/**
 * Browser mode against slow and greedy clients, over raw sockets (node:net) to a server on
 * 127.0.0.1 port 0: a refused request is answered and closed without its body being read, an
 * authenticated body and every request's headers have a deadline (shortened here through the
 * server's limits), the events stream is not cut by those deadlines, and one client address may
 * hold only so many connections.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../../src-main/lab/lab.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../src-main/server/server.ts';

let lab: Lab;
const servers: RunningServer[] = [];

beforeAll(() => {
  lab = Lab.open({ db: ':memory:', workers: 1 });
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await lab.close();
});

async function serve(opts: Omit<ServerOptions, 'lab'> = {}): Promise<RunningServer> {
  const s = await startServer({ lab, rendererDir: '/nonexistent', ...opts });
  servers.push(s);
  return s;
}

/** A connection that records what the server sends and when it closes. */
interface RawClient {
  socket: Socket;
  /** everything received so far */
  readonly received: string;
  /** resolves when the server has closed the connection (or it broke) */
  closed: Promise<void>;
  isClosed(): boolean;
}

function open(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let closed = false;
    const closedP = new Promise<void>((done) => socket.on('close', () => {
      closed = true;
      done();
    }));
    socket.setEncoding('utf8').on('data', (d: string) => (received += d));
    socket.on('error', () => undefined); // a reset by the server is a close here
    socket.once('connect', () => resolve({ socket, get received() { return received; }, closed: closedP, isClosed: () => closed }));
    socket.once('error', reject);
  });
}

/** Fails (rather than hang until the test's own timeout) when the server keeps the connection open. */
async function expectClosed(c: RawClient, what: string, ms = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const open = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: the server still holds the connection open after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([c.closed, open]);
  } finally {
    clearTimeout(timer);
  }
}

const status = (response: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? NaN);

/** Request headers for a POST to the API with a declared body of `length` bytes. */
function post(port: number, path: string, length: number, extra: Record<string, string> = {}): string {
  const headers = { Host: `127.0.0.1:${port}`, 'Content-Type': 'application/json', 'Content-Length': String(length), ...extra };
  return `POST ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}

/** Sends `head`, then a byte every `everyMs` (a client that never finishes), until the server closes the connection. */
async function trickleUntilClosed(c: RawClient, head: string, everyMs: number, what: string): Promise<void> {
  c.socket.write(head);
  const timer = setInterval(() => {
    if (!c.isClosed()) c.socket.write('x');
  }, everyMs);
  try {
    await expectClosed(c, what);
  } finally {
    clearInterval(timer);
  }
}

describe('refused requests are answered at once and closed, their body unread', () => {
  it('no token, a declared megabyte sent a byte at a time: 401, Connection: close, the socket closed', async () => {
    const s = await serve();
    const c = await open(s.port);
    await trickleUntilClosed(c, post(s.port, '/api/importCorpus', 1_000_000) + '{', 200, 'unauthenticated upload');
    expect(status(c.received)).toBe(401);
    expect(c.received).toMatch(/\r\nConnection: close\r\n/i);
    expect(c.received).toContain('"code":"bad-request"');
  });

  it('a wrong Host, a foreign Origin, an unknown method, a wrong content type: each answered and closed', async () => {
    const s = await serve();
    const auth = { Authorization: `Bearer ${s.token}` };
    const cases: [string, string, number][] = [
      ['wrong Host', post(s.port, '/api/listCorpora', 1_000_000, { ...auth, Host: `evil.example:${s.port}` }), 403],
      ['foreign Origin', post(s.port, '/api/listCorpora', 1_000_000, { ...auth, Origin: 'http://evil.example' }), 403],
      ['unknown method', post(s.port, '/api/dropTables', 1_000_000, auth), 404],
      ['wrong content type', post(s.port, '/api/listCorpora', 1_000_000, { ...auth, 'Content-Type': 'text/plain' }), 415],
      ['a POST to a static file', post(s.port, '/index.html', 1_000_000), 405],
    ];
    for (const [what, head, expected] of cases) {
      const c = await open(s.port);
      await trickleUntilClosed(c, head + '{', 200, what);
      expect(status(c.received), what).toBe(expected);
    }
  });

  it('a declared body over the limit: 413 at once, closed, nothing drained', async () => {
    const s = await serve({ maxBodyBytes: 1000 });
    const c = await open(s.port);
    await trickleUntilClosed(c, post(s.port, '/api/importCorpus', 1_000_000_000, { Authorization: `Bearer ${s.token}` }) + '{"req":', 200, 'oversized upload');
    expect(status(c.received)).toBe(413);
    expect(c.received).toContain('larger than');
  });
});

describe('deadlines', () => {
  it('an authenticated body that does not arrive within its deadline: 408 and closed', async () => {
    const s = await serve({ limits: { bodyMs: 300 } });
    const c = await open(s.port);
    await trickleUntilClosed(c, post(s.port, '/api/importCorpus', 1_000_000, { Authorization: `Bearer ${s.token}` }) + '{', 50, 'slow authenticated upload');
    expect(status(c.received)).toBe(408);
    expect(c.received).toContain('"code":"bad-request"');
    expect(c.received).toMatch(/did not arrive within 0\.3 s/);
  });

  it('headers that never end, and a connection that sends nothing, are closed after the headers deadline', async () => {
    const s = await serve({ limits: { headersMs: 300 } });
    const [slow, silent] = await Promise.all([open(s.port), open(s.port)]);
    // 'xxxx...' continues a header line that never ends
    await trickleUntilClosed(slow, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n`, 50, 'slow headers');
    await expectClosed(silent, 'silent connection');
  });

  it('the events stream stays open past the request deadlines (they bound receiving a request, not answering it)', async () => {
    const s = await serve({ limits: { headersMs: 100, bodyMs: 100 } });
    const c = await open(s.port);
    c.socket.write(`GET /api/events?token=${s.token} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n\r\n`);
    // several times both deadlines and the server's checking interval
    await new Promise((r) => setTimeout(r, 1000));
    expect(c.isClosed()).toBe(false);
    expect(status(c.received)).toBe(200);
    expect(c.received).toContain(': connected');
    c.socket.destroy();
  });
});

describe('connections per client address', () => {
  it('beyond the bound: a 503 that says why, and the socket closed; below it again, served', async () => {
    const s = await serve({ limits: { connectionsPerClient: 3 } });
    const held = await Promise.all([open(s.port), open(s.port), open(s.port)]);
    const extra = await open(s.port);
    await expectClosed(extra, 'connection beyond the bound');
    expect(status(extra.received)).toBe(503);
    expect(extra.received).toContain('too many connections from 127.0.0.1 (at most 3)');
    expect(held.some((c) => c.isClosed())).toBe(false);

    held[0].socket.destroy();
    await held[0].closed;
    // the server counts the connection out when it sees the close: ask until it has
    let answer = '';
    for (let attempt = 0; attempt < 50 && status(answer) !== 200; attempt++) {
      const c = await open(s.port);
      c.socket.write(post(s.port, '/api/listCorpora', 10, { Authorization: `Bearer ${s.token}` }) + '{"req":{}}');
      await new Promise<void>((done) => {
        const check = setInterval(() => {
          if (c.isClosed() || /\r\n\r\n.+/s.test(c.received)) {
            clearInterval(check);
            done();
          }
        }, 10);
      });
      answer = c.received;
      c.socket.destroy();
      if (status(answer) !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status(answer)).toBe(200);
    expect(answer).toContain('"ok":true');
    for (const c of held) c.socket.destroy();
  });
});
