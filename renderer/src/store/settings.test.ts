// The settings and troubleshoot slices against a fake BerthApi (the transport seam).
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type {
  BerthApi,
  InvokeChannel,
  Result,
  SettingsView,
  TroubleshootInfo,
} from '../../../electron/contract/index.ts';
import { setApi } from '../api/client.ts';
import { useStore } from './index.ts';
import { resolveTheme } from './settings.ts';

const initial = useStore.getState();

function view(patch: Partial<SettingsView['settings']> = {}): SettingsView {
  return {
    settings: { endpoint: null, theme: 'system', startMachineOnLaunch: true, ...patch },
    endpoint: patch.endpoint ?? 'unix:///run/berth/docker.sock',
    defaultEndpoint: { endpoint: 'unix:///run/berth/docker.sock', source: 'berth' },
    startAtLogin: { available: false, reason: 'web mode' },
    file: '/cfg/settings.json',
  };
}

function fakeApi(
  handle: (channel: InvokeChannel, req: unknown) => Result<unknown>,
  calls: string[],
): BerthApi {
  return {
    invoke: (async (channel: InvokeChannel, req: unknown) => {
      calls.push(channel);
      return handle(channel, req);
    }) as BerthApi['invoke'],
    subscribe: () => () => undefined,
  };
}

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

describe('settings slice', () => {
  let calls: string[];
  beforeEach(() => {
    useStore.setState(initial, true);
    calls = [];
  });

  test('the theme in effect: the preference, or the system one for `system`', () => {
    assert.equal(resolveTheme('light', 'dark'), 'light');
    assert.equal(resolveTheme('system', 'light'), 'light');
    const s = useStore.getState();
    s.setSystemTheme('light');
    useStore.setState({ themePreference: 'system' });
    s.setSystemTheme('dark');
    assert.equal(useStore.getState().theme, 'dark', 'system follows the OS as it changes');
  });

  test('loadSettings applies the saved theme; setThemePreference shows at once and saves', async () => {
    let saved = view({ theme: 'light' });
    setApi(
      fakeApi((channel, req) => {
        if (channel === 'settings.get') return ok(saved);
        if (channel === 'settings.setTheme') {
          saved = view({ theme: (req as { theme: 'dark' }).theme });
          return ok(saved);
        }
        return ok(undefined);
      }, calls),
    );
    await useStore.getState().loadSettings();
    assert.equal(useStore.getState().theme, 'light');
    const pending = useStore.getState().setThemePreference('dark');
    assert.equal(useStore.getState().theme, 'dark', 'before the file is written');
    assert.equal(await pending, null);
    assert.equal(useStore.getState().settings?.settings.theme, 'dark');
    useStore.getState().toggleTheme();
    assert.equal(useStore.getState().themePreference, 'light', 'the toggle is an explicit choice');
  });

  test('setEndpoint: a refusal comes back as the error; a success refreshes what the screens show', async () => {
    setApi(
      fakeApi((channel, req) => {
        if (channel === 'settings.setEndpoint') {
          const { endpoint } = req as { endpoint: string | null };
          if (endpoint?.includes('nope')) {
            return {
              ok: false,
              error: {
                kind: 'unreachable',
                code: 'endpoint.no_answer',
                message: `${endpoint} does not answer`,
              },
            };
          }
          return ok(view({ endpoint }));
        }
        if (channel === 'containers.list' || channel === 'images.list') return ok([]);
        return { ok: false, error: { kind: 'unreachable', code: 'x', message: 'x' } };
      }, calls),
    );
    const err = await useStore.getState().setEndpoint('unix:///nope.sock');
    assert.match(err?.message ?? '', /does not answer/);
    assert.deepEqual(calls, ['settings.setEndpoint'], 'nothing refreshed after a refusal');
    assert.equal(await useStore.getState().setEndpoint('unix:///other.sock'), null);
    assert.equal(useStore.getState().settings?.endpoint, 'unix:///other.sock');
    assert.ok(
      calls.includes('engine.info') && calls.includes('containers.list') && calls.includes('images.list'),
    );
  });
});

describe('troubleshoot slice', () => {
  beforeEach(() => useStore.setState(initial, true));

  test('loads the engine log only for an engine Berth started; reset reloads the settings', async () => {
    const calls: string[] = [];
    let managed: TroubleshootInfo['managed'] = null;
    setApi(
      fakeApi((channel) => {
        if (channel === 'troubleshoot.info') {
          return ok({
            endpoint: 'unix:///x.sock',
            managed,
            logsHint: 'look elsewhere',
            settingsFile: '/cfg/settings.json',
          });
        }
        if (channel === 'troubleshoot.engineLogs')
          return ok({ file: '/cfg/logs/berthd.log', lines: ['ready'], truncated: false });
        if (channel === 'troubleshoot.reset') return ok({ deleted: ['/cfg/settings.json'] });
        if (channel === 'settings.get') return ok(view());
        if (channel === 'containers.list' || channel === 'images.list') return ok([]);
        return { ok: false, error: { kind: 'unreachable', code: 'x', message: 'x' } };
      }, calls),
    );
    await useStore.getState().loadTroubleshoot();
    assert.equal(useStore.getState().troubleshoot?.logsHint, 'look elsewhere');
    assert.ok(!calls.includes('troubleshoot.engineLogs'));
    managed = {
      endpoint: 'unix:///x.sock',
      running: true,
      starting: false,
      logFile: '/cfg/logs/berthd.log',
      dataRoot: '/var/lib/berth',
    };
    await useStore.getState().loadTroubleshoot();
    assert.deepEqual(useStore.getState().engineLog?.lines, ['ready']);
    const r = await useStore.getState().resetToDefaults();
    assert.deepEqual(r, { deleted: ['/cfg/settings.json'] });
    assert.ok(calls.includes('settings.get'), 'settings are loaded afresh after a reset');
  });
});
