/**
 * Every LabApi method as an ipcMain.handle channel, all through dispatch (validation, error codes),
 * answering only our window's main frame. Lab events go back with webContents.send. printPdf gets
 * the one thing only this shell can do: print our window to a PDF.
 */
import { app, ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { METHOD_NAMES } from '../../src-shared/methods.ts';
import type { ApiEvent, Result } from '../api/contract.ts';
import { dispatch } from '../api/methods.ts';
import type { Lab } from '../lab/lab.ts';
import { EVENT_CHANNEL, invokeChannel } from './channels.ts';

export interface IpcRegistration {
  /** pushes an event to the window (the menu uses it too) */
  emit(e: ApiEvent): void;
  dispose(): void;
}

export function registerIpc(lab: Lab, win: BrowserWindow): IpcRegistration {
  const wc = win.webContents;
  const emit = (e: ApiEvent): void => {
    if (!wc.isDestroyed()) wc.send(EVENT_CHANNEL, e);
  };
  /** the page's print CSS applies (printToPDF uses print media); landscape A4 with backgrounds */
  const printToPdf = async (): Promise<Uint8Array> => {
    const pdf = await wc.printToPDF({ landscape: true, pageSize: 'A4', printBackground: true, margins: { top: 0.4, bottom: 0.4, left: 0.4, right: 0.4 } });
    return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  };
  const fromOurWindow = (event: IpcMainInvokeEvent): boolean => event.sender === wc && event.senderFrame === wc.mainFrame;
  for (const method of METHOD_NAMES) {
    ipcMain.handle(invokeChannel(method), (event, req: unknown): Promise<Result<unknown>> | Result<unknown> => {
      if (!fromOurWindow(event)) return { ok: false, code: 'bad-request', message: 'calls are accepted only from the lab window' };
      return dispatch(lab, method, req, { emit, shell: 'electron', locale: app.getLocale(), printToPdf });
    });
  }
  const offLab = lab.on(emit);
  return {
    emit,
    dispose() {
      offLab();
      for (const method of METHOD_NAMES) ipcMain.removeHandler(invokeChannel(method));
    },
  };
}
