// The app's settings file: JSON, written atomically (temp file + rename), readable after any crash.
// A missing or unreadable file means the defaults; the file location is the caller's (see app-paths).
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AppSettings, ThemePreference } from '../../contract/index.ts';

export const defaultSettings: Readonly<AppSettings> = Object.freeze({
  endpoint: null,
  theme: 'system',
  startMachineOnLaunch: true,
});

const themes: readonly ThemePreference[] = ['light', 'dark', 'system'];

/** Keeps what is valid in a parsed file and drops the rest, so a hand-edited file cannot break the app. */
export function parseSettings(raw: unknown): AppSettings {
  const o = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  return {
    endpoint: typeof o.endpoint === 'string' && o.endpoint.trim() ? o.endpoint.trim() : null,
    theme: themes.includes(o.theme as ThemePreference) ? (o.theme as ThemePreference) : defaultSettings.theme,
    startMachineOnLaunch: o.startMachineOnLaunch !== false,
    ...(typeof o.kubeContext === 'string' && o.kubeContext ? { kubeContext: o.kubeContext } : {}),
  };
}

export class SettingsStore {
  /** Writes one at a time, each on top of the one before. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  async read(): Promise<AppSettings> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch {
      return { ...defaultSettings };
    }
    try {
      return parseSettings(JSON.parse(text));
    } catch {
      return { ...defaultSettings };
    }
  }

  update(patch: Partial<AppSettings>): Promise<AppSettings> {
    const next = this.queue.then(async () => {
      const settings = parseSettings({ ...(await this.read()), ...patch });
      await writeAtomic(this.file, `${JSON.stringify(settings, null, 2)}\n`);
      return settings;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Deletes the file; true when there was one. */
  reset(): Promise<boolean> {
    const next = this.queue.then(() =>
      fs.rm(this.file).then(
        () => true,
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return false;
          throw err;
        },
      ),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, text, { mode: 0o600 });
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
