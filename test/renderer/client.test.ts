// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import type { ApiEvent, LabBridge } from '../../src-main/api/contract.ts';
import { accessToken, clientFromBridge, httpBridge, LabApiError } from '../../src-renderer/api/client.ts';
import { decodeWire } from '../../src-shared/wire.ts';

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

describe('HTTP transport', () => {
  it('POSTs {req} to /api/<method> with the bearer token and bytes as base64', async () => {
    const fetch = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => jsonResponse({ ok: true, value: { corpus: { id: 1 }, existing: false } }));
    const client = clientFromBridge(httpBridge({ token: 'tok123', fetch: fetch as typeof globalThis.fetch, EventSource: undefined as never }));
    const value = await client.importCorpus({ name: 'x', bytes: new Uint8Array([0, 1, 2, 250, 255]) });
    expect(value.existing).toBe(false);
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/api/importCorpus');
    expect(init?.method).toBe('POST');
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer tok123');
    expect(JSON.parse(init?.body as string).req.bytes).toEqual({ $bytes: 'AAEC+v8=' });
    const body = decodeWire(init?.body as string) as { req: { name: string; bytes: Uint8Array } };
    expect(body.req.name).toBe('x');
    expect(body.req.bytes).toEqual(new Uint8Array([0, 1, 2, 250, 255]));
  });

  it('throws a LabApiError with the code and message of a refusal', async () => {
    const fetch = vi.fn(async () => jsonResponse({ ok: false, code: 'invalid-corpus', message: 'the file is empty' }, 400));
    const client = clientFromBridge(httpBridge({ token: 't', fetch: fetch as typeof globalThis.fetch }));
    const err = await client.importCorpus({ name: 'x', bytes: new Uint8Array() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabApiError);
    expect((err as LabApiError).code).toBe('invalid-corpus');
    expect((err as LabApiError).message).toBe('the file is empty');
  });

  it('explains a refused token and an unreachable server', async () => {
    const refused = clientFromBridge(httpBridge({ token: 'bad', fetch: (async () => new Response('no', { status: 401 })) as typeof globalThis.fetch }));
    await expect(refused.listCorpora({})).rejects.toThrow(/access token/);
    const down = clientFromBridge(httpBridge({ token: 't', fetch: (async () => { throw new TypeError('Failed to fetch'); }) as typeof globalThis.fetch }));
    await expect(down.listCorpora({})).rejects.toMatchObject({ code: 'transport' });
  });

  it('delivers server-sent events as parsed JSON to every listener', () => {
    const sources: { url: string; onmessage: ((m: MessageEvent<string>) => void) | null; close: () => void }[] = [];
    class FakeSource {
      onmessage: ((m: MessageEvent<string>) => void) | null = null;
      close = vi.fn();
      constructor(readonly url: string) {
        sources.push(this);
      }
    }
    const bridge = httpBridge({ token: 'a b', fetch: vi.fn() as never, EventSource: FakeSource as never });
    const got: ApiEvent[] = [];
    const stop = bridge.onEvent((e) => got.push(e));
    expect(sources).toHaveLength(1);
    expect(sources[0].url).toBe('/api/events?token=a%20b');
    sources[0].onmessage?.({ data: JSON.stringify({ type: 'generate', requestId: 'r', text: 'hi' }) } as MessageEvent<string>);
    sources[0].onmessage?.({ data: 'not json' } as MessageEvent<string>);
    expect(got).toEqual([{ type: 'generate', requestId: 'r', text: 'hi' }]);
    stop();
    expect(sources[0].close).toHaveBeenCalled();
  });
});

describe('Electron bridge', () => {
  it('invokes window.labBridge and unwraps results', async () => {
    const bridge: LabBridge = {
      invoke: vi.fn(async (method) => (method === 'appInfo' ? { ok: true as const, value: { version: '1' } } : { ok: false as const, code: 'not-found' as const, message: 'no run 3' })),
      onEvent: vi.fn(() => () => {}),
    };
    const client = clientFromBridge(bridge);
    expect(await client.appInfo({})).toEqual({ version: '1' });
    await expect(client.pauseRun({ id: 3 })).rejects.toMatchObject({ code: 'not-found', message: 'no run 3' });
    expect(bridge.invoke).toHaveBeenCalledWith('pauseRun', { id: 3 });
  });
});

describe('access token', () => {
  it('comes from ?token=, survives a reload through sessionStorage and leaves the address bar', () => {
    const replaceState = vi.fn();
    const history = { state: null, replaceState } as unknown as History;
    const storage = window.sessionStorage;
    storage.clear();
    expect(accessToken({ href: 'http://127.0.0.1:5000/?token=abc#x' } as Location, storage, history)).toBe('abc');
    expect(replaceState).toHaveBeenCalledWith(null, '', '/#x');
    expect(accessToken({ href: 'http://127.0.0.1:5000/' } as Location, storage, history)).toBe('abc');
  });
});
