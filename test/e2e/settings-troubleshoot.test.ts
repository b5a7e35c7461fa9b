// Settings and Troubleshoot in web mode (Debian's Chromium) against a real berthd: first one the
// harness started (Berth did not start it, so it is never restarted or wiped), then one the app starts
// itself on temporary roots (its log, restart, and the reset that wipes it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  cleanupNetwork,
  type Daemon,
  eventually,
  loadBusybox,
  startDaemon,
  stopDaemon,
} from '../conformance/harness.ts';
import { SettingsPage } from './pages/settings.ts';
import { Shell } from './pages/shell.ts';
import { TroubleshootPage } from './pages/troubleshoot.ts';
import {
  hasChromium,
  launchAppPage,
  screenshotsDir,
  startBuiltWebServer,
  startWebMode,
  type WebMode,
} from './web-mode.ts';

const skip = hasChromium ? false : 'no Chromium at /usr/bin/chromium: apt-get install -y chromium';
const viewport = { width: 1100, height: 760 };

function savedSettings(web: WebMode): Record<string, unknown> | null {
  const file = path.join(web.configDir, 'settings.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : null;
}

describe('settings and troubleshoot in web mode', { skip }, () => {
  let daemon: Daemon;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let shell: Shell;
  const shot = (name: string) => page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) });

  before(async () => {
    mkdirSync(screenshotsDir, { recursive: true });
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    web = await startWebMode(daemon.host);
    ({ browser, page } = await launchAppPage(viewport));
    shell = new Shell(page);
    await shell.goto(web.url);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    if (daemon) await stopDaemon(daemon);
  });

  test('theme: light, dark, and system, which follows the OS as it changes', async () => {
    await shell.open('Settings');
    const settings = new SettingsPage(page);
    await settings.chooseTheme('Light');
    await eventually(async () => (await shell.theme()) === 'light', 5000, 'light theme');
    await eventually(() => savedSettings(web)?.theme === 'light', 5000, 'light saved');
    await settings.chooseTheme('Dark');
    await eventually(async () => (await shell.theme()) === 'dark', 5000, 'dark theme');
    await eventually(() => savedSettings(web)?.theme === 'dark', 5000, 'dark saved');
    await settings.chooseTheme('System');
    await page.emulateMedia({ colorScheme: 'light' });
    await eventually(async () => (await shell.theme()) === 'light', 5000, 'system: light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await eventually(async () => (await shell.theme()) === 'dark', 5000, 'system: dark');
    await page.reload();
    await page
      .getByRole('group', { name: 'Theme' })
      .getByRole('radio', { name: /^System/ })
      .waitFor();
    assert.ok(
      await page
        .getByRole('group', { name: 'Theme' })
        .getByRole('radio', { name: /^System/ })
        .isChecked(),
      'the choice survives a reload',
    );
    await settings.machine.waitFor();
    for (const name of ['CPUs', 'Memory (MiB)', 'Disk (GiB, grows only)']) {
      const input = settings.machine.getByRole('spinbutton', { name });
      assert.ok(Number(await input.inputValue()) > 0, `${name} shows the machine's value`);
    }
    await settings.machine.getByText(`Berth uses DOCKER_HOST (${daemon.host}), not the machine.`).waitFor();
    await settings.endpointInUse.getByText(daemon.host).waitFor();
    await shot('settings');
  });

  test('endpoint: a socket that does not answer is refused inline; the app keeps its engine; then back', async () => {
    const settings = new SettingsPage(page);
    await settings.useEndpoint('unix:///tmp/berth-e2e-no-such.sock');
    await settings.endpointError
      .getByText(/unix:\/\/\/tmp\/berth-e2e-no-such\.sock does not answer/)
      .waitFor();
    await settings.endpointInUse.getByText(daemon.host).waitFor();
    assert.equal(savedSettings(web)?.endpoint ?? null, null, 'nothing saved');
    await page.getByText('Engine running').waitFor();
    // Any endpoint that answers is taken, and saved (a bare path is a unix socket).
    await settings.useEndpoint(daemon.socket);
    await settings.endpointNotice.getByText('Connected').waitFor();
    assert.equal(savedSettings(web)?.endpoint, `unix://${daemon.socket}`);
    // Back to the default.
    await settings.useEndpoint(null);
    await settings.endpointNotice.getByText('Connected').waitFor();
    await settings.endpointInUse.getByText(daemon.host).waitFor();
    assert.equal(savedSettings(web)?.endpoint, null);
  });

  test('start at login: unavailable in web mode, and says why', async () => {
    const settings = new SettingsPage(page);
    assert.ok(await settings.startAtLogin.isDisabled());
    await settings.loginUnavailable.getByText(/Web mode/).waitFor();
  });

  test('troubleshoot: where the logs are, no restart of an engine Berth did not start; the reset dialog names what it deletes; Cancel keeps everything', async () => {
    assert.equal(daemon.docker(['create', '--name', 'keep-me', 'busybox', 'true']).code, 0);
    const before = savedSettings(web);
    assert.ok(before, 'the settings file exists (the tests above wrote it)');
    await shell.open('Troubleshoot');
    const t = new TroubleshootPage(page);
    await t.logsHint.getByText(/Berth did not start the engine/).waitFor();
    await t.engineOwner.getByText('Not started by Berth').waitFor();
    assert.ok(await t.restart.isDisabled(), 'restart is only for the engine Berth started');
    await shot('troubleshoot');
    const deletes = await t.openReset();
    assert.equal(deletes.length, 1, deletes.join('\n'));
    assert.match(deletes[0], /Berth's settings/);
    assert.ok(deletes[0].includes(path.join(web.configDir, 'settings.json')), deletes[0]);
    await t.resetDialog.getByText(/its containers, images and volumes stay/).waitFor();
    await shot('troubleshoot-reset');
    await t.cancelReset();
    assert.deepEqual(savedSettings(web), before, 'Cancel deletes nothing');
    assert.match(daemon.docker(['ps', '-a', '--format', '{{.Names}}']).stdout, /keep-me/);
  });

  test('reset to factory defaults deletes the settings file; the theme follows the system again', async () => {
    await shell.open('Settings');
    await new SettingsPage(page).chooseTheme('Light');
    await eventually(() => savedSettings(web)?.theme === 'light', 5000, 'light saved');
    await shell.open('Troubleshoot');
    const t = new TroubleshootPage(page);
    await t.openReset();
    await t.confirmReset();
    await t.notice.getByText(/Reset done\. Deleted: .*settings\.json/).waitFor();
    assert.equal(savedSettings(web), null);
    await eventually(async () => (await shell.theme()) === 'dark', 5000, 'the system theme (dark) again');
    assert.match(daemon.docker(['ps', '-a', '--format', '{{.Names}}']).stdout, /keep-me/);
  });
});

describe('troubleshoot with the berthd the app started', { skip }, () => {
  let root: string;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let shell: Shell;
  let host: string;
  const docker = (args: string[]) =>
    spawnSync('docker', args, { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8' });

  before(async () => {
    // Short paths: the socket path must fit in 108 bytes.
    root = mkdtempSync('/tmp/bm-');
    host = `unix://${root}/run/docker.sock`;
    web = await startBuiltWebServer(undefined, {
      env: {
        BERTH_MANAGED_ENGINE: '1',
        BERTH_ENGINE_DATA_ROOT: `${root}/data`,
        BERTH_ENGINE_EXEC_ROOT: `${root}/run`,
      },
    });
    await eventually(() => docker(['version']).status === 0, 60_000, 'the app starts berthd');
    ({ browser, page } = await launchAppPage(viewport, 30_000));
    shell = new Shell(page);
    await shell.goto(web.url);
  });
  after(async () => {
    await browser?.close();
    const ids = docker(['ps', '-aq']).stdout?.split('\n').filter(Boolean) ?? [];
    if (ids.length) docker(['rm', '-f', ...ids]);
    await web?.stop();
    if (root) {
      cleanupNetwork(`${root}/run`);
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('the log, a restart, and a reset that names and wipes the engine data', async () => {
    assert.equal(docker(['volume', 'create', 'doomed']).status, 0);
    await shell.open('Troubleshoot');
    const t = new TroubleshootPage(page);
    await t.engineOwner.getByText(/^Started by Berth/).waitFor();
    await t.engineLog.getByText(/Daemon has completed initialization/).waitFor();
    await page.screenshot({ path: path.join(screenshotsDir, 'troubleshoot-managed.png') });
    await t.restart.click();
    await t.notice.getByText('The engine restarted and answers again.').waitFor();
    const deletes = await t.openReset();
    assert.equal(deletes.length, 2, deletes.join('\n'));
    assert.ok(deletes[1].includes(`${root}/data`), deletes[1]);
    assert.match(deletes[1], /every container, image, volume and network/);
    await t.confirmReset();
    await t.notice.getByText(new RegExp(`Reset done\\. Deleted: ${root}/data`)).waitFor({ timeout: 60_000 });
    assert.equal(docker(['version']).status, 0, 'the engine answers again');
    assert.doesNotMatch(docker(['volume', 'ls', '-q']).stdout, /doomed/);
  });
});
