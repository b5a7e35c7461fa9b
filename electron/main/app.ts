// The Electron entry: single instance, one window, tray and menu; the renderer is sandboxed and talks
// to main only through the contract's channels (see ../preload/index.ts).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, session, shell, Tray } from 'electron';
import { appResources } from './app/app-resources.ts';
import { electronLoginItems, type LoginItems, xdgAutostartLoginItems } from './app/login-items.ts';
import {
  type AppServices,
  createAppServices,
  createHandlers,
  type Handlers,
  startMachineOnLaunch,
  startManagedEngine,
} from './index.ts';
import { registerIpc } from './ipc/electron-ipc.ts';

const rendererDir = path.join(app.getAppPath(), 'dist/renderer');
const resources = appResources({
  packaged: app.isPackaged,
  appPath: app.getAppPath(),
  resourcesPath: process.resourcesPath,
  platform: process.platform,
  arch: process.arch,
});
const indexFile = path.join(rendererDir, 'index.html');
const csp =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

let win: BrowserWindow | null = null;
let tray: Tray | null = null;
let services: AppServices | null = null;
let handlers: Handlers | null = null;

/** Electron has login items on macOS and Windows; Linux desktops read XDG autostart entries. */
function loginItems(): LoginItems {
  if (process.platform !== 'linux') return electronLoginItems(app);
  const exec = process.env.APPIMAGE ? [process.env.APPIMAGE] : [process.execPath, app.getAppPath()];
  return xdgAutostartLoginItems({ dir: path.join(app.getPath('appData'), 'autostart'), exec });
}

const rendererUrl = pathToFileURL(rendererDir).href;
/** Only our own renderer files may call the contract or be navigated to. */
const trusted = (url: string) => url.startsWith(`${rendererUrl}/`);

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 900,
    minHeight: 500,
    title: 'Berth',
    icon: resources.windowIcon,
    show: false,
    webPreferences: {
      preload: path.join(app.getAppPath(), 'dist/electron/preload.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
    },
  });
  w.once('ready-to-show', () => w.show());
  w.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  w.webContents.on('will-navigate', (e, url) => {
    if (!trusted(url)) e.preventDefault();
  });
  void w.loadFile(indexFile);
  return w;
}

function showWindow(): void {
  if (!win || win.isDestroyed()) win = createWindow();
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', showWindow);
  app.whenReady().then(async () => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
    services = await createAppServices({
      loginItems: loginItems(),
      // Electron's binary runs berthd as plain Node.
      berthd: {
        command: process.execPath,
        script: resources.berthdScript,
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      },
      // The `berth` command's agent, run the same way; it outlives the app, as after `berth start`.
      agent: {
        command: process.execPath,
        entry: resources.agentEntry,
        env: { ...process.env, ...resources.agentEnv, ELECTRON_RUN_AS_NODE: '1' },
      },
    });
    handlers = createHandlers(
      services.engine,
      {
        openExternal: (url) => shell.openExternal(url),
        chooseSavePath: async (name) => {
          const opts = { defaultPath: path.join(app.getPath('downloads'), name) };
          const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
          return r.canceled || !r.filePath ? null : r.filePath;
        },
      },
      services,
    );
    registerIpc(ipcMain, handlers, trusted);
    startManagedEngine(services, (m) => console.error(`berth: ${m}`));
    startMachineOnLaunch(services, (m) => console.error(`berth: ${m}`));
    Menu.setApplicationMenu(
      Menu.buildFromTemplate([
        ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
        { role: 'fileMenu' },
        { role: 'editMenu' },
        { role: 'viewMenu' },
        { role: 'windowMenu' },
      ]),
    );
    // createFromPath picks tray@2x.png (or trayTemplate@2x.png) on high-density screens by itself.
    tray = new Tray(nativeImage.createFromPath(resources.trayIcon));
    tray.setToolTip('Berth');
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Open Berth', click: showWindow },
        { type: 'separator' },
        { label: 'Quit', role: 'quit' },
      ]),
    );
    tray.on('click', showWindow);
    showWindow();
    app.on('activate', showWindow);
  });
  // Terminal sessions end with the app (their shells would live on in the containers) and removals
  // waiting for their undo time happen now; then the berthd the app started stops (its containers
  // live on under conmon).
  let stopped = false;
  app.on('will-quit', (e) => {
    if (stopped) return;
    e.preventDefault();
    void Promise.resolve(handlers?.dispose?.())
      .catch((err: Error) => console.error(`berth: closing terminals: ${err.message}`))
      .then(() => (services?.managed?.info().running ? services.managed.stop() : undefined))
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
