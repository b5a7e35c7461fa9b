// Container stats and files, image pull/push/history with progress, and the host terminal, in web
// mode (Debian's Chromium) against a real berthd and Debian's docker-registry on 127.0.0.1.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { type Registry, startRegistry } from '../conformance/registry.ts';
import { ContainerDetailPage } from './pages/container-detail.ts';
import { ContainerFilesPage } from './pages/container-files.ts';
import { ContainerStatsPage } from './pages/container-stats.ts';
import { ContainersPage } from './pages/containers.ts';
import { ImageDetailPage } from './pages/image-detail.ts';
import { ImagesPage } from './pages/images.ts';
import { Shell } from './pages/shell.ts';
import { TerminalPane } from './pages/terminal.ts';
import { hasChromium, launchAppPage, screenshotsDir, startWebMode, type WebMode } from './web-mode.ts';

const skip = hasChromium ? false : 'no Chromium at /usr/bin/chromium: apt-get install -y chromium';

describe('stats, files, image transfers and the host terminal in web mode', { skip }, () => {
  let daemon: Daemon;
  let reg: Registry;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let shell: Shell;
  let pulled: string;
  // Bars and charts animate their changes: shoot them at rest.
  const shot = (name: string) =>
    page.screenshot({ path: path.join(screenshotsDir, `${name}.png`), animations: 'disabled' });
  const docker = (args: string[]) => {
    const r = daemon.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };

  before(async () => {
    mkdirSync(screenshotsDir, { recursive: true });
    reg = await startRegistry();
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    pulled = `${reg.host}/e2e/busybox:1`;
    web = await startWebMode(daemon.host);
    ({ browser, page } = await launchAppPage());
    shell = new Shell(page);
    await shell.goto(web.url);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    if (daemon) await stopDaemon(daemon);
    await reg?.stop();
  });

  test('images: pull from the local registry with a progress bar per layer', async () => {
    // The registry gets the busybox fixture; the engine forgets it, so the pull downloads every byte.
    docker(['tag', 'busybox', pulled]);
    docker(['push', pulled]);
    docker(['rmi', pulled, 'busybox:latest']);
    await shell.open('Images');
    const images = new ImagesPage(page);
    await page.getByText('No images. Pull one above.').waitFor();
    // Every state the bars pass through, recorded in the page as they change.
    await page.evaluate(`(() => {
      window.__seen = new Set();
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-testid="layer-progress"]')) window.__seen.add(el.dataset.status);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    })()`);
    await images.pull(pulled);
    await images.transfer.and(page.locator('[data-phase="done"]')).waitFor();
    const layer = images.layerProgress().first();
    assert.equal(await layer.getAttribute('data-status'), 'Pull complete');
    assert.equal(
      await layer.getByRole('progressbar').getAttribute('aria-valuenow'),
      '100',
      'the layer bar is full',
    );
    assert.equal(
      await images.transfer
        .getByRole('progressbar', { name: 'Overall progress' })
        .getAttribute('aria-valuenow'),
      '100',
    );
    await images.transfer.getByText(`Status: Downloaded newer image for ${pulled}`).waitFor();
    const seen = await page.evaluate<string[]>('[...window.__seen]');
    assert.ok(seen.length >= 2, `the bar went through states before completing: ${seen}`);
    await images.row(pulled).waitFor();
    await shot('image-pull');
  });

  test('images: a pull that fails says why, inline', async () => {
    const images = new ImagesPage(page);
    await images.pull(`${reg.host}/e2e/nothing:here`);
    await images.transfer.and(page.locator('[data-phase="failed"]')).waitFor();
    await images.transfer
      .getByRole('alert')
      .getByText(/Cannot pull .*nothing:here/)
      .waitFor();
    await images.transfer.getByRole('button', { name: 'Dismiss' }).click();
    await images.transfer.waitFor({ state: 'detached' });
  });

  test('image detail: tag, history with commands and sizes, files of each layer, push with progress', async () => {
    const images = new ImagesPage(page);
    await images.open(pulled);
    const detail = new ImageDetailPage(page);
    await detail.addTag('busybox:latest');
    const pushed = `${reg.host}/e2e/busybox:pushed`;
    await detail.addTag(pushed);
    const step = detail.history.getByTestId('history-step').first();
    await step.waitFor();
    assert.match((await step.textContent()) ?? '', /\d+(\.\d)? (B|KB|MB)/);
    const layer = detail.layers.first();
    await layer.getByText(/\d+ added/).click();
    await layer.getByText('+ /bin/busybox').waitFor();
    await detail.push(pushed);
    await detail.transfer.and(page.locator('[data-phase="done"]')).waitFor();
    assert.match(
      (await detail.transfer.getByTestId('layer-progress').first().getAttribute('data-status')) ?? '',
      /^(Pushed|Layer already exists)$/,
    );
    await detail.transfer.getByText(/pushed: digest: sha256:/).waitFor();
    assert.equal(
      await detail.transfer
        .getByRole('progressbar', { name: 'Overall progress' })
        .getAttribute('aria-valuenow'),
      '100',
    );
    const tags = (await (await fetch(`http://${reg.host}/v2/e2e/busybox/tags/list`)).json()) as {
      tags: string[];
    };
    assert.deepEqual(tags.tags.sort(), ['1', 'pushed']);
    await shot('image-detail');
    await detail.back();
    await images.prune();
    await page.getByRole('status').getByText('No unused images to remove.').waitFor();
  });

  test('container stats: the charts update live', async () => {
    docker([
      'run',
      '-d',
      '--name',
      'e2e-stats',
      'busybox',
      'sh',
      '-c',
      'echo berth > /tmp/hello; while true; do head -c 300000 /dev/urandom | md5sum > /tmp/sum; sleep 0.3; done',
    ]);
    await shell.open('Containers');
    const containers = new ContainersPage(page);
    await containers.row('e2e-stats').and(page.locator('[data-state="running"]')).waitFor();
    await containers.open('e2e-stats');
    const detail = new ContainerDetailPage(page);
    await detail.tab('Stats');
    const stats = new ContainerStatsPage(page);
    await eventually(async () => (await stats.samples('cpu')) >= 2, 15_000, 'two CPU samples');
    const before = { samples: await stats.samples('cpu'), line: await stats.line('cpu') };
    await eventually(
      async () => (await stats.samples('cpu')) >= before.samples + 3,
      15_000,
      'three more samples',
    );
    assert.notEqual(await stats.line('cpu'), before.line, 'the CPU line moved');
    assert.match(await stats.value('cpu'), /^\d+\.\d %$/);
    assert.match(await stats.value('memory'), /^\d+(\.\d)? (B|KB|MB|GB)$/);
    for (const chart of ['memory', 'network', 'block-io'] as const) {
      assert.ok((await stats.samples(chart)) >= before.samples + 3, `${chart} updates too`);
    }
    // A few more seconds of history for the picture.
    await eventually(async () => (await stats.samples('cpu')) >= 12, 15_000, 'twelve samples');
    await shot('container-stats');
  });

  test('container files: list /etc, download /etc/hostname, breadcrumb, a missing path inline', async () => {
    const detail = new ContainerDetailPage(page);
    await detail.tab('Files');
    const files = new ContainerFilesPage(page);
    await files.row('etc').waitFor();
    assert.equal(await files.row('etc').getAttribute('data-type'), 'dir');
    await files.openFolder('etc');
    await files.row('hostname').waitFor();
    await files.row('passwd').waitFor();
    await files.breadcrumb.getByRole('button', { name: 'Folder /etc' }).waitFor();
    await shot('container-files');
    await files.crumb('/');
    await files.row('bin').waitFor();
    await files.goTo('/no/such/place');
    await page
      .getByRole('alert')
      .getByText(/No such file or folder \/no\/such\/place/)
      .waitFor();
    await files.goTo('/tmp');
    await files.row('sum').waitFor();
    assert.deepEqual(await files.download('hello'), { filename: 'hello', text: 'berth\n' });
    // A file the engine mounts into the container, not one of its layers.
    await files.goTo('/etc');
    await files.row('hostname').waitFor();
    const hostname = docker(['inspect', '-f', '{{.Config.Hostname}}', 'e2e-stats']);
    assert.deepEqual(await files.download('hostname'), { filename: 'hostname', text: `${hostname}\n` });
    await detail.back();
  });

  test('container files: preview a text, upload by dropping files, new folder, delete after asking', async () => {
    const containers = new ContainersPage(page);
    await containers.open('e2e-stats');
    const detail = new ContainerDetailPage(page);
    await detail.tab('Files');
    const files = new ContainerFilesPage(page);
    await files.goTo('/tmp');
    await files.row('hello').waitFor();
    assert.equal(await files.previewText('hello'), 'berth\n');
    await files.drop([{ name: 'dropped.txt', text: 'dropped in\n' }]);
    await page.getByTestId('toast').filter({ hasText: 'Uploaded dropped.txt to /tmp' }).waitFor();
    await files.row('dropped.txt').waitFor();
    assert.equal(docker(['exec', 'e2e-stats', 'cat', '/tmp/dropped.txt']), 'dropped in');
    await files.newFolder('made');
    await files.row('made').waitFor();
    await files.drop([{ name: 'deeper.txt', text: 'deeper\n' }], 'made');
    await page.getByTestId('toast').filter({ hasText: 'Uploaded deeper.txt to /tmp/made' }).waitFor();
    assert.equal(docker(['exec', 'e2e-stats', 'cat', '/tmp/made/deeper.txt']), 'deeper');
    await shot('container-files-actions');
    const ask = await files.askDelete('made');
    assert.match((await ask.textContent()) ?? '', /The folder \/tmp\/made and everything in it are deleted/);
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'hidden' });
    assert.equal(daemon.docker(['exec', 'e2e-stats', 'test', '-d', '/tmp/made']).code, 0, 'Cancel keeps it');
    await files.delete('made');
    await files.delete('dropped.txt');
    await files.row('made').waitFor({ state: 'detached' });
    await files.row('dropped.txt').waitFor({ state: 'detached' });
    assert.equal(docker(['exec', 'e2e-stats', 'ls', '/tmp']).split('\n').sort().join(' '), 'hello sum');
    await detail.back();
    docker(['rm', '-f', 'e2e-stats']);
  });

  test('host terminal: `echo $DOCKER_HOST` prints the engine endpoint', async () => {
    await shell.open('Terminal');
    const term = new TerminalPane(page);
    await eventually(async () => (await term.lines()).some((l) => l.trim()), 15_000, 'a prompt');
    await term.type('echo "[$DOCKER_HOST]"\r');
    await eventually(
      async () => (await term.lines()).includes(`[${daemon.host}]`),
      15_000,
      `[${daemon.host}] on its own line`,
    );
    await shot('host-terminal');
  });
});
