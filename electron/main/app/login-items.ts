// Start at login, behind one seam: Electron's login items on macOS and Windows, an XDG autostart entry
// on Linux (Electron has no login items there), and "unavailable, because…" in web mode.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Availability } from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';

export interface LoginItems {
  status(): Promise<Availability<{ enabled: boolean }>>;
  set(enabled: boolean): Promise<void>;
}

export function unavailableLoginItems(reason: string): LoginItems {
  return {
    async status() {
      return { available: false, reason };
    },
    async set() {
      throw new HandlerError('unsupported', 'login.unavailable', reason);
    },
  };
}

/** The part of Electron's `app` this needs (macOS and Windows). */
export interface ElectronLoginApp {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
}

export function electronLoginItems(app: ElectronLoginApp): LoginItems {
  return {
    async status() {
      return { available: true, enabled: app.getLoginItemSettings().openAtLogin };
    },
    async set(enabled) {
      app.setLoginItemSettings({ openAtLogin: enabled });
    },
  };
}

/** An autostart entry in `dir` (~/.config/autostart) that runs `exec` when the user logs in. */
export function xdgAutostartLoginItems(opts: { dir: string; exec: string[] }): LoginItems {
  const file = path.join(opts.dir, 'berth.desktop');
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/(["`$\\])/g, '\\$1')}"`);
  const entry = [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Berth',
    'Comment=Containers on this machine',
    `Exec=${opts.exec.map(quote).join(' ')}`,
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
  return {
    async status() {
      const enabled = await fs.access(file).then(
        () => true,
        () => false,
      );
      return { available: true, enabled };
    },
    async set(enabled) {
      if (!enabled) return fs.rm(file, { force: true });
      await fs.mkdir(opts.dir, { recursive: true });
      await fs.writeFile(file, entry, { mode: 0o644 });
    },
  };
}
