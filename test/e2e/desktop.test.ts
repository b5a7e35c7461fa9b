// The desktop UI in web mode, driven by Playwright in Debian's Chromium, against a real berthd.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { ContainerDetailPage } from './pages/container-detail.ts';
import { ContainersPage } from './pages/containers.ts';
import { DashboardPage } from './pages/dashboard.ts';
import { ImagesPage } from './pages/images.ts';
import { Notices } from './pages/notices.ts';
import { Shell } from './pages/shell.ts';
import {
  appViewport,
  hasChromium,
  launchAppPage,
  screenshotsDir,
  startBuiltWebServer,
  startWebMode,
  type WebMode,
} from './web-mode.ts';

const skip = hasChromium ? false : 'no Chromium at /usr/bin/chromium: apt-get install -y chromium';

describe('desktop UI in web mode', { skip }, () => {
  let daemon: Daemon;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let shell: Shell;
  let notices: Notices;
  const shot = (name: string) => page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) });

  before(async () => {
    mkdirSync(screenshotsDir, { recursive: true });
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    web = await startWebMode(daemon.host);
    ({ browser, page } = await launchAppPage());
    shell = new Shell(page);
    notices = new Notices(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    if (daemon) await stopDaemon(daemon);
  });

  test('npm start --web prints one URL line; no token means 403', async () => {
    assert.match(web.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const res = await fetch(web.url.replace(/\?token=.*/, ''));
    assert.equal(res.status, 403);
  });

  test('dashboard shows the engine, containers and images', async () => {
    await shell.goto(web.url);
    const dash = new DashboardPage(page);
    await dash.engineCard.getByText('Running').waitFor();
    await eventually(async () => (await dash.imagesCount.textContent())?.trim() === '1', 10_000, 'one image');
    await shot('dashboard');
  });

  test('run a container from the UI and see it running in the list', async () => {
    await shell.open('Containers');
    const list = new ContainersPage(page);
    await list.run({
      image: 'busybox',
      name: 'e2e-ticker',
      cmd: `sh -c 'i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.3; done'`,
      env: 'GREETING=hello',
    });
    await list.row('e2e-ticker').and(page.locator('[data-state="running"]')).waitFor();
    const row = await list.row('e2e-ticker').textContent();
    assert.match(row ?? '', /busybox/);
    await shot('containers');
  });

  test('container detail: logs follow new lines, search highlights, timestamps; inspect shows the env', async () => {
    const list = new ContainersPage(page);
    await list.open('e2e-ticker');
    const detail = new ContainerDetailPage(page);
    await detail.logs.getByText('tick-2', { exact: true }).waitFor();
    // New lines arrive while we watch: the stream follows.
    await detail.logs.getByText('tick-8', { exact: true }).waitFor();
    await detail.logSearch.fill('tick-3');
    await detail.logs.locator('mark', { hasText: 'tick-3' }).first().waitFor();
    await page.getByTestId('log-matches').getByText('1 matching line(s)').waitFor();
    await detail.setTimestamps(true);
    await detail.logs.locator('.ts').first().waitFor();
    assert.match((await detail.logs.locator('.ts').first().textContent()) ?? '', /^\d{4}-\d\d-\d\dT/);
    await shot('container-logs');
    await detail.tab('Inspect');
    await detail.inspectRow('env', 'GREETING').getByText('hello', { exact: true }).waitFor();
  });

  test('exec terminal: type `echo hi` and read `hi` back', async () => {
    const detail = new ContainerDetailPage(page);
    await detail.tab('Terminal');
    await detail.typeInTerminal('echo hi\r');
    await eventually(async () => (await detail.terminalLines()).includes('hi'), 15_000, 'hi on its own line');
    await shot('container-terminal');
    // Switching the theme restyles the terminal without ending its session.
    await shell.switchTheme('light');
    await shell.switchTheme('dark');
    await page.getByTestId('terminal-status').getByText('Connected').waitFor();
    assert.ok((await detail.terminalLines()).includes('hi'));
    await detail.back();
  });

  test('stop and remove the container from the list', async () => {
    const list = new ContainersPage(page);
    await list.action('Stop', 'e2e-ticker');
    await list.row('e2e-ticker').and(page.locator('[data-state="exited"]')).waitFor();
    await list.action('Remove', 'e2e-ticker');
    await notices.confirm('Remove');
    await list.row('e2e-ticker').waitFor({ state: 'detached' });
    // Kept for Undo a few seconds, then gone.
    await eventually(
      () => !/e2e-ticker/.test(daemon.docker(['ps', '-a', '--format', '{{.Names}}']).stdout),
      15_000,
      'e2e-ticker removed',
    );
  });

  test('search filters the list; bulk select + remove removes exactly the selection', async () => {
    for (const name of ['alpha-1', 'alpha-2', 'beta-1']) {
      const r = daemon.docker(['run', '-d', '--name', name, 'busybox', 'sleep', '300']);
      assert.equal(r.code, 0, r.stderr);
    }
    const list = new ContainersPage(page);
    await list.row('beta-1').waitFor();
    await list.search.fill('alpha');
    await eventually(async () => (await list.rows.count()) === 2, 10_000, 'two alpha rows');
    await list.row('beta-1').waitFor({ state: 'detached' });
    await list.search.fill('no-such-thing');
    await page.getByText('No containers match "no-such-thing".').waitFor();
    await list.search.fill('alpha');
    await list.select('alpha-1');
    await list.select('alpha-2');
    await list.removeSelected();
    assert.deepEqual(await notices.dialogItems.allTextContents(), ['alpha-1', 'alpha-2']);
    await notices.confirm('Stop and remove');
    await list.row('alpha-1').waitFor({ state: 'detached' });
    await list.row('alpha-2').waitFor({ state: 'detached' });
    await list.search.fill('');
    await list.row('beta-1').waitFor();
    const names = daemon.docker(['ps', '-a', '--format', '{{.Names}}']).stdout.trim().split('\n');
    assert.deepEqual(names, ['beta-1']);
  });

  test('images list; an image a running container uses is not removed, and the toast says which', async () => {
    await shell.open('Images');
    const images = new ImagesPage(page);
    await images.row('busybox:latest').waitFor();
    await eventually(
      async () => (await images.inUse('busybox:latest').getAttribute('title')) === 'Used by beta-1 (running)',
      10_000,
      'the in-use marker names the one container left',
    );
    await shot('images');
    await images.remove('busybox:latest');
    const toast = page.getByTestId('toast').filter({ hasText: 'Cannot remove image busybox:latest' });
    await toast.getByText(/used by running container beta-1/).waitFor();
    assert.equal(await images.dialog.isVisible(), false, 'nothing to confirm: it cannot go');
    await images.row('busybox:latest').waitFor();
    await toast.getByRole('button', { name: 'Dismiss' }).click();
  });

  test('dark and light themes', async () => {
    await shell.switchTheme('dark');
    assert.equal(await shell.theme(), 'dark');
    const dark = await shell.backgroundColor();
    await shell.switchTheme('light');
    assert.equal(await shell.theme(), 'light');
    assert.notEqual(await shell.backgroundColor(), dark);
    await shell.open('Containers');
    await shot('containers-light');
    await page.reload();
    assert.equal(await shell.theme(), 'light', 'the theme choice survives a reload');
    await shell.switchTheme('dark');
  });

  test('keyboard: Tab reaches the nav with a visible focus ring; Enter navigates', async () => {
    await shell.open('Dashboard');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Dashboard' }).focus();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate<{ text: string; outline: string } | null>(
      `(() => { const el = document.activeElement; return el ? { text: el.textContent, outline: getComputedStyle(el).outlineStyle } : null; })()`,
    );
    assert.deepEqual(focused, { text: 'Containers', outline: 'solid' });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Containers' }).waitFor();
  });

  test('an unreachable engine shows guidance, not a blank screen', async () => {
    const dead = await startBuiltWebServer('unix:///tmp/berth-e2e-no-engine.sock');
    try {
      const p = await browser.newPage({ viewport: appViewport });
      await p.goto(dead.url);
      const dash = new DashboardPage(p);
      await dash.unreachable
        .getByText('Berth did not start the engine at unix:///tmp/berth-e2e-no-engine.sock')
        .waitFor();
      await dash.unreachable.getByRole('button', { name: 'pick another endpoint in Settings' }).waitFor();
      await p.screenshot({ path: path.join(screenshotsDir, 'engine-unreachable.png') });
      await p.close();
    } finally {
      await dead.stop();
    }
  });
});
