// The containers list and the container detail as a Docker Desktop user meets them, in web mode against
// a real berthd: removals that ask and can be undone, crash loops that can be stopped, health in its
// own badge and filter, "stopping…" while a stop waits, CPU and memory, the narrow window, and an engine
// that goes away.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { freePort } from '../conformance/net.ts';
import { ContainerDetailPage } from './pages/container-detail.ts';
import { ContainersPage } from './pages/containers.ts';
import { Notices } from './pages/notices.ts';
import { Shell } from './pages/shell.ts';
import { TerminalPane } from './pages/terminal.ts';
import { hasChromium, launchAppPage, screenshotsDir, startWebMode, type WebMode } from './web-mode.ts';

const skip = hasChromium ? false : 'no Chromium at /usr/bin/chromium: apt-get install -y chromium';

describe('containers list and detail in web mode', { skip }, () => {
  let daemon: Daemon;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let shell: Shell;
  let list: ContainersPage;
  let notices: Notices;
  const names = (all = true) =>
    daemon
      .docker(['ps', ...(all ? ['-a'] : []), '--format', '{{.Names}}'])
      .stdout.split('\n')
      .filter(Boolean);
  const docker = (args: string[]) => {
    const r = daemon.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const stateOf = (name: string) => docker(['inspect', '-f', '{{.State.Status}}', name]);

  before(async () => {
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    web = await startWebMode(daemon.host);
    ({ browser, page } = await launchAppPage());
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    shell = new Shell(page);
    list = new ContainersPage(page);
    notices = new Notices(page);
    await shell.goto(web.url);
    await shell.open('Containers');
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    if (daemon) await stopDaemon(daemon);
  });

  test('removing a running container asks, Cancel keeps it; confirming stops and removes it at once', async () => {
    docker(['run', '-d', '--name', 'rm-running', 'busybox', 'sleep', '300']);
    await list.row('rm-running').and(page.locator('[data-state="running"]')).waitFor();
    await list.action('Remove', 'rm-running');
    await notices.dialog.getByRole('heading', { name: 'Stop and remove rm-running?' }).waitFor();
    await notices.dialog.getByText(/stopped and removed at once\. This cannot be undone\./).waitFor();
    await notices.cancel();
    await list.row('rm-running').waitFor();
    assert.equal(stateOf('rm-running'), 'running');

    await list.action('Remove', 'rm-running');
    await notices.confirm('Stop and remove');
    await list.row('rm-running').waitFor({ state: 'detached' });
    await notices.toast('Removed rm-running').waitFor();
    assert.equal(names().includes('rm-running'), false);
  });

  test('removing a stopped container offers Undo, Undo keeps it; without Undo it goes after a few seconds, even across a reload', async () => {
    docker(['create', '--name', 'rm-undo', 'busybox', 'true']);
    docker(['create', '--name', 'neighbour', 'busybox', 'true']);
    await list.row('rm-undo').waitFor();
    await list.action('Remove', 'rm-undo');
    await notices.dialog.getByText(/Undo in the notification brings it back/).waitFor();
    await notices.confirm('Remove');
    await list.row('rm-undo').waitFor({ state: 'detached' });
    assert.ok(names().includes('rm-undo'), 'kept while Undo is offered');
    await notices.undo('Removed rm-undo');
    await list.row('rm-undo').waitFor();
    await notices.toast('Brought back rm-undo').waitFor();
    await new Promise((r) => setTimeout(r, 6000));
    assert.ok(names().includes('rm-undo'), 'still there after the delay: docker ps -a agrees');

    await list.action('Remove', 'rm-undo');
    await notices.confirm('Remove');
    await list.row('rm-undo').waitFor({ state: 'detached' });
    // The removal waits in the app's main process, not in the page: a reload neither loses nor shows it.
    await page.reload();
    await list.row('neighbour').waitFor();
    assert.equal(await list.row('rm-undo').count(), 0, 'hidden after the reload too');
    await eventually(() => !names().includes('rm-undo'), 10_000, 'rm-undo removed');
  });

  test('a crash-looping --restart always container can be stopped from the list', async () => {
    docker(['run', '-d', '--name', 'crashy', '--restart', 'always', 'busybox', 'sh', '-c', 'exit 1']);
    await list.row('crashy').and(page.locator('[data-state="restarting"]')).waitFor();
    assert.equal(await list.stateBadge('crashy').textContent(), 'restarting (1)');
    await list.action('Stop', 'crashy');
    await notices.toast('Stopped crashy').waitFor();
    await list.row('crashy').and(page.locator('[data-state="exited"]')).waitFor();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(stateOf('crashy'), 'exited', 'and it stays stopped');
    docker(['rm', 'crashy']);
  });

  test('an unhealthy container shows an "unhealthy" badge apart from its state, and the health filter finds it', async () => {
    docker([
      'run',
      '-d',
      '--name',
      'sick',
      '--health-cmd',
      'false',
      '--health-interval',
      '1s',
      'busybox',
      'sleep',
      '300',
    ]);
    docker(['run', '-d', '--name', 'plain', 'busybox', 'sleep', '300']);
    await list.healthBadge('sick').getByText('unhealthy', { exact: true }).waitFor({ timeout: 20_000 });
    assert.equal(await list.stateBadge('sick').textContent(), 'running');
    await list.healthFilter.selectOption('unhealthy');
    await eventually(async () => (await list.rows.count()) === 1, 5000, 'one unhealthy row');
    await list.row('sick').waitFor();
    await list.healthFilter.selectOption('any');
    await list.search.fill('unhealthy');
    await eventually(async () => (await list.rows.count()) === 1, 5000, 'search finds health');
    await list.search.fill('');
    await page.screenshot({ path: path.join(screenshotsDir, 'containers-health.png') });
  });

  test('only running; bulk stop of the selection says how it went', async () => {
    docker(['create', '--name', 'idle-created', 'busybox', 'true']);
    await list.row('idle-created').waitFor();
    await list.onlyRunning.check();
    await list.row('idle-created').waitFor({ state: 'detached' });
    await list.row('plain').waitFor();
    await list.onlyRunning.uncheck();
    await list.row('idle-created').waitFor();
    await list.select('sick');
    await list.select('plain');
    await list.select('idle-created');
    await list.bulk('Stop');
    await notices.toast('Stopped 2 containers; 1 skipped (nothing to stop)').waitFor({ timeout: 30_000 });
    assert.deepEqual(names(false), []);
    await list.clearSelection();
  });

  test('stopping a container that ignores SIGTERM shows "stopping…" until it is killed', async () => {
    docker(['run', '-d', '--name', 'stubborn', 'busybox', 'sh', '-c', 'trap "" TERM; sleep 1000']);
    await list.row('stubborn').and(page.locator('[data-state="running"]')).waitFor();
    await list.action('Stop', 'stubborn');
    await list.stateBadge('stubborn').getByText('stopping…').waitFor();
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal(
      await list.stateBadge('stubborn').textContent(),
      'stopping…',
      'still stopping while Docker waits',
    );
    assert.equal(
      await page.getByRole('button', { name: 'Stop stubborn', exact: true }).isDisabled(),
      true,
      'no second action meanwhile',
    );
    await list.row('stubborn').and(page.locator('[data-state="exited"]')).waitFor({ timeout: 20_000 });
    assert.equal(await list.stateBadge('stubborn').textContent(), 'exited (137)');
  });

  test('CPU and memory of running containers, sortable', async () => {
    docker(['run', '-d', '--name', 'spinner', 'busybox', 'sh', '-c', 'while :; do :; done']);
    docker(['start', 'plain']);
    await eventually(
      async () => /%$/.test((await list.usage('spinner').first().textContent()) ?? ''),
      15_000,
      'spinner CPU',
    );
    assert.match((await list.usage('spinner').nth(1).textContent()) ?? '', /^\d+(\.\d)? (B|KB|MB)$/);
    assert.equal(await list.usage('rm-undo').count(), 0);
    await list.sortBy('CPU');
    await eventually(
      async () => (await list.rows.first().getAttribute('data-name')) === 'spinner',
      10_000,
      'the busiest first',
    );
    await list.sortBy('Name');
    docker(['rm', '-f', 'spinner']);
  });

  test('detail: header actions, the exit code, and a Start button where a stopped container cannot show a terminal', async () => {
    assert.equal(daemon.docker(['run', '--name', 'exit3', 'busybox', 'sh', '-c', 'exit 3']).code, 3);
    await list.open('exit3');
    const detail = new ContainerDetailPage(page);
    await detail.stateBadge.getByText('exited (3)').waitFor();
    await detail.status.getByText(/^Exited \(3\)/).waitFor();
    await page.getByRole('button', { name: 'Start exit3', exact: true }).waitFor();
    await detail.back();

    const port = await freePort();
    docker(['create', '--name', 'later', '-p', `127.0.0.1:${port}:80`, 'busybox', 'sleep', '300']);
    await list.open('later');
    await detail.tab('Terminal');
    await page.getByText('later is created. Start it to open a terminal.').waitFor();
    await page.getByRole('button', { name: 'Start container' }).click();
    await new TerminalPane(page).status.getByText('Connected').waitFor();
    assert.equal(stateOf('later'), 'running');
    await page
      .locator('.detail-facts')
      .getByRole('link', { name: new RegExp(`^Open http://localhost:${port} `) })
      .waitFor();
    await detail.action('Stop', 'later');
    await detail.stateBadge.getByText(/^exited/).waitFor({ timeout: 20_000 });
    await detail.action('Remove', 'later');
    await notices.confirm('Remove');
    await page.getByRole('heading', { name: 'Containers' }).waitFor();
  });

  test('detail: structured inspect shows env and mounts, searchable and copyable; raw JSON stays', async () => {
    docker([
      'run',
      '-d',
      '--name',
      'inspected',
      '-e',
      'GREETING=hello',
      '-e',
      'OTHER=x',
      '-v',
      'ux-data:/data',
      '--label',
      'tier=web',
      'busybox',
      'sleep',
      '300',
    ]);
    await list.open('inspected');
    const detail = new ContainerDetailPage(page);
    await detail.tab('Inspect');
    await detail.inspectRow('env', 'GREETING').getByText('hello', { exact: true }).waitFor();
    await detail.inspectRow('mounts', '/data').getByText('ux-data · volume').waitFor();
    await detail.inspectRow('labels', 'tier').getByText('web', { exact: true }).waitFor();
    await page.screenshot({ path: path.join(screenshotsDir, 'container-inspect.png') });
    await page.getByRole('searchbox', { name: 'Search inspect' }).fill('greet');
    await detail.inspectSection('mounts').waitFor({ state: 'detached' });
    assert.equal(await detail.inspectSection('env').getByRole('row').count(), 1);
    await page.getByRole('button', { name: 'Copy GREETING', exact: true }).click();
    await notices.toast('Copied GREETING').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), 'GREETING=hello');
    await detail.inspectView('Raw JSON');
    await detail.inspectJson.getByText(/"GREETING=hello"/).waitFor();
    await detail.back();
    docker(['rm', '-f', 'inspected']);
    docker(['volume', 'rm', 'ux-data']);
  });

  test('at 1000×700 and at 900 px the ports stay in view and nothing scrolls sideways', async () => {
    const port = await freePort();
    docker([
      'run',
      '-d',
      '--name',
      'a-container-with-a-rather-long-name-for-the-list',
      '-p',
      `127.0.0.1:${port}:80`,
      'busybox',
      'sleep',
      '300',
    ]);
    for (const viewport of [
      { width: 1000, height: 700 },
      { width: 900, height: 700 },
    ]) {
      await page.setViewportSize(viewport);
      const link = list.portLink('a-container-with-a-rather-long-name-for-the-list', port);
      await link.waitFor();
      const box = await link.boundingBox();
      assert.ok(box, 'the port link is laid out');
      assert.ok(box.x >= 200 && box.x + box.width <= viewport.width, `port link at ${JSON.stringify(box)}`);
      assert.ok(box.y + box.height <= viewport.height);
      const actions = await page
        .getByRole('button', { name: 'Remove a-container-with-a-rather-long-name-for-the-list', exact: true })
        .boundingBox();
      assert.ok(actions && actions.x + actions.width <= viewport.width, 'the row actions in view');
      const sideways = await page.evaluate('document.scrollingElement.scrollWidth > innerWidth');
      assert.equal(sideways, false);
      await page.screenshot({ path: path.join(screenshotsDir, `containers-${viewport.width}.png`) });
    }
    await page.setViewportSize({ width: 1100, height: 680 });
  });

  test('while the engine is unreachable the rows are greyed and their actions off', async () => {
    await list.row('plain').waitFor();
    await daemon.stop();
    try {
      await page.getByTestId('containers-stale').waitFor({ timeout: 20_000 });
      assert.equal(await list.row('plain').getAttribute('data-stale'), 'true');
      assert.equal(await page.getByRole('button', { name: 'Stop plain', exact: true }).isDisabled(), true);
      const opacity = await list
        .row('plain')
        .evaluate(
          (el) =>
            (globalThis as unknown as { getComputedStyle(e: unknown): { opacity: string } }).getComputedStyle(
              el,
            ).opacity,
        );
      assert.ok(Number(opacity) < 1, `opacity ${opacity}`);
    } finally {
      await daemon.restart();
    }
    await page.getByTestId('containers-stale').waitFor({ state: 'detached', timeout: 20_000 });
    assert.equal(await page.getByRole('button', { name: 'Stop plain', exact: true }).isDisabled(), false);
  });
});
