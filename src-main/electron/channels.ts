/** IPC channel names, shared by the main side (ipc.ts) and the preload. */
import type { MethodName } from '../api/contract.ts';

/** renderer -> main: one ipcMain.handle channel per LabApi method */
export const invokeChannel = (method: MethodName): string => `lab:${method}`;

/** main -> renderer: every ApiEvent */
export const EVENT_CHANNEL = 'lab:event';
