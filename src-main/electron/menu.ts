/**
 * The application menu. File > Import corpus reads the chosen file here and imports it through the
 * same dispatch as the renderer's calls; exports are the renderer's to do (it knows the selection),
 * so those items only send it a 'menu' event.
 */
import { app, dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { ApiEvent, CorpusDetails } from '../api/contract.ts';
import { dispatch } from '../api/methods.ts';
import { DEFAULT_MAX_BYTES } from '../lab/corpora.ts';
import type { Lab } from '../lab/lab.ts';

export interface MenuDeps {
  lab: Lab;
  win: BrowserWindow;
  emit(e: ApiEvent): void;
}

export function buildMenu(deps: MenuDeps): Menu {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Import Corpus…', accelerator: 'CmdOrCtrl+O', click: () => void importCorpus(deps) },
        { type: 'separator' },
        { label: 'Export Metrics…', accelerator: 'CmdOrCtrl+Shift+E', click: () => deps.emit({ type: 'menu', action: 'export-metrics' }) },
        { label: 'Export Model…', accelerator: 'CmdOrCtrl+E', click: () => deps.emit({ type: 'menu', action: 'export-model' }) },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' } as MenuItemConstructorOptions]),
      ],
    },
    { role: 'help', submenu: [{ label: 'About RNN Lab', click: () => void about(deps.win) }] },
  ];
  return Menu.buildFromTemplate(template);
}

async function importCorpus({ lab, win, emit }: MenuDeps): Promise<void> {
  const chosen = await dialog.showOpenDialog(win, {
    title: 'Import a text corpus',
    properties: ['openFile'],
    filters: [
      { name: 'Text', extensions: ['txt', 'md', 'text', 'csv', 'tsv', 'json', 'xml', 'html', 'py', 'js', 'ts', 'c', 'h'] },
      { name: 'All files', extensions: ['*'] },
    ],
  });
  const path = chosen.filePaths[0];
  if (chosen.canceled || !path) return;
  const problem = (message: string): Promise<unknown> => dialog.showMessageBox(win, { type: 'error', title: 'Import failed', message: `Could not import ${basename(path)}`, detail: message });
  try {
    const size = (await stat(path)).size;
    if (size > DEFAULT_MAX_BYTES) return void (await problem(`The file is ${(size / 1024 / 1024).toFixed(1)} MB; the limit is ${DEFAULT_MAX_BYTES / 1024 / 1024} MB.`));
    const bytes = new Uint8Array(await readFile(path));
    const result = await dispatch(lab, 'importCorpus', { name: basename(path, extname(path)).slice(0, 200) || 'corpus', bytes, source: basename(path).slice(0, 1000) }, { emit, shell: 'electron' });
    if (!result.ok) return void (await problem(result.message));
    emit({ type: 'corpus-imported', ...(result.value as { corpus: CorpusDetails; existing: boolean }) });
  } catch (e) {
    await problem((e as Error).message);
  }
}

async function about(win: BrowserWindow): Promise<void> {
  const v = process.versions;
  await dialog.showMessageBox(win, {
    type: 'info',
    title: 'About RNN Lab',
    message: `RNN Lab ${app.getVersion()}`,
    detail: `Train and compare RNN, LSTM and GRU models on your own text.\n\nElectron ${v.electron}, Chromium ${v.chrome}, Node ${v.node}`,
  });
}
