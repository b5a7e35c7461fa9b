// What the settings and troubleshoot handlers work on: the settings file, the switchable engine
// client, start at login, and the berthd the app manages (if it manages one). Electron main and web
// mode each build one with their own login items; tests build one on a temp dir.

import { cliPaths } from '../../../vm/cli/paths.ts';
import { type DefaultEndpoint, defaultEndpoint, SwitchableEngineClient } from '../engine/engine-endpoint.ts';
import { type AgentCommand, MachineService } from '../machine/machine-service.ts';
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
  /**
   * The machine (through the Berth agent). Its engine is the app's when neither DOCKER_HOST nor a
   * berthd of the app's own says otherwise; then the app starts it on launch and follows its endpoint.
   */
  machine: MachineService | null;
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
  /** How to launch the Berth agent (`berth agent`): without it the app drives no machine. */
  agent?: AgentCommand;
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
  const notInUse = env.DOCKER_HOST
    ? `Berth uses DOCKER_HOST (${env.DOCKER_HOST}), not the machine.`
    : managed
      ? `Berth runs its own berthd at ${managed.endpoint}, not the machine.`
      : undefined;
  let engine: SwitchableEngineClient | undefined;
  const machine = o.agent
    ? new MachineService({
        paths: cliPaths(env),
        agent: o.agent,
        appSettings: settings,
        inUse: !notInUse,
        ...(notInUse ? { notInUse } : {}),
        env,
        // The app's engine follows the machine's, unless the user picked another endpoint.
        onEndpoint: (docker) => {
          if (notInUse || def.endpoint === docker) return;
          def.endpoint = docker;
          void settings.read().then((s) => {
            if (s.endpoint === null) engine?.switchTo(docker);
          });
        },
      })
    : null;
  if (machine?.inUse) Object.assign(def, { endpoint: await machine.expectedEndpoint(), source: 'berth' });
  const saved = await settings.read();
  engine = new SwitchableEngineClient(saved.endpoint ?? def.endpoint);
  return {
    paths,
    settings,
    loginItems: o.loginItems,
    engine,
    defaultEndpoint: def,
    managed,
    machine,
  };
}

/**
 * When the app's engine is the machine's: connects to an agent that runs already, else starts the
 * machine (unless the user turned start on launch off). In the background; failures go to `log` and
 * show on the dashboard as the machine's error.
 */
export function startMachineOnLaunch(s: AppServices, log: (message: string) => void): void {
  const m = s.machine;
  if (!m?.inUse) return;
  void (async () => {
    if (await m.attach()) {
      await m.status();
      return;
    }
    if (!(await s.settings.read()).startMachineOnLaunch) return;
    log('starting the machine');
    const st = await m.start();
    log(`the machine runs (${st.provider}); docker: ${st.docker ?? '…'}`);
  })().catch((err: Error) => log(`the machine did not start: ${err.message}`));
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
