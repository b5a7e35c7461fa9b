// The settings file (on a temp dir: the location seam) and the settings handlers, with a fake Docker
// endpoint (a unix socket answering /_ping) and fake login items.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { defaultEndpoint, normalizeEndpoint } from '../engine/engine-endpoint.ts';
import { createHandlers } from '../index.ts';
import { dispatchInvoke } from '../ipc/handlers.ts';
import { appPaths } from './app-paths.ts';
import { createAppServices } from './app-services.ts';
import { type LoginItems, unavailableLoginItems, xdgAutostartLoginItems } from './login-items.ts';
import { parseSettings, SettingsStore } from './settings-store.ts';

const made: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-settings-'));
  made.push(dir);
  return dir;
};
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function fakeLoginItems(): LoginItems & { enabled: boolean } {
  const items = {
    enabled: false,
    async status() {
      return { available: true as const, enabled: items.enabled };
    },
    async set(enabled: boolean) {
      items.enabled = enabled;
    },
  };
  return items;
}

/** Answers Docker's /_ping on a unix socket, like any engine would. */
function pingServer(socket: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/_ping')) res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    else res.writeHead(404).end('{"message":"not here"}');
  });
  return new Promise((resolve) => server.listen(socket, () => resolve(server)));
}

describe('app paths', () => {
  test('BERTH_CONFIG_DIR wins; else the platform convention', () => {
    assert.equal(appPaths({ BERTH_CONFIG_DIR: '/x' }, 'linux', '/home/u').settingsFile, '/x/settings.json');
    assert.equal(appPaths({}, 'linux', '/home/u').configDir, '/home/u/.config/berth');
    assert.equal(appPaths({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/u').configDir, '/xdg/berth');
    assert.equal(appPaths({}, 'darwin', '/Users/u').configDir, '/Users/u/Library/Application Support/Berth');
    assert.equal(appPaths({}, 'linux', '/home/u').engineLogFile, '/home/u/.config/berth/logs/berthd.log');
  });
});

describe('SettingsStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = tmp();
  });

  test('no file means the defaults; update writes JSON (0600) that reads back; reset deletes it', async () => {
    const store = new SettingsStore(path.join(dir, 'sub', 'settings.json'));
    assert.deepEqual(await store.read(), { endpoint: null, theme: 'system', startMachineOnLaunch: true });
    await store.update({ theme: 'light' });
    await store.update({ endpoint: 'unix:///var/run/docker.sock' });
    assert.deepEqual(await store.read(), {
      endpoint: 'unix:///var/run/docker.sock',
      theme: 'light',
      startMachineOnLaunch: true,
    });
    assert.equal(statSync(store.file).mode & 0o777, 0o600);
    assert.equal(await store.reset(), true);
    assert.equal(existsSync(store.file), false);
    assert.equal(await store.reset(), false, 'nothing left to delete');
  });

  test('concurrent updates all land (one write at a time, each on the last)', async () => {
    const store = new SettingsStore(path.join(dir, 'settings.json'));
    await Promise.all([store.update({ theme: 'dark' }), store.update({ endpoint: '/run/x.sock' })]);
    assert.deepEqual(await store.read(), {
      endpoint: '/run/x.sock',
      theme: 'dark',
      startMachineOnLaunch: true,
    });
  });

  test('a broken or hand-edited file cannot break the app', async () => {
    const file = path.join(dir, 'settings.json');
    writeFileSync(file, '{ not json');
    assert.deepEqual(await new SettingsStore(file).read(), {
      endpoint: null,
      theme: 'system',
      startMachineOnLaunch: true,
    });
    assert.deepEqual(parseSettings({ theme: 'purple', endpoint: 42, extra: true }), {
      endpoint: null,
      theme: 'system',
      startMachineOnLaunch: true,
    });
    assert.deepEqual(
      parseSettings({ theme: 'dark', endpoint: '  tcp://h:2375 ', startMachineOnLaunch: false }),
      { endpoint: 'tcp://h:2375', theme: 'dark', startMachineOnLaunch: false },
    );
  });
});

describe('endpoints', () => {
  test('normalize: unix sockets (bare paths too), tcp and http; anything else is invalid', () => {
    assert.equal(normalizeEndpoint('/run/x.sock'), 'unix:///run/x.sock');
    assert.equal(normalizeEndpoint(' unix:///run/x.sock '), 'unix:///run/x.sock');
    assert.equal(normalizeEndpoint('tcp://127.0.0.1:2375'), 'tcp://127.0.0.1:2375');
    for (const bad of ['', 'unix://relative.sock', 'ssh://me@host', 'docker.sock']) {
      assert.throws(() => normalizeEndpoint(bad), /is not a Docker endpoint/, bad);
    }
  });

  test('the default: DOCKER_HOST, else the engine the app manages', () => {
    assert.deepEqual(defaultEndpoint({ DOCKER_HOST: 'unix:///a.sock' }, 'unix:///m.sock'), {
      endpoint: 'unix:///a.sock',
      source: 'DOCKER_HOST',
    });
    assert.deepEqual(defaultEndpoint({}, 'unix:///m.sock'), { endpoint: 'unix:///m.sock', source: 'berth' });
  });
});

describe('settings handlers', () => {
  let dir: string;
  let socket: string;
  let server: http.Server;
  before(async () => {
    dir = tmp();
    socket = path.join(dir, 'engine.sock');
    server = await pingServer(socket);
  });
  after(() => server.close());

  const setup = async (loginItems: LoginItems = fakeLoginItems()) => {
    const configDir = mkdtempSync(path.join(dir, 'config-'));
    const app = await createAppServices({
      env: { BERTH_CONFIG_DIR: configDir, DOCKER_HOST: `unix://${socket}` },
      loginItems,
      managed: null,
    });
    return { app, h: createHandlers(app.engine, undefined, app) };
  };

  test('settings.get shows the file, the endpoint in use and where the default comes from', async () => {
    const { app, h } = await setup();
    const r = await dispatchInvoke(h, 'settings.get', undefined);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value, {
      settings: { endpoint: null, theme: 'system', startMachineOnLaunch: true },
      endpoint: `unix://${socket}`,
      defaultEndpoint: { endpoint: `unix://${socket}`, source: 'DOCKER_HOST' },
      startAtLogin: { available: true, enabled: false },
      file: app.paths.settingsFile,
    });
  });

  test('setTheme saves; an unknown theme is refused', async () => {
    const { app, h } = await setup();
    const r = await dispatchInvoke(h, 'settings.setTheme', { theme: 'dark' });
    assert.ok(r.ok);
    assert.equal(r.value.settings.theme, 'dark');
    assert.equal(JSON.parse(readFileSync(app.paths.settingsFile, 'utf8')).theme, 'dark');
    const bad = await dispatchInvoke(h, 'settings.setTheme', { theme: 'neon' as 'dark' });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.error.code, 'settings.bad_theme');
  });

  test('setEndpoint: one that does not answer is refused and nothing changes; one that does is used and saved', async () => {
    const { app, h } = await setup();
    const other = path.join(dir, 'other.sock');
    const dead = await dispatchInvoke(h, 'settings.setEndpoint', { endpoint: `unix://${other}` });
    assert.equal(dead.ok, false);
    if (!dead.ok) {
      assert.equal(dead.error.kind, 'unreachable');
      assert.match(dead.error.message, /other\.sock does not answer/);
    }
    assert.equal(app.engine.endpoint, `unix://${socket}`);
    assert.equal(existsSync(app.paths.settingsFile), false, 'nothing saved');

    const second = await pingServer(other);
    try {
      const ok = await dispatchInvoke(h, 'settings.setEndpoint', { endpoint: other });
      assert.ok(ok.ok, JSON.stringify(ok));
      assert.equal(ok.value.endpoint, `unix://${other}`);
      assert.equal(app.engine.endpoint, `unix://${other}`, 'the handlers talk to it from now on');
      assert.equal((await app.settings.read()).endpoint, `unix://${other}`);
      // A new app process starts on the saved endpoint.
      const again = await createAppServices({
        env: { BERTH_CONFIG_DIR: app.paths.configDir, DOCKER_HOST: `unix://${socket}` },
        loginItems: fakeLoginItems(),
        managed: null,
      });
      assert.equal(again.engine.endpoint, `unix://${other}`);
    } finally {
      second.close();
    }
    const back = await dispatchInvoke(h, 'settings.setEndpoint', { endpoint: null });
    assert.ok(back.ok);
    assert.equal(app.engine.endpoint, `unix://${socket}`);
    assert.equal((await app.settings.read()).endpoint, null);
    const typo = await dispatchInvoke(h, 'settings.setEndpoint', { endpoint: 'docker.sock' });
    assert.equal(typo.ok, false);
    if (!typo.ok) assert.equal(typo.error.kind, 'invalid_argument');
  });

  test('start at login goes through the seam; where there is none it says why', async () => {
    const login = fakeLoginItems();
    const { h } = await setup(login);
    const on = await dispatchInvoke(h, 'settings.setStartAtLogin', { enabled: true });
    assert.ok(on.ok);
    assert.equal(login.enabled, true);
    assert.deepEqual(on.value.startAtLogin, { available: true, enabled: true });
    const { h: web } = await setup(unavailableLoginItems('web mode'));
    const get = await dispatchInvoke(web, 'settings.get', undefined);
    assert.ok(get.ok);
    assert.deepEqual(get.value.startAtLogin, { available: false, reason: 'web mode' });
    const set = await dispatchInvoke(web, 'settings.setStartAtLogin', { enabled: true });
    assert.equal(set.ok, false);
    if (!set.ok) assert.equal(set.error.kind, 'unsupported');
  });

  test('handlers without app services answer `unsupported`', async () => {
    const h = createHandlers();
    const r = await dispatchInvoke(h, 'settings.get', undefined);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.kind, 'unsupported');
  });
});

describe('XDG autostart (start at login on Linux)', () => {
  test('writes and removes ~/.config/autostart/berth.desktop', async () => {
    const dir = path.join(tmp(), 'autostart');
    const items = xdgAutostartLoginItems({ dir, exec: ['/opt/Berth/berth', '/path with space'] });
    assert.deepEqual(await items.status(), { available: true, enabled: false });
    await items.set(true);
    assert.deepEqual(await items.status(), { available: true, enabled: true });
    const entry = readFileSync(path.join(dir, 'berth.desktop'), 'utf8');
    assert.match(entry, /^Exec=\/opt\/Berth\/berth "\/path with space"$/m);
    await items.set(false);
    assert.deepEqual(await items.status(), { available: true, enabled: false });
  });
});
