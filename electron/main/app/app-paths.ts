// Where the app keeps its own files: the settings file and the log of the berthd it starts. One
// function decides, so tests (and a user who wants a second profile) point it elsewhere with
// BERTH_CONFIG_DIR.
import os from 'node:os';
import path from 'node:path';

export interface AppPaths {
  configDir: string;
  settingsFile: string;
  /** Where berthd, when the app starts it, writes its log. */
  engineLogFile: string;
}

export function appPaths(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): AppPaths {
  const configDir = env.BERTH_CONFIG_DIR || defaultConfigDir(env, platform, home);
  return {
    configDir,
    settingsFile: path.join(configDir, 'settings.json'),
    engineLogFile: path.join(configDir, 'logs', 'berthd.log'),
  };
}

/** The platform's place for an application's configuration (what Electron calls userData). */
function defaultConfigDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Berth');
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Berth');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'berth');
}
