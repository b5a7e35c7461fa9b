// Volumes, networks and published ports in the UI (web mode, Debian's Chromium) against a real berthd;
// the harness's docker CLI plays the other user of the same engine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { ContainersPage } from './pages/containers.ts';
import { NetworksPage } from './pages/networks.ts';
import { Shell } from './pages/shell.ts';
import { VolumeFilesPage, VolumesPage } from './pages/volumes.ts';
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
const hasDockerd = spawnSync('dockerd', ['--version']).status === 0;

describe('volumes, networks and ports in web mode', { skip }, () => {
  let daemon: Daemon;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let shell: Shell;
  const shot = (name: string) => page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) });
  const docker = (args: string[]) => {
    const r = daemon.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const alert = (text: string | RegExp) => page.getByRole('alert').filter({ hasText: text });

  before(async () => {
    mkdirSync(screenshotsDir, { recursive: true });
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    web = await startWebMode(daemon.host);
    ({ browser, page } = await launchAppPage());
    shell = new Shell(page);
    await shell.goto(web.url);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    if (daemon) await stopDaemon(daemon);
  });

  test('volumes: create in the UI, see it listed with its users, refuse removal in use', async () => {
    await shell.open('Volumes');
    const volumes = new VolumesPage(page);
    await volumes.create({ name: 'e2e-data', labels: 'team=e2e' });
    await volumes.row('e2e-data').waitFor();
    assert.match((await volumes.row('e2e-data').textContent()) ?? '', /team=e2e.*local/);
    docker(['run', '--rm', '-v', 'e2e-data:/data', 'busybox', 'sh', '-c', 'echo hi > /data/hello.txt']);
    docker([
      'run',
      '--rm',
      '-v',
      'e2e-data:/data',
      'busybox',
      'sh',
      '-c',
      'mkdir /data/sub; echo deep > /data/sub/deep.txt',
    ]);
    docker(['run', '-d', '--name', 'e2e-user', '-v', 'e2e-data:/data', 'busybox', 'sleep', '300']);
    docker(['volume', 'create', 'e2e-spare']);
    await volumes.row('e2e-data').getByRole('button', { name: 'Open container e2e-user' }).waitFor();
    // Sizes come with every fifth poll: the 8 bytes written above show within ~10 s.
    await volumes.row('e2e-data').getByText('8 B').waitFor({ timeout: 20_000 });
    await shot('volumes');
    await volumes.remove('e2e-data');
    await alert('Cannot remove volume e2e-data')
      .getByText(/volume is in use/)
      .waitFor();
    await volumes.row('e2e-data').waitFor();
  });

  test('volumes: browse folders, see mode and size, download a file', async () => {
    const volumes = new VolumesPage(page);
    await volumes.browse('e2e-data');
    const files = new VolumeFilesPage(page);
    await files.row('hello.txt').waitFor();
    const hello = (await files.row('hello.txt').textContent()) ?? '';
    assert.match(hello, /3 B/);
    assert.match(hello, /-rw-r--r--/);
    assert.equal(await files.rows.first().getAttribute('data-name'), 'sub', 'folders first');
    await files.openFolder('sub');
    await files.row('deep.txt').waitFor();
    await page
      .getByRole('navigation', { name: 'Folder path' })
      .getByRole('button', { name: 'Folder /sub' })
      .waitFor();
    await files.parent();
    await files.row('hello.txt').waitFor();
    await shot('volume-files');
    const got = await files.download('hello.txt');
    assert.deepEqual(got, { filename: 'hello.txt', text: 'hi\n' });
    await files.back();
  });

  test('volumes: remove once unused; prune with confirmation', async () => {
    const volumes = new VolumesPage(page);
    docker(['rm', '-f', 'e2e-user']);
    await volumes.row('e2e-data').getByRole('button', { name: 'Open container e2e-user' }).waitFor({
      state: 'detached',
    });
    await volumes.remove('e2e-data');
    await volumes.row('e2e-data').waitFor({ state: 'detached' });
    await volumes.notice.getByText('Removed volume e2e-data.').waitFor();
    assert.doesNotMatch(docker(['volume', 'ls', '-q']), /e2e-data/);
    await volumes.prune({ all: true });
    await volumes.notice.getByText(/Removed 1 volume\(s\): e2e-spare/).waitFor();
    await volumes.row('e2e-spare').waitFor({ state: 'detached' });
    assert.equal(docker(['volume', 'ls', '-q']), '');
  });

  test('networks: create with a subnet, see a container and its IP, refuse removal inline, remove', async () => {
    const octet = 10 + Math.floor(Math.random() * 240);
    const subnet = `10.232.${octet}.0/24`;
    await shell.open('Networks');
    const networks = new NetworksPage(page);
    await networks.row('bridge').getByText('built-in').waitFor();
    await networks.create({ name: 'e2e-net', subnet });
    const row = networks.row('e2e-net');
    await row.getByText(subnet).waitFor();
    await row.getByText(`10.232.${octet}.1`, { exact: true }).waitFor();
    docker(['run', '-d', '--name', 'e2e-on-net', '--network', 'e2e-net', 'busybox', 'sleep', '300']);
    const ip = docker([
      'inspect',
      '-f',
      '{{(index .NetworkSettings.Networks "e2e-net").IPAddress}}',
      'e2e-on-net',
    ]);
    assert.match(ip, new RegExp(`^10\\.232\\.${octet}\\.\\d+$`));
    await networks.container('e2e-net', 'e2e-on-net').getByText(ip, { exact: true }).waitFor();
    await shot('networks');

    await networks.remove('e2e-net');
    await alert('Cannot remove network e2e-net')
      .getByText(/has active endpoints/)
      .waitFor();
    await row.waitFor();
    await networks.remove('bridge');
    await alert('Cannot remove network bridge')
      .getByText(/pre-defined network/)
      .waitFor();

    docker(['rm', '-f', 'e2e-on-net']);
    await networks.container('e2e-net', 'e2e-on-net').waitFor({ state: 'detached' });
    await networks.remove('e2e-net');
    await row.waitFor({ state: 'detached' });
    await networks.notice.getByText('Removed network e2e-net.').waitFor();

    docker(['network', 'create', 'e2e-unused']);
    await networks.row('e2e-unused').waitFor();
    await networks.prune();
    await networks.notice.getByText('Removed 1 network(s): e2e-unused.').waitFor();
    await networks.row('e2e-unused').waitFor({ state: 'detached' });
    await networks.row('bridge').waitFor();
  });

  test('containers: a published port is a link that opens localhost in a new tab', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    docker([
      'run',
      '-d',
      '--name',
      'e2e-web',
      '-p',
      `${port}:80`,
      'busybox',
      'sh',
      '-c',
      'mkdir /www && echo hello-from-berth > /www/index.html && exec httpd -f -p 80 -h /www',
    ]);
    await shell.open('Containers');
    const containers = new ContainersPage(page);
    const link = containers.portLink('e2e-web', port);
    await link.waitFor();
    assert.equal(await link.textContent(), `${port}→80/tcp`);
    const [tab] = await Promise.all([page.waitForEvent('popup'), link.click()]);
    await tab.waitForLoadState();
    assert.equal(tab.url(), `http://localhost:${port}/`);
    await eventually(
      async () => {
        await tab.reload().catch(() => undefined);
        return ((await tab.textContent('body').catch(() => '')) ?? '').includes('hello-from-berth');
      },
      15_000,
      'the page served by the container',
    );
    await tab.close();
  });

  test('run dialog: port mappings and volumes', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const containers = new ContainersPage(page);
    await containers.run({
      image: 'busybox',
      name: 'e2e-run',
      cmd: 'sleep 300',
      ports: `${port}:80`,
      volumes: 'e2e-run-data:/data, /tmp:/host:ro',
    });
    await containers.portLink('e2e-run', port).waitFor();
    const binds = docker(['inspect', '-f', '{{json .HostConfig.Binds}}', 'e2e-run']);
    assert.deepEqual(JSON.parse(binds), ['e2e-run-data:/data', '/tmp:/host:ro']);
    docker(['rm', '-f', 'e2e-run', 'e2e-web']);
  });

  test('keyboard: Volumes and Networks are in the nav; Tab and Enter reach them', async () => {
    await shell.open('Images');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Images' }).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Volumes' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Networks' }).waitFor();
    // The prune dialog takes the focus on Cancel; Escape closes it without pruning.
    await page.getByRole('button', { name: 'Prune unused' }).click();
    const dialog = page.getByRole('dialog', { name: 'Prune unused networks?' });
    await dialog.waitFor();
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  test("browsing a volume on another engine says it needs Berth's engine", {
    skip: !hasDockerd && 'no dockerd',
  }, async () => {
    const other = await startDaemon('dockerd');
    const r = other.docker(['volume', 'create', 'elsewhere']);
    assert.equal(r.code, 0, r.stderr);
    const server = await startBuiltWebServer(other.host);
    try {
      const p = await browser.newPage({ viewport: appViewport });
      await p.goto(`${server.url}#/volumes/elsewhere`);
      const files = new VolumeFilesPage(p);
      await files.unsupported.getByText("Browsing files needs Berth's engine").waitFor();
      await files.unsupported.getByText('docker run --rm -v elsewhere:/data busybox ls -la /data').waitFor();
      await p.close();
    } finally {
      await server.stop();
      await stopDaemon(other);
    }
  });
});
