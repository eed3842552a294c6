/**
 * The desktop app's entry: app lifecycle, the window, IPC and the menu. The lab lives in the
 * user's data folder (the same one the rnn-lab command uses); on quit, running runs pause with a
 * checkpoint and can be resumed after the next start.
 */
import { app, BrowserWindow, dialog, Menu } from 'electron';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from '../lab/lab.ts';
import { defaultDataDir } from '../lab/paths.ts';
import { registerIpc, type IpcRegistration } from './ipc.ts';
import { buildMenu } from './menu.ts';
import { createMainWindow, lockDownSession } from './window.ts';

const here = dirname(fileURLToPath(import.meta.url)); // out/main
const devUrl = process.env.ELECTRON_RENDERER_URL;

let lab: Lab | null = null;
let win: BrowserWindow | null = null;
let ipc: IpcRegistration | null = null;
let closing = false;

app.setPath('userData', defaultDataDir());

// One app per database: a second start focuses the first window instead.
if (!app.requestSingleInstanceLock()) {
  app.exit(0);
} else {
  app.on('second-instance', () => {
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });
  app.whenReady().then(start).catch((e: unknown) => {
    dialog.showErrorBox('RNN Lab could not start', (e as Error).message);
    app.exit(1);
  });
}

function start(): void {
  const db = process.env.RNN_LAB_DB ?? join(app.getPath('userData'), 'lab.db');
  mkdirSync(dirname(db), { recursive: true });
  // better-sqlite3 as installed is built for Node; `npm start` builds a copy for Electron's ABI and
  // names it here, and an installer carries one in its resources (see electron-builder.yml)
  const sqliteBinding = process.env.RNN_LAB_SQLITE_BINDING
    || (app.isPackaged ? join(process.resourcesPath, 'native', 'better_sqlite3.node') : undefined);
  // Piscina's threads load the workers by path: in an installed app they are unpacked from app.asar
  const workers = app.isPackaged ? here.replace(/\.asar(?=[\\/]|$)/, '.asar.unpacked') : here;
  // RNN_LAB_READ_ONLY=1 browses a file this user may not write (rnn-lab --read-only in the CLI)
  const readOnly = process.env.RNN_LAB_READ_ONLY === '1';
  // RNN_LAB_REDIS: runs go to remote workers (the Execution setting changes it for the session)
  const remote = process.env.RNN_LAB_REDIS ? { remote: { url: process.env.RNN_LAB_REDIS } } : {};
  lab = Lab.open({ db, sqliteBinding, readOnly, pool: { trainWorker: join(workers, 'train.worker.js'), modelWorker: join(workers, 'model.worker.js') }, ...remote });
  if (!readOnly) lab.ensureDemo();
  lockDownSession(devUrl);
  openWindow(lab);
  app.on('activate', () => {
    if (lab && BrowserWindow.getAllWindows().length === 0) openWindow(lab);
  });
}

function openWindow(l: Lab): void {
  win = createMainWindow({ preload: join(here, '../preload/preload.cjs'), html: join(here, '../renderer/index.html'), devUrl });
  ipc = registerIpc(l, win);
  Menu.setApplicationMenu(buildMenu({ lab: l, win, emit: ipc.emit }));
  win.on('closed', () => {
    ipc?.dispose();
    ipc = null;
    win = null;
  });
}

// One window is the whole app: closing it quits, on macOS too.
app.on('window-all-closed', () => app.quit());

app.on('before-quit', (event) => {
  if (!lab) return;
  event.preventDefault();
  if (closing) return;
  closing = true;
  const l = lab;
  l.close({ running: 'pause' })
    .catch((e: unknown) => console.error('rnn-lab: closing the lab failed:', e))
    .finally(() => {
      lab = null;
      app.quit();
    });
});
