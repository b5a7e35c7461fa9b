// Volumes, networks and published ports in the UI (web mode, Debian's Chromium) against a real berthd;
// the harness's docker CLI plays the other user of the same engine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import tarStream from 'tar-stream';
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

  /** What a container sees in a volume: every path, then every file's text. */
  const contents = (volume: string) =>
    docker([
      'run',
      '--rm',
      '-v',
      `${volume}:/v`,
      'busybox',
      'sh',
      '-c',
      'cd /v && find . | sort && for f in $(find . -type f | sort); do echo "$f: $(cat $f)"; done',
    ]);
  const toast = (text: string | RegExp) => page.getByTestId('toast').filter({ hasText: text });

  test('volumes: removing one that holds data asks first, naming its size and users; Cancel keeps it; the refusal names the container', async () => {
    await shell.open('Volumes');
    const volumes = new VolumesPage(page);
    await volumes.create({ name: 'e2e-data', labels: 'team=e2e' });
    await volumes.row('e2e-data').waitFor();
    assert.match((await volumes.row('e2e-data').textContent()) ?? '', /local · team=e2e/);
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

    const dialog = await volumes.askRemove('e2e-data');
    assert.equal(
      await dialog.getByTestId('confirm-volume-size').textContent(),
      'Its data (8 B) is deleted for good.',
    );
    assert.match(
      (await dialog.getByTestId('confirm-volume-users').textContent()) ?? '',
      /Used by container e2e-user\./,
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await volumes.row('e2e-data').waitFor();
    assert.match(docker(['volume', 'ls', '-q']), /e2e-data/, 'Cancel keeps it');

    await volumes.remove('e2e-data');
    const refusal = alert('Cannot remove volume e2e-data');
    await refusal.getByText('remove e2e-data: volume is in use by container e2e-user').waitFor();
    assert.doesNotMatch((await refusal.textContent()) ?? '', /[0-9a-f]{12}/, 'no container IDs');
    await refusal.getByRole('button', { name: 'Dismiss' }).click();
    await volumes.row('e2e-data').waitFor();
  });

  test('volumes at 1000×700: every column in view, the mountpoint readable, the remove control whole, no sideways scroll', async () => {
    await page.setViewportSize({ width: 1000, height: 700 });
    try {
      const volumes = new VolumesPage(page);
      await volumes.row('e2e-data').waitFor();
      const sideways = await page.evaluate<{ page: number; list: number }>(`(() => {
        const list = document.querySelector('[aria-label^="Volumes:"]');
        return {
          page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          list: list.scrollWidth - list.clientWidth,
        };
      })()`);
      assert.deepEqual(sideways, { page: 0, list: 0 }, 'nothing scrolls sideways');
      const inView = (box: { x: number; y: number; width: number; height: number } | null, what: string) => {
        assert.ok(box, what);
        assert.ok(
          box.x >= 0 && box.x + box.width <= 1000 && box.y + box.height <= 700,
          `${what} ${JSON.stringify(box)}`,
        );
        return box;
      };
      const header = inView(
        await page.getByRole('columnheader', { name: 'Mountpoint' }).boundingBox(),
        'the column',
      );
      assert.ok(header.width >= 110, `the mountpoint column is ${header.width} px wide`);
      const cell = inView(
        await volumes.row('e2e-data').getByTestId('volume-mountpoint').boundingBox(),
        'the cell',
      );
      assert.ok(cell.width >= 110);
      assert.match(
        (await volumes.row('e2e-data').getByTestId('volume-mountpoint').textContent()) ?? '',
        /e2e-data\/_data$/,
      );
      const remove = inView(
        await page.getByRole('button', { name: 'Remove volume e2e-data', exact: true }).boundingBox(),
        'the remove control',
      );
      assert.ok(remove.width >= 24 && remove.height >= 24);
      // The search box shows its whole placeholder.
      const fits = await page.evaluate<boolean>(`(() => {
        const input = document.querySelector('input[aria-label="Search volumes"]');
        const style = getComputedStyle(input);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = style.fontSize + ' ' + style.fontFamily;
        const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return ctx.measureText(input.placeholder).width <= room;
      })()`);
      assert.ok(fits, 'the placeholder is not cut off');
      await page.screenshot({ path: path.join(screenshotsDir, 'volumes-narrow.png') });
    } finally {
      await page.setViewportSize(appViewport);
    }
  });

  test('volumes: search and the in use / unused filter', async () => {
    const volumes = new VolumesPage(page);
    await volumes.search.fill('spare');
    await volumes.row('e2e-data').waitFor({ state: 'detached' });
    await volumes.row('e2e-spare').waitFor();
    await volumes.search.fill('');
    await volumes.filter.selectOption('used');
    await volumes.row('e2e-spare').waitFor({ state: 'detached' });
    await volumes.row('e2e-data').waitFor();
    await volumes.filter.selectOption('unused');
    await volumes.row('e2e-data').waitFor({ state: 'detached' });
    await volumes.row('e2e-spare').waitFor();
    await volumes.filter.selectOption('all');
    await volumes.row('e2e-data').waitFor();

    // The keyboard, as in the containers list: from the search box into the list, onto a row, Space
    // selects it and Space again lets it go.
    await volumes.search.focus();
    await page.keyboard.press('ArrowDown');
    assert.ok(await volumes.list.evaluate((el) => el.matches(':focus')), 'the list has the focus');
    await page.keyboard.press('ArrowDown');
    const name = await volumes.activeRow.getAttribute('data-name');
    assert.ok(name, 'a row is active');
    await page.keyboard.press(' ');
    await page.getByRole('button', { name: 'Remove selected (1)' }).waitFor();
    assert.ok(await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).isChecked());
    await page.keyboard.press(' ');
    await page.getByRole('button', { name: 'Remove selected (0)' }).waitFor();
  });

  test('volumes: browse, preview a text, download; drop files on the folder and on a subfolder; new folder; delete after asking', async () => {
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
    assert.equal(await files.previewText('hello.txt'), 'hi\n');
    await shot('volume-files');
    assert.deepEqual(await files.download('hello.txt'), { filename: 'hello.txt', text: 'hi\n' });
    await toast('Downloaded hello.txt (3 B)').waitFor();

    await files.drop([
      { name: 'dropped.txt', text: 'dropped here\n' },
      { name: 'second.txt', text: 'two\n' },
    ]);
    await toast('Uploaded 2 files to /').waitFor();
    await files.row('dropped.txt').waitFor();
    await files.drop([{ name: 'into-sub.txt', text: 'in sub\n' }], 'sub');
    await toast('Uploaded into-sub.txt to /sub').waitFor();
    await files.newFolder('made');
    await toast('Made the folder /made').waitFor();
    assert.equal(await files.row('made').getAttribute('data-type'), 'dir');
    const seen = contents('e2e-data');
    for (const line of [
      './dropped.txt: dropped here',
      './second.txt: two',
      './sub/into-sub.txt: in sub',
      './made\n',
    ]) {
      assert.ok(seen.includes(line), `${line} in\n${seen}`);
    }

    const ask = await files.askDelete('dropped.txt');
    assert.match(
      (await ask.textContent()) ?? '',
      /The file \/dropped\.txt \(13 B\) is deleted from the volume e2e-data for good\./,
    );
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'hidden' });
    assert.match(contents('e2e-data'), /dropped\.txt/, 'Cancel keeps it');
    await files.delete('dropped.txt');
    await toast('Deleted /dropped.txt').waitFor();
    await files.row('dropped.txt').waitFor({ state: 'detached' });
    for (const name of ['second.txt', 'made']) await files.delete(name);
    await files.openFolder('sub');
    await files.delete('into-sub.txt');
    assert.doesNotMatch(contents('e2e-data'), /dropped|second|made|into-sub/);
    await files.back();
  });

  test('volumes: export to a tar, import it into a new volume, clone; the contents match', async () => {
    const volumes = new VolumesPage(page);
    const tar = await volumes.export('e2e-data');
    assert.equal(tar.filename, 'e2e-data.tar');
    await toast(/^Exported volume e2e-data to e2e-data\.tar \(\d+(\.\d)? KB\)/).waitFor();
    const extract = tarStream.extract();
    extract.end(tar.bytes);
    const names: string[] = [];
    for await (const e of extract) {
      names.push(e.header.name);
      e.resume();
    }
    assert.deepEqual(names.sort(), ['./', './hello.txt', './sub/', './sub/deep.txt']);
    await volumes.import({ name: tar.filename, bytes: tar.bytes }, 'e2e-imported');
    await toast('Imported e2e-data.tar into volume e2e-imported').waitFor();
    await volumes.row('e2e-imported').waitFor();
    await volumes.clone('e2e-data', 'e2e-cloned');
    await toast('Cloned volume e2e-data to e2e-cloned').waitFor();
    await volumes.row('e2e-cloned').waitFor();
    const original = contents('e2e-data');
    assert.match(original, /\.\/hello\.txt: hi\n\.\/sub\/deep\.txt: deep/);
    assert.equal(contents('e2e-imported'), original);
    assert.equal(contents('e2e-cloned'), original);
    docker(['volume', 'rm', 'e2e-imported', 'e2e-cloned']);
  });

  test('volumes: remove once unused; bulk removal lists the names; prune with confirmation', async () => {
    const volumes = new VolumesPage(page);
    docker(['rm', '-f', 'e2e-user']);
    await volumes.row('e2e-data').getByRole('button', { name: 'Open container e2e-user' }).waitFor({
      state: 'detached',
    });
    await volumes.remove('e2e-data');
    await volumes.row('e2e-data').waitFor({ state: 'detached' });
    await volumes.notice.getByText('Removed volume e2e-data.').waitFor();
    assert.doesNotMatch(docker(['volume', 'ls', '-q']), /e2e-data/);
    docker(['volume', 'create', 'e2e-bulk-1']);
    docker(['volume', 'create', 'e2e-bulk-2']);
    await volumes.row('e2e-bulk-2').waitFor();
    for (const n of ['e2e-bulk-1', 'e2e-bulk-2'])
      await page.getByRole('checkbox', { name: `Select ${n}` }).check();
    await page.getByRole('button', { name: 'Remove selected (2)' }).click();
    const bulk = page.getByRole('dialog', { name: 'Remove 2 volumes?' });
    await bulk.getByTestId('confirm-items').waitFor();
    assert.deepEqual(await bulk.getByTestId('confirm-items').getByRole('listitem').allTextContents(), [
      'e2e-bulk-1 (0 B)',
      'e2e-bulk-2 (0 B)',
    ]);
    await bulk.getByRole('button', { name: 'Remove', exact: true }).click();
    await volumes.notice.getByText('Removed 2 volume(s).').waitFor();
    await volumes.prune({ all: true });
    await volumes.notice.getByText(/Removed 1 volume\(s\): e2e-spare/).waitFor();
    await volumes.row('e2e-spare').waitFor({ state: 'detached' });
    assert.equal(docker(['volume', 'ls', '-q']), '');
  });

  test("networks: the engine's own offer no remove; removal asks, naming who is attached; the refusal says why; search and filter", async () => {
    const octet = 10 + Math.floor(Math.random() * 240);
    const subnet = `10.232.${octet}.0/24`;
    await shell.open('Networks');
    const networks = new NetworksPage(page);
    await networks.row('bridge').getByText('built-in').waitFor();
    for (const name of ['bridge', 'host', 'none']) {
      await networks.row(name).waitFor();
      assert.equal(await networks.removeButton(name).count(), 0, `${name} has no remove button`);
    }
    // A gateway the user chose is shown; one the engine picked is not reported (dockerd's inspect
    // lists the IPAM config as asked).
    await networks.create({ name: 'e2e-net', subnet, gateway: `10.232.${octet}.254` });
    const row = networks.row('e2e-net');
    await row.getByText(subnet).waitFor();
    await row.getByText(`10.232.${octet}.254`, { exact: true }).waitFor();
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

    await networks.search.fill('e2e-n');
    await networks.row('bridge').waitFor({ state: 'detached' });
    await row.waitFor();
    await networks.search.fill('');
    await networks.filter.selectOption('unused');
    await row.waitFor({ state: 'detached' });
    await networks.row('none').waitFor();
    await networks.filter.selectOption('all');
    await networks.search.focus();
    await page.keyboard.press('ArrowDown');
    assert.ok(await networks.list.evaluate((el) => el.matches(':focus')), 'Arrow Down moves into the list');

    const said = await networks.remove('e2e-net');
    assert.match(said, /Containers attached: e2e-on-net\./);
    await alert('Cannot remove network e2e-net')
      .getByText(/has active endpoints/)
      .waitFor();
    await row.waitFor();

    docker(['rm', '-f', 'e2e-on-net']);
    await networks.container('e2e-net', 'e2e-on-net').waitFor({ state: 'detached' });
    assert.match(await networks.remove('e2e-net'), /No container is attached to it\./);
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

  test('browsing a volume on another engine without any image says what it needs', {
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
      await files.unsupported.getByText("Browsing files needs Berth's engine or a helper image").waitFor();
      await files.unsupported.getByText('docker run --rm -v elsewhere:/data busybox ls -la /data').waitFor();
      await p.close();
    } finally {
      await server.stop();
      await stopDaemon(other);
    }
  });
});
