// Settings handlers: the engine endpoint (pinged before it is used), the theme, start at login.
import type { SettingsView, ThemePreference } from '../../contract/index.ts';
import { normalizeEndpoint, pingEndpoint } from '../engine/engine-endpoint.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';
import type { AppServices } from './app-services.ts';

type SettingsChannels =
  | 'settings.get'
  | 'settings.setTheme'
  | 'settings.setEndpoint'
  | 'settings.setStartAtLogin';

const themes: readonly ThemePreference[] = ['light', 'dark', 'system'];

export function needApp(app: AppServices | undefined): AppServices {
  if (!app) throw new HandlerError('unsupported', 'app.no_settings', 'this process keeps no app settings');
  return app;
}

export async function settingsView(app: AppServices): Promise<SettingsView> {
  return {
    settings: await app.settings.read(),
    endpoint: app.engine.endpoint,
    defaultEndpoint: app.defaultEndpoint,
    startAtLogin: await app.loginItems.status(),
    file: app.paths.settingsFile,
  };
}

export function settingsHandlers(app?: AppServices): Pick<InvokeHandlers, SettingsChannels> {
  return {
    async 'settings.get'() {
      return settingsView(needApp(app));
    },
    async 'settings.setTheme'({ theme }) {
      const a = needApp(app);
      if (!themes.includes(theme)) {
        throw new HandlerError(
          'invalid_argument',
          'settings.bad_theme',
          `no theme "${theme}": use light, dark or system`,
        );
      }
      await a.settings.update({ theme });
      return settingsView(a);
    },
    async 'settings.setEndpoint'({ endpoint }) {
      const a = needApp(app);
      // The default is always allowed back (it may be the engine the app is about to start); any other
      // endpoint must answer first, so a typo never leaves the app talking to nothing.
      const target = endpoint === null ? a.defaultEndpoint.endpoint : normalizeEndpoint(endpoint);
      if (endpoint !== null) await pingEndpoint(target);
      await a.settings.update({ endpoint: endpoint === null ? null : target });
      a.engine.switchTo(target);
      return settingsView(a);
    },
    async 'settings.setStartAtLogin'({ enabled }) {
      const a = needApp(app);
      await a.loginItems.set(enabled === true);
      return settingsView(a);
    },
  };
}
