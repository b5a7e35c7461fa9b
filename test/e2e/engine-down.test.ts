// An engine that stops answering, in web mode against real berthds: one the app did not start (never
// restarted: the one banner says who can start it and where to pick another) and one the app started
// (restarted by itself with back-off, and by Restart). Also the web URL opened without its token.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { cleanupNetwork, type Daemon, eventually, startDaemon, stopDaemon } from '../conformance/harness.ts';
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
const viewport = { width: 1000, height: 700 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every alert on the page but the toasts: the banners. */
async function banners(page: Page): Promise<string[]> {
  return page.locator('[role="alert"]:not([data-testid="toast"])').allInnerTexts();
}

describe('an engine the app did not start', { skip }, () => {
  let daemon: Daemon;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let shell: Shell;

  before(async () => {
    mkdirSync(screenshotsDir, { recursive: true });
    daemon = await startDaemon('berthd');
    web = await startWebMode(daemon.host);
    ({ browser, page } = await launchAppPage(viewport));
    shell = new Shell(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    if (daemon) await stopDaemon(daemon);
  });

  test('killed, it stays down: one banner says who can start it and where to pick another; no Restart', async () => {
    await shell.goto(web.url);
    await shell.engineStatus.getByText('Engine running').waitFor();
    await shell.open('Containers');
    await daemon.kill9();
    await shell.engineBanner.getByText(`Berth did not start the engine at ${daemon.host}`).waitFor();
    await shell.engineStatus.getByText('Engine unreachable').waitFor();
    await sleep(2500); // two more polls of every list: none adds a banner of its own
    assert.deepEqual((await banners(page)).length, 1, (await banners(page)).join('\n---\n'));
    // No Restart of the engine (the containers list's bulk Restart is another thing).
    assert.equal(await shell.engineBanner.getByRole('button', { name: /^Restart/ }).count(), 0);
    assert.equal(await shell.engineStatus.getByRole('button', { name: /^Restart/ }).count(), 0);
    assert.doesNotMatch((await shell.engineBanner.textContent()) ?? '', /npm start/);
    await page.screenshot({ path: `${screenshotsDir}/engine-down-unmanaged.png` });
    assert.notEqual(daemon.docker(['version']).code, 0, 'nobody started it again');
    await shell.engineBanner.getByRole('button', { name: 'pick another endpoint in Settings' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await daemon.restart();
    await shell.engineStatus.getByText('Engine running').waitFor();
    await shell.engineBanner.waitFor({ state: 'detached' });
  });

  test('the URL without its token: with the cookie the app works; without it, a page asks for the token', async () => {
    const bare = web.url.replace(/\?token=.*/, '');
    const token = new URL(web.url).searchParams.get('token') ?? '';
    const withCookie = await browser.newContext({ viewport });
    const p = await withCookie.newPage();
    await p.goto(web.url);
    await new Shell(p).engineStatus.getByText('Engine running').waitFor();
    await p.goto(bare);
    await new Shell(p).engineStatus.getByText('Engine running').waitFor();
    assert.equal(await p.getByTestId('engine-down').count(), 0);
    await withCookie.close();

    const fresh = await browser.newContext({ viewport });
    const q = await fresh.newPage();
    const res = await q.goto(bare);
    assert.equal(res?.status(), 403);
    await q.getByRole('heading', { name: 'Berth needs its token' }).waitFor();
    await q.getByLabel('Token').fill(token);
    await q.getByRole('button', { name: 'Open Berth' }).click();
    await new Shell(q).engineStatus.getByText('Engine running').waitFor();
    await fresh.close();
  });
});

describe('the engine the app started', { skip }, () => {
  let root: string;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let shell: Shell;
  let blocker: ChildProcess | null = null;
  const host = () => `unix://${root}/run/docker.sock`;
  const docker = (args: string[]) =>
    spawnSync('docker', args, { env: { ...process.env, DOCKER_HOST: host() }, encoding: 'utf8' });
  const pidFile = () => `${root}/run/berthd.pid`;
  const pid = () => Number(readFileSync(pidFile(), 'utf8').trim());
  /** berthd refuses to start while its pid file names a live process called berthd. */
  const block = () => {
    blocker = spawn('sleep', ['600'], { argv0: 'berthd-blocker', stdio: 'ignore' });
    writeFileSync(pidFile(), String(blocker.pid));
  };
  const unblock = () => {
    blocker?.kill('SIGKILL');
    blocker = null;
  };

  before(async () => {
    root = mkdtempSync('/tmp/bk-');
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
    unblock();
    await browser?.close();
    await web?.stop();
    if (root) {
      cleanupNetwork(`${root}/run`);
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('killed, it is started again by itself within seconds, and its log says so', async () => {
    await shell.engineStatus.getByText('Engine running').waitFor();
    const before = pid();
    process.kill(before, 'SIGKILL');
    await eventually(
      () => docker(['version']).status === 0 && pid() !== before,
      20_000,
      'a new berthd, started by the app',
    );
    await shell.engineStatus.getByText('Engine running').waitFor();
    await shell.open('Troubleshoot');
    await new TroubleshootPage(page).engineLog
      .getByText(/berthd was killed by SIGKILL; Berth starts it again in 1 s/)
      .waitFor();
  });

  test('while it cannot start: one banner with a countdown, Restart in the banner and the sidebar; a failed Restart says why; Restart brings it back', async () => {
    await shell.open('Containers');
    process.kill(pid(), 'SIGKILL');
    block();
    await shell.engineBanner.getByText(/did not start: berthd exited/).waitFor({ timeout: 20_000 });
    await shell.engineBanner.getByText(/Restarting automatically in \d+ s\./).waitFor();
    await shell.engineStatus.getByText('Engine stopped').waitFor();
    await shell.engineStatus.getByRole('button', { name: 'Restart engine' }).waitFor();
    assert.equal((await banners(page)).length, 1, (await banners(page)).join('\n---\n'));
    await page.screenshot({ path: `${screenshotsDir}/engine-down-managed.png` });

    await shell.engineBanner.getByRole('button', { name: 'Restart now' }).click();
    const failed = page.getByTestId('toast').filter({ hasText: 'Cannot restart the engine' });
    await failed.getByText(/pid file found/).waitFor({ timeout: 30_000 });
    assert.doesNotMatch((await failed.textContent()) ?? '', /HTTP code/);
    await failed.getByRole('button', { name: 'Dismiss' }).click();

    // Once the next automatic attempt is a few seconds off, the way is cleared and Restart clicked.
    await shell.engineBanner
      .getByText(/Restarting automatically in ([4-9]|\d\d) s\./)
      .waitFor({ timeout: 30_000 });
    unblock();
    await shell.engineBanner.getByRole('button', { name: 'Restart now' }).click();
    await page.getByTestId('toast').getByText('The engine restarted and answers again').waitFor();
    await shell.engineBanner.waitFor({ state: 'detached' });
    await shell.engineStatus.getByText('Engine running').waitFor();
    assert.equal(docker(['version']).status, 0);
  });
});
