/**
 * The preload: window.labBridge, and nothing else. It forwards LabApi calls (method names checked
 * against METHOD_NAMES; main validates the requests) and delivers pushed events. Built as CommonJS,
 * since sandboxed preloads cannot be ES modules.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { METHOD_NAMES } from '../../src-shared/methods.ts';
import type { ApiEvent, LabBridge, MethodName, Result } from '../api/contract.ts';
import { EVENT_CHANNEL, invokeChannel } from './channels.ts';

const methods: readonly string[] = METHOD_NAMES;

const bridge: LabBridge = {
  invoke(method: MethodName, req: unknown): Promise<Result<unknown>> {
    if (typeof method !== 'string' || !methods.includes(method)) {
      return Promise.resolve({ ok: false, code: 'bad-request', message: `unknown method ${JSON.stringify(String(method))}` });
    }
    return ipcRenderer.invoke(invokeChannel(method), req) as Promise<Result<unknown>>;
  },
  onEvent(listener: (e: ApiEvent) => void): () => void {
    const handler = (_event: IpcRendererEvent, e: ApiEvent): void => listener(e);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.off(EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('labBridge', bridge);
