/**
 * The lab window, locked down: context isolation, sandbox, no Node in the renderer, web security,
 * a strict Content-Security-Policy, no navigation, no new windows, no permission but writing to the
 * clipboard, and no request that leaves the app (only the bundled files, or the dev server while
 * developing).
 */
import { app, BrowserWindow, session, type WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../api/csp.ts';

export interface WindowOptions {
  preload: string;
  /** the built renderer's index.html */
  html: string;
  /** electron-vite's dev server (ELECTRON_RENDERER_URL), when developing */
  devUrl?: string;
}

export function createMainWindow(opts: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'RNN Lab',
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  if (opts.devUrl) void win.loadURL(opts.devUrl);
  else void win.loadFile(opts.html);
  return win;
}

/** Session-wide rules: called once, before the first window. */
export function lockDownSession(devUrl?: string): void {
  const devOrigin = devUrl ? new URL(devUrl).origin : null;
  const allowed = (url: string): boolean => {
    const u = new URL(url);
    if (['file:', 'data:', 'blob:', 'devtools:', 'chrome-extension:'].includes(u.protocol)) return true;
    return devOrigin !== null && (u.origin === devOrigin || u.origin === devOrigin.replace(/^http/, 'ws'));
  };
  const s = session.defaultSession;
  s.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !allowed(details.url) }));
  if (!devOrigin) {
    // the dev server needs inline scripts and a websocket for hot reload; the build gets the policy
    s.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    });
  }
  // only writing to the clipboard (a chart's Copy button); Chromium sanitizes what is written
  const allowedPermission = (permission: string): boolean => permission === 'clipboard-sanitized-write';
  s.setPermissionRequestHandler((_wc, permission, callback) => callback(allowedPermission(permission)));
  s.setPermissionCheckHandler((_wc, permission) => allowedPermission(permission));
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
}

function hardenContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
