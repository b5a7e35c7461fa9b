// Troubleshoot handlers: the engine's log, restart, and reset to factory defaults. Only the berthd the
// app started itself is restarted or wiped; for any other engine the answers say where to look.
import type { TroubleshootInfo } from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';
import type { AppServices } from './app-services.ts';
import { needApp } from './settings.ts';

type TroubleshootChannels =
  | 'troubleshoot.info'
  | 'troubleshoot.engineLogs'
  | 'troubleshoot.restartEngine'
  | 'troubleshoot.reset';

export function logsHint(app: AppServices): string {
  if (app.managed) return `berthd, started by Berth, writes its log to ${app.paths.engineLogFile}.`;
  return (
    `Berth did not start the engine at ${app.engine.endpoint}, so its log is wherever the program that ` +
    'started it writes it: berthd writes to its standard error (under systemd: journalctl -u berthd), ' +
    'Docker Engine to the journal (journalctl -u docker.service). When no engine answers, ' +
    `\`sudo npm start\` starts berthd itself; its log (${app.paths.engineLogFile}) then shows here.`
  );
}

function notManaged(app: AppServices, what: string): HandlerError {
  return new HandlerError(
    'unsupported',
    'engine.not_managed',
    `Berth did not start the engine at ${app.engine.endpoint}, so it cannot ${what} it: do that where it runs.`,
  );
}

export function troubleshootHandlers(app?: AppServices): Pick<InvokeHandlers, TroubleshootChannels> {
  return {
    async 'troubleshoot.info'(): Promise<TroubleshootInfo> {
      const a = needApp(app);
      return {
        endpoint: a.engine.endpoint,
        managed: a.managed?.info() ?? null,
        logsHint: logsHint(a),
        settingsFile: a.paths.settingsFile,
      };
    },
    async 'troubleshoot.engineLogs'({ lines }) {
      const a = needApp(app);
      if (!a.managed) throw new HandlerError('unsupported', 'engine.not_managed', logsHint(a));
      return a.managed.readLog(Math.min(Math.max(1, Math.floor(lines ?? 2000)), 20_000));
    },
    async 'troubleshoot.restartEngine'() {
      const a = needApp(app);
      if (!a.managed) throw notManaged(a, 'restart');
      await a.managed.restart();
    },
    async 'troubleshoot.reset'() {
      const a = needApp(app);
      const deleted: string[] = [];
      // The engine first: when it cannot be wiped, nothing else is touched either.
      if (a.managed) deleted.push(...(await a.managed.resetData()));
      if (await a.settings.reset()) deleted.push(a.paths.settingsFile);
      const login = await a.loginItems.status();
      if (login.available && login.enabled) await a.loginItems.set(false);
      a.engine.switchTo(a.defaultEndpoint.endpoint);
      return { deleted };
    },
  };
}
