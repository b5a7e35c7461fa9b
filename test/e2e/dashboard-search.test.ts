// The dashboard (resources, counts, disk use as `docker system df` says it, clean up), global search
// (Ctrl+K), engine errors in the engine's own words, and the text of Settings, in web mode against a
// real berthd at the smallest window size the app supports well (1000×700).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { DashboardPage, type DiskType } from './pages/dashboard.ts';
import { ImagesPage } from './pages/images.ts';
import { SearchPalette } from './pages/search.ts';
import { Shell } from './pages/shell.ts';
import { hasChromium, launchAppPage, screenshotsDir, startWebMode, type WebMode } from './web-mode.ts';

const skip = hasChromium ? false : 'no Chromium at /usr/bin/chromium: apt-get install -y chromium';
const viewport = { width: 1000, height: 700 };

/** Placeholders wider than their box (measured in the box's own font) under `selector`, as lines. */
async function cutPlaceholders(page: Page, selector: string): Promise<string[]> {
  await page.locator(selector).first().waitFor();
  // A string: the root tsconfig has no DOM types.
  return page.evaluate<string[]>(`(() => {
    const canvas = document.createElement('canvas').getContext('2d');
    const out = [];
    for (const el of document.querySelectorAll(${JSON.stringify(selector)} + ' input[placeholder]')) {
      if (!el.offsetParent) continue;
      const cs = getComputedStyle(el);
      canvas.font = cs.fontStyle + ' ' + cs.fontWeight + ' ' + cs.fontSize + ' ' + cs.fontFamily;
      const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      const need = canvas.measureText(el.placeholder).width;
      if (need > room) out.push(el.placeholder + ': ' + Math.ceil(need) + ' > ' + Math.floor(room));
    }
    return out;
  })()`);
}

describe('dashboard and search in web mode', { skip }, () => {
  let daemon: Daemon;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let shell: Shell;
  const shot = (name: string) => page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) });
  const ok = (args: string[]) => {
    const r = daemon.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const count = (args: string[]) => ok(args).split('\n').filter(Boolean).length;

  before(async () => {
    mkdirSync(screenshotsDir, { recursive: true });
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    ok(['tag', 'busybox', 'busybox:dash-1.36']);
    ok(['network', 'create', 'dash-backend']);
    ok(['volume', 'create', 'dash-cache']);
    ok([
      'run',
      '-d',
      '--name',
      'dash-web',
      '-v',
      'dash-data:/data',
      'busybox',
      'sh',
      '-c',
      'echo hi > /data/f; sleep 600',
    ]);
    ok(['run', '-d', '--name', 'dash-spin', 'busybox', 'sh', '-c', 'while :; do :; done']);
    ok(['run', '--name', 'dash-old', 'busybox', 'sh', '-c', 'head -c 300000 /dev/zero > /junk']);
    web = await startWebMode(daemon.host);
    ({ browser, page } = await launchAppPage(viewport));
    shell = new Shell(page);
    await shell.goto(web.url);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    if (daemon) {
      daemon.docker(['rm', '-f', 'dash-web', 'dash-spin', 'dash-old']);
      await stopDaemon(daemon);
    }
  });

  test('dashboard: the CPUs and memory, what the containers use, and counts as the CLI counts them', async () => {
    const dash = new DashboardPage(page);
    await dash.engineCard.getByText('Running').waitFor();
    await dash.capacity.getByText(`${os.cpus().length} CPUs`).waitFor();
    await dash.containersCount.getByText('2 running').waitFor();
    await dash.containersCount.getByText('0 paused · 1 stopped · 3 total').waitFor();
    assert.equal((await dash.volumesCount.textContent())?.trim(), String(count(['volume', 'ls', '-q'])));
    assert.equal((await dash.networksCount.textContent())?.trim(), String(count(['network', 'ls', '-q'])));
    assert.equal((await dash.imagesCount.textContent())?.trim(), ok(['info', '--format', '{{.Images}}']));
    // dash-spin keeps one CPU busy: the CPU meter shows it (the machine is shared: not all of it).
    const cpu = dash.usageCard.getByRole('meter', { name: 'CPU' });
    await eventually(async () => Number(await cpu.getAttribute('value')) > 30, 15_000, 'CPU in use');
    const memory = dash.usageCard.getByRole('meter', { name: 'Memory' });
    assert.ok(Number(await memory.getAttribute('value')) > 0);
    await dash.usageCard.getByText('Summed over 2 running containers').waitFor();
  });

  test('dashboard: disk use equals `docker system df --format json`, line by line', async () => {
    const dash = new DashboardPage(page);
    await dash.diskTable.waitFor();
    const types: DiskType[] = ['Images', 'Containers', 'Local Volumes', 'Build Cache'];
    await eventually(
      async () => {
        const cli = ok(['system', 'df', '--format', 'json'])
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, string>)
          .map(({ Type, TotalCount, Active, Size, Reclaimable }) => ({
            Type,
            TotalCount,
            Active,
            Size,
            Reclaimable,
          }));
        const shown = await Promise.all(types.map((t) => dash.diskRow(t)));
        return JSON.stringify(shown) === JSON.stringify(cli);
      },
      40_000, // the table is read every 15 s
      'the same numbers as the CLI',
    );
    const containers = await dash.diskRow('Containers');
    assert.equal(containers.TotalCount, '3');
    assert.match(containers.Reclaimable, /^\d.*B \(\d+%\)$/, 'dash-old wrote 300 kB it alone holds');
    await shot('dashboard-resources');
    await dash.volumesCount.click();
    await page.getByRole('heading', { name: 'Volumes' }).waitFor();
    await shell.open('Dashboard');
  });

  test('Ctrl+K finds a container by part of its name and Enter opens it', async () => {
    const search = new SearchPalette(page);
    await search.openWithKeys();
    assert.deepEqual(await cutPlaceholders(page, 'dialog.palette'), []);
    await search.find('h-we', 'dash-web');
    await search
      .group('Containers')
      .getByRole('option', { name: /dash-web/ })
      .waitFor();
    await shot('search');
    await page.keyboard.press('Enter');
    await search.dialog.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { name: 'dash-web' }).waitFor();
  });

  test('search: an image by its tag, a volume and a network; arrows move, Escape closes', async () => {
    const search = new SearchPalette(page);
    const imageId = ok(['image', 'inspect', '--format', '{{.Id}}', 'busybox:dash-1.36']);
    await search.openFromSidebar();
    await search.find('dash-1.3', 'busybox');
    await page.keyboard.press('Enter');
    await eventually(
      async () => (await page.evaluate('location.hash')) === `#/images/${encodeURIComponent(imageId)}`,
      5000,
      'the image',
    );

    await search.openWithKeys();
    await search.find('dash-da', 'dash-data');
    await page.keyboard.press('Enter');
    await eventually(
      async () => (await page.evaluate('location.hash')) === '#/volumes/dash-data',
      5000,
      'the volume',
    );

    await search.openWithKeys();
    await search.find('backe', 'dash-backend');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Networks' }).waitFor();

    await search.openWithKeys();
    await search.input.fill('dash');
    const first = (await search.selected.textContent()) ?? '';
    await page.keyboard.press('ArrowDown');
    assert.notEqual((await search.selected.textContent()) ?? '', first);
    await page.keyboard.press('ArrowUp');
    assert.equal((await search.selected.textContent()) ?? '', first);
    await search.input.fill('no-such-thing-anywhere');
    await search.dialog.getByText('Nothing matches "no-such-thing-anywhere".').waitFor();
    await page.keyboard.press('Escape');
    await search.dialog.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { name: 'Networks' }).waitFor();
  });

  test('an engine error reads as the engine wrote it, without "(HTTP code …)"', async () => {
    const said = /Error response from daemon: (.*)/.exec(
      daemon.docker(['pull', '127.0.0.1:1/dash-nope']).stderr,
    );
    assert.ok(said);
    await shell.open('Images');
    await new ImagesPage(page).pull('127.0.0.1:1/dash-nope');
    await page.getByText(said[1].trim()).first().waitFor();
    assert.doesNotMatch((await page.locator('body').textContent()) ?? '', /HTTP code/);
  });

  test('Settings and Troubleshoot show commands as code, never a literal backtick; placeholders fit', async () => {
    await shell.open('Settings');
    const main = page.getByRole('main');
    await page.getByTestId('login-unavailable').locator('code', { hasText: 'npm start' }).waitFor();
    assert.doesNotMatch((await main.textContent()) ?? '', /`/);
    assert.deepEqual(await cutPlaceholders(page, 'main'), []);
    await shell.open('Troubleshoot');
    await page.getByTestId('logs-hint').locator('code', { hasText: 'sudo npm start' }).waitFor();
    assert.doesNotMatch((await main.textContent()) ?? '', /`/);
  });

  test('dashboard: Clean up removes what docker system prune removes, and says what it reclaimed', async () => {
    await shell.open('Dashboard');
    const dash = new DashboardPage(page);
    await dash.diskTable.waitFor();
    await dash.cleanUp();
    const toast = page.getByTestId('toast').filter({ hasText: /^Cleaned up: reclaimed / });
    await toast.getByText('Removed 1 container, 1 network and 0 images.').waitFor();
    assert.deepEqual(ok(['ps', '-a', '--format', '{{.Names}}']).split('\n').sort(), [
      'dash-spin',
      'dash-web',
    ]);
    assert.doesNotMatch(ok(['network', 'ls', '--format', '{{.Name}}']), /dash-backend/);
    await eventually(
      async () => (await dash.diskRow('Containers')).TotalCount === '2',
      10_000,
      'the disk table reloaded',
    );
  });
});
