// What the settings and troubleshoot handlers work on: the settings file, the switchable engine
// client, start at login, and the berthd the app manages (if it manages one). Electron main and web
// mode each build one with their own login items; tests build one on a temp dir.

import { type DefaultEndpoint, defaultEndpoint, SwitchableEngineClient } from '../engine/engine-endpoint.ts';
import { BerthdProcess, type ManagedEngine } from '../managed-engine/managed-engine.ts';
import { type AppPaths, appPaths } from './app-paths.ts';
import type { LoginItems } from './login-items.ts';
import { SettingsStore } from './settings-store.ts';

export interface AppServices {
  paths: AppPaths;
  settings: SettingsStore;
  loginItems: LoginItems;
  engine: SwitchableEngineClient;
  defaultEndpoint: DefaultEndpoint;
  managed: ManagedEngine | null;
}

export interface AppServicesOptions {
  env?: NodeJS.ProcessEnv;
  paths?: AppPaths;
  loginItems: LoginItems;
  /**
   * How to run berthd, for when the app is to start one itself: `npm start` asks for that with
   * BERTH_MANAGED_ENGINE=1 (no engine answered and it may run one).
   */
  berthd?: { command: string; script: string; env?: NodeJS.ProcessEnv };
  /** A ManagedEngine of the caller's (tests); wins over `berthd`. */
  managed?: ManagedEngine | null;
}

export async function createAppServices(o: AppServicesOptions): Promise<AppServices> {
  const env = o.env ?? process.env;
  const paths = o.paths ?? appPaths(env);
  const settings = new SettingsStore(paths.settingsFile);
  let managed = o.managed ?? null;
  if (o.managed === undefined && env.BERTH_MANAGED_ENGINE === '1' && o.berthd) {
    managed = new BerthdProcess({
      ...o.berthd,
      dataRoot: env.BERTH_ENGINE_DATA_ROOT || '/var/lib/berth',
      execRoot: env.BERTH_ENGINE_EXEC_ROOT || '/run/berth',
      logFile: paths.engineLogFile,
    });
  }
  const def = defaultEndpoint(env, managed?.endpoint);
  const saved = await settings.read();
  return {
    paths,
    settings,
    loginItems: o.loginItems,
    engine: new SwitchableEngineClient(saved.endpoint ?? def.endpoint),
    defaultEndpoint: def,
    managed,
  };
}

/** Starts the managed berthd in the background when the app talks to it; failures go to `log`. */
export function startManagedEngine(s: AppServices, log: (message: string) => void): void {
  if (!s.managed || s.engine.endpoint !== s.managed.endpoint) return;
  log(`starting berthd (log: ${s.paths.engineLogFile})`);
  s.managed.start().then(
    () =>
      log(
        `berthd answers at ${s.managed?.endpoint}; docker CLI users: export DOCKER_HOST=${s.managed?.endpoint}`,
      ),
    (err: Error) => log(`berthd did not start: ${err.message}`),
  );
}
