/**
 * Browser mode: the built renderer and the LabApi over HTTP, for `rnn-lab serve`, headless
 * machines and end-to-end tests. The wire format is in src-main/api/wire.ts.
 *
 * Access, like a notebook server:
 * - The server binds to 127.0.0.1 unless told otherwise, and makes a random 32-byte token per start.
 *   The URL it prints is the page with ?token=...; the renderer reads the token from location and
 *   sends it with every API call as `Authorization: Bearer TOKEN`.
 * - Static files (the built renderer: code, styles, icons) are public: they carry no data. Every
 *   /api request needs the token, compared in constant time; only the events stream (EventSource
 *   cannot set headers) may carry it as ?token= instead. No cookies, so no ambient authority and no
 *   cross-site request forgery; API calls must also be POSTed as application/json.
 * - A request whose Origin header is not this server's own origin is refused (403), and on a
 *   loopback address so is a Host header that is not a loopback name (against DNS rebinding).
 * - Request bodies are capped (150 MB, for corpus imports in base64); every response carries a
 *   strict Content-Security-Policy and nosniff; static paths cannot leave the renderer folder.
 *
 * Slow and greedy clients (limits): a request refused before its body is read (no token, a foreign
 * Origin, too large...) is answered and its connection closed, so nobody can make the server read
 * a body it did not ask for. Headers must arrive within headersMs, an authenticated body within
 * bodyMs (sized for the largest upload at a slow rate), and one client address may hold only so
 * many connections; the deadlines bound receiving a request, so the events stream stays open.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../lab/lab.ts';
import type { ApiEvent, ErrorCode } from '../api/contract.ts';
import { CONTENT_SECURITY_POLICY } from '../api/csp.ts';
import { dispatch, isMethodName } from '../api/methods.ts';
import { API_PREFIX, decodeWire, encodeWire, EVENTS_PATH, TOKEN_PARAM } from '../../src-shared/wire.ts';
import { isLoopback } from './loopback.ts';

export interface ServerOptions {
  lab: Lab;
  /** default 127.0.0.1 */
  host?: string;
  /** default 0: any free port */
  port?: number;
  /** default: 32 random bytes, hex */
  token?: string;
  /** the built renderer (default: out/renderer) */
  rendererDir?: string;
  /** largest request body, bytes (default 150 MB) */
  maxBodyBytes?: number;
  /** deadlines and the connection bound (tests shorten them) */
  limits?: Partial<ServerLimits>;
}

export interface ServerLimits {
  /** to receive a request's headers, ms (default 10 s) */
  headersMs: number;
  /** to receive an authenticated request's body, ms (default: the largest body at 256 KB/s, at least 30 s; 10 minutes for 150 MB) */
  bodyMs: number;
  /** connections one client address may hold open (default 64; a browser tab uses about 6) */
  connectionsPerClient: number;
}

export interface RunningServer {
  /** the page, with ?token= */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 150 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;
/** the slowest upload an authenticated client is waited for, bytes per second */
const MIN_UPLOAD_RATE = 256 * 1024;

function limitsFor(opts: ServerOptions, maxBody: number): ServerLimits {
  return {
    headersMs: 10_000,
    bodyMs: Math.max(30_000, Math.ceil((maxBody / MIN_UPLOAD_RATE) * 1000)),
    connectionsPerClient: 64,
    ...opts.limits,
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** out/renderer beside the bundled CLI (out/node), or from the sources. */
export function defaultRendererDir(): string {
  const candidates = [new URL('../renderer/', import.meta.url), new URL('../../out/renderer/', import.meta.url)].map((u) => fileURLToPath(u));
  return candidates.find((d) => existsSync(resolve(d, 'index.html'))) ?? candidates[1];
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { lab } = opts;
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(32).toString('hex');
  const tokenDigest = digest(token);
  const root = resolve(opts.rendererDir ?? defaultRendererDir());
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const limits = limitsFor(opts, maxBody);
  const loopback = isLoopback(host);
  let port = 0;

  const streams = new Set<ServerResponse>();
  const broadcast = (e: ApiEvent): void => {
    const frame = `data: ${encodeWire(e)}\n\n`;
    for (const s of streams) s.write(frame);
  };
  const offLab = lab.on(broadcast);
  const heartbeat = setInterval(() => {
    for (const s of streams) s.write(': ping\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const tokenOk = (candidate: string | null | undefined): boolean => typeof candidate === 'string' && timingSafeEqual(digest(candidate), tokenDigest);
  const bearer = (req: IncomingMessage): string | null => /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;

  const hostOk = (req: IncomingMessage): boolean => {
    if (!loopback) return true;
    const h = (req.headers.host ?? '').toLowerCase();
    const names = ['127.0.0.1', 'localhost', '[::1]', formatHost(host)];
    return names.some((n) => h === `${n}:${port}` || (port === 80 && h === n));
  };
  const originOk = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    return origin === undefined || origin === `http://${req.headers.host}`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    setCommonHeaders(res);
    const [rawPath, query = ''] = (req.url ?? '/').split('?', 2);
    if (!hostOk(req)) return refuse(res, 403, 'bad-request', 'unexpected Host header');
    if (!originOk(req)) return refuse(res, 403, 'bad-request', 'requests from other sites are not allowed');
    if (rawPath === '/api' || rawPath.startsWith(API_PREFIX)) {
      res.setHeader('Cache-Control', 'no-store');
      if (rawPath === EVENTS_PATH) {
        if (!tokenOk(bearer(req) ?? new URLSearchParams(query).get(TOKEN_PARAM))) return refuse(res, 401, 'bad-request', 'a valid access token is required');
        if (req.method !== 'GET') return refuse(res, 405, 'bad-request', 'use GET', 'GET');
        return openStream(req, res);
      }
      if (!tokenOk(bearer(req))) return refuse(res, 401, 'bad-request', 'a valid access token is required (Authorization: Bearer TOKEN)');
      const method = rawPath.slice(API_PREFIX.length);
      if (!isMethodName(method)) return refuse(res, 404, 'not-found', `no API method ${JSON.stringify(method.slice(0, 100))}`);
      if (req.method !== 'POST') return refuse(res, 405, 'bad-request', 'use POST', 'POST');
      if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return refuse(res, 415, 'bad-request', 'send the request as application/json');
      const body = await readBody(req, maxBody, limits.bodyMs);
      if (body === 'too-large') return refuse(res, 413, 'bad-request', `the request is larger than ${Math.round(maxBody / 1024 / 1024)} MB`);
      if (body === 'too-slow') return refuse(res, 408, 'bad-request', `the request body did not arrive within ${limits.bodyMs / 1000} s`);
      let parsed: unknown;
      try {
        parsed = decodeWire(body);
      } catch (e) {
        return refuse(res, 400, 'bad-request', `the request cannot be read as JSON: ${(e as Error).message}`);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.keys(parsed).some((k) => k !== 'req')) {
        return refuse(res, 400, 'bad-request', 'the body must be {"req": ...}');
      }
      const result = await dispatch(lab, method, (parsed as { req?: unknown }).req, { emit: broadcast, shell: 'browser' });
      return send(res, 200, 'application/json; charset=utf-8', encodeWire(result));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'bad-request', 'use GET', 'GET, HEAD');
    return serveStatic(res, root, rawPath, req.method === 'HEAD');
  };

  const openStream = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(': connected\n\n');
    streams.add(res);
    req.on('close', () => streams.delete(res));
  };

  const server = createServer({
    headersTimeout: limits.headersMs,
    // Node's own bound on receiving a whole request, behind readBody's: it ends when the request
    // has arrived, so it never cuts the events stream (a GET with no body)
    requestTimeout: limits.headersMs + limits.bodyMs,
    // how often Node looks for requests past those deadlines (its default is 30 s)
    connectionsCheckingInterval: Math.max(10, Math.min(1000, limits.headersMs / 4)),
  }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      console.error('rnn-lab serve: request failed:', e);
      if (!res.headersSent) refuse(res, 500, 'internal', 'internal error');
      else res.destroy();
    });
  });
  limitConnections(server, limits.connectionsPerClient);

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : formatHost(host);

  return {
    url: `http://${shownHost}:${port}/?${TOKEN_PARAM}=${token}`,
    port,
    token,
    close: async () => {
      offLab();
      clearInterval(heartbeat);
      for (const s of streams) s.end();
      streams.clear();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function setCommonHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, head = false): void {
  // Node would read (and drop) the rest of an unread body to keep the connection: close it instead
  if (bodyUnread(res.req)) {
    res.setHeader('Connection', 'close');
    res.once('finish', () => res.req.socket.destroy());
  }
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

function bodyUnread(req: IncomingMessage): boolean {
  return !req.complete && (Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined);
}

/** Past `max` connections from one address, a new one gets a 503 that says why and is closed. */
function limitConnections(server: Server, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const n = (open.get(address) ?? 0) + 1;
    if (n > max) {
      const body = JSON.stringify({ ok: false, code: 'bad-request', message: `too many connections from ${address} (at most ${max}): close some and try again` });
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      socket.destroySoon();
      return;
    }
    open.set(address, n);
    socket.once('close', () => {
      const left = open.get(address)! - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

function refuse(res: ServerResponse, status: number, code: ErrorCode, message: string, allow?: string): void {
  if (allow) res.setHeader('Allow', allow);
  send(res, status, 'application/json; charset=utf-8', JSON.stringify({ ok: false, code, message }));
}

/**
 * The body as text, or why not: larger than max, or not all there within ms. Either way the rest
 * is left unread (the answer closes the connection).
 */
function readBody(req: IncomingMessage, max: number, ms: number): Promise<string | 'too-large' | 'too-slow'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return Promise.resolve('too-large');
  return new Promise((done, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (why: 'too-large' | 'too-slow'): void => {
      clearTimeout(timer);
      req.removeAllListeners('data');
      req.pause();
      done(why);
    };
    const timer = setTimeout(() => stop('too-slow'), ms);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) return stop('too-large');
      chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(timer);
      done(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

async function serveStatic(res: ServerResponse, root: string, rawPath: string, head: boolean): Promise<void> {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return refuse(res, 400, 'bad-request', 'malformed path');
  }
  if (path === '/' || path === '') path = '/index.html';
  if (path.includes('\0') || path.includes('\\') || path.split('/').some((seg) => seg.startsWith('.'))) {
    return refuse(res, 403, 'bad-request', 'path not allowed');
  }
  const file = resolve(root, '.' + path);
  if (!file.startsWith(root + sep)) return refuse(res, 403, 'bad-request', 'path not allowed');
  try {
    const real = await realpath(file);
    const realRoot = await realpath(root);
    if (!real.startsWith(realRoot + sep) || !(await stat(real)).isFile()) throw new Error('not a file');
    const body = await readFile(real);
    res.setHeader('Cache-Control', 'no-cache');
    return send(res, 200, CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream', body, head);
  } catch {
    if (path === '/index.html') return send(res, 503, 'text/plain; charset=utf-8', 'The renderer is not built: run `npm run build` and start again.\n', head);
    return send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
  }
}
