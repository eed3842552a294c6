/**
 * The renderer's one LabApi client. In Electron the preload's window.labBridge carries the calls;
 * in browser mode (`rnn-lab serve`) they go over HTTP with the access token, and events arrive as
 * server-sent events. Either way every method answers a value or throws a LabApiError whose
 * message is meant for the user.
 */
import { METHOD_NAMES } from '../../src-shared/methods.ts';
import type { ApiEvent, ErrorCode, LabBridge, LabClient, MethodName, Result } from '../../src-main/api/contract.ts';
import { API_PREFIX, authorizationHeader, decodeWire, encodeWire, EVENTS_PATH, TOKEN_PARAM } from '../../src-shared/wire.ts';

/** 'transport': the call never reached the lab (network down, server gone, bad token). */
export type ClientErrorCode = ErrorCode | 'transport';

export class LabApiError extends Error {
  constructor(readonly code: ClientErrorCode, message: string) {
    super(message);
    this.name = 'LabApiError';
  }
}

/** Builds the typed client over anything that can invoke a method and deliver events. */
export function clientFromBridge(bridge: LabBridge): LabClient {
  const client: Record<string, unknown> = {
    onEvent: (listener: (e: ApiEvent) => void) => bridge.onEvent(listener),
  };
  for (const method of METHOD_NAMES) {
    client[method] = async (req: unknown) => {
      let result: Result<unknown>;
      try {
        result = await bridge.invoke(method, req);
      } catch (e) {
        throw new LabApiError('transport', `Could not reach the lab: ${(e as Error).message}`);
      }
      if (!result.ok) throw new LabApiError(result.code, result.message);
      return result.value;
    };
  }
  return client as LabClient;
}

const TOKEN_KEY = 'rnn-lab-token';

/**
 * The access token from the page's ?token=, kept in sessionStorage so a reload still works, and
 * taken out of the address bar so it is not left in screenshots and history.
 */
export function accessToken(loc: Location = window.location, storage: Storage = window.sessionStorage, history: History | null = window.history): string {
  const url = new URL(loc.href);
  const fromUrl = url.searchParams.get(TOKEN_PARAM);
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete(TOKEN_PARAM);
    history?.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return storage.getItem(TOKEN_KEY) ?? '';
}

export interface HttpBridgeOptions {
  token: string;
  /** '' for the page's own origin */
  baseUrl?: string;
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
}

/**
 * The LabBridge of browser mode: POST /api/<method> with {req}, events from /api/events, both in
 * the wire format of src-main/api/wire.ts (JSON with bytes as base64).
 */
export function httpBridge(opts: HttpBridgeOptions): LabBridge {
  const base = opts.baseUrl ?? '';
  const doFetch = opts.fetch ?? ((input, init) => window.fetch(input, init));
  const Source = opts.EventSource ?? window.EventSource;
  const listeners = new Set<(e: ApiEvent) => void>();
  let source: EventSource | null = null;

  async function invoke(method: MethodName, req: unknown): Promise<Result<unknown>> {
    const res = await doFetch(`${base}${API_PREFIX}${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...authorizationHeader(opts.token) },
      body: encodeWire({ req }),
    });
    if (res.status === 401) {
      return { ok: false, code: 'bad-request', message: 'The lab refused the access token. Open the address that "rnn-lab serve" printed (it ends with ?token=...).' };
    }
    let body: unknown;
    try {
      body = decodeWire(await res.text());
    } catch {
      return { ok: false, code: 'internal', message: `The lab answered ${res.status} ${res.statusText} without a readable result.` };
    }
    if (typeof body === 'object' && body !== null && 'ok' in body) return body as Result<unknown>;
    return { ok: false, code: 'internal', message: `The lab answered ${res.status} with an unexpected body.` };
  }

  function connect(): void {
    if (source || !Source) return;
    source = new Source(`${base}${EVENTS_PATH}?${TOKEN_PARAM}=${encodeURIComponent(opts.token)}`);
    source.onmessage = (msg: MessageEvent<string>) => {
      let event: ApiEvent;
      try {
        event = decodeWire(msg.data) as ApiEvent;
      } catch {
        return; // a malformed message is dropped rather than breaking every listener
      }
      for (const l of listeners) l(event);
    };
  }

  return {
    invoke,
    onEvent(listener) {
      listeners.add(listener);
      connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
  };
}

export function createLabClient(): LabClient {
  if (window.labBridge) return clientFromBridge(window.labBridge);
  return clientFromBridge(httpBridge({ token: accessToken() }));
}
