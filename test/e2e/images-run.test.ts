// The images screens and the run form as a Docker Desktop user expects them, in web mode (Debian's
// Chromium at 1000×700) against a real berthd and Debian's docker-registry on 127.0.0.1 (one open,
// two behind htpasswd).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { type Registry, startRegistry } from '../conformance/registry.ts';
import { layoutProblems } from './layout.ts';
import { ContainersPage } from './pages/containers.ts';
import { ImageDetailPage } from './pages/image-detail.ts';
import { ImagesPage } from './pages/images.ts';
import { Shell } from './pages/shell.ts';
import { hasChromium, launchAppPage, screenshotsDir, startWebMode, type WebMode } from './web-mode.ts';

const skip = hasChromium ? false : 'no Chromium at /usr/bin/chromium: apt-get install -y chromium';

describe('images and the run form in web mode', { skip }, () => {
  let daemon: Daemon;
  let reg: Registry;
  let pullReg: Registry;
  let pushReg: Registry;
  let runReg: Registry;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let shell: Shell;
  let images: ImagesPage;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-images-'));
  const shot = (name: string) =>
    page.screenshot({ path: path.join(screenshotsDir, `${name}.png`), animations: 'disabled' });
  const docker = (args: string[], input?: string) => {
    const r = daemon.docker(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const build = (tag: string | null, dockerfile: string) =>
    docker(['build', '-q', ...(tag ? ['-t', tag] : []), '-'], dockerfile);
  const tags = () => docker(['images', '--format', '{{.Repository}}:{{.Tag}}']).split('\n');
  const toast = (text: string | RegExp) => page.getByTestId('toast').filter({ hasText: text });
  const dismissToasts = async () => {
    for (const b of await page.getByTestId('toast').getByRole('button', { name: 'Dismiss' }).all())
      await b.click({ timeout: 1000 }).catch(() => undefined); // a success toast may go by itself meanwhile
  };
  const assertLayout = async (where: string, scope?: string) =>
    assert.deepEqual(await layoutProblems(page, scope), [], `the layout holds at 1000×700: ${where}`);

  before(async () => {
    mkdirSync(screenshotsDir, { recursive: true });
    reg = await startRegistry();
    pullReg = await startRegistry({ users: { alice: 'wonderland' } });
    pushReg = await startRegistry({ users: { bob: 'builder' } });
    runReg = await startRegistry({ users: { carol: 'runner' } });
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    web = await startWebMode(daemon.host);
    ({ browser, page } = await launchAppPage({ width: 1000, height: 700 }));
    shell = new Shell(page);
    images = new ImagesPage(page);
    await shell.goto(web.url);
  });
  afterEach(async () => {
    // A test that failed with the dialog open would otherwise fail every test after it.
    if (await images?.dialog.isVisible()) await page.keyboard.press('Escape');
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    if (daemon) await stopDaemon(daemon);
    for (const r of [reg, pullReg, pushReg, runReg]) await r?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('images list: in-use marker naming the containers, total size, sort, filter and search; fits 1000×700', async () => {
    // A bigger image on busybox's layer, a dangling one, and a stopped container of busybox.
    build('e2e/big:1', 'FROM busybox\nRUN dd if=/dev/zero of=/big bs=1024 count=600\n');
    build(null, 'FROM busybox\nLABEL e2e=dangling\n');
    docker(['create', '--name', 'e2e-idle', 'busybox', 'true']);
    await shell.open('Images');
    await images.row('e2e/big:1').waitFor();
    await eventually(async () => (await images.rows.count()) === 3, 10_000, 'three rows');

    assert.equal(await images.inUse('busybox:latest').textContent(), 'In use (1)');
    assert.equal(await images.inUse('busybox:latest').getAttribute('title'), 'Used by e2e-idle (stopped)');
    assert.equal(await images.inUse('e2e/big:1').count(), 0);

    // The total counts busybox's layer once, though two images stand on it (`docker system df`).
    // The disk use comes from the engine after the list: wait for it.
    const totalLine = /^3 images · ([\d.]+) (KB|MB) total$/;
    await eventually(
      async () => totalLine.test((await images.summary.textContent()) ?? ''),
      10_000,
      'the total disk use',
    );
    const summary = (await images.summary.textContent()) ?? '';
    const m = totalLine.exec(summary);
    assert.ok(m, summary);
    const total = Number(m[1]) * (m[2] === 'MB' ? 1e6 : 1e3);
    const sizes = (await images.rows.locator('td:nth-child(3)').allTextContents()).map((t) => {
      const [n, unit] = t.split(' ');
      return Number(n) * (unit === 'MB' ? 1e6 : unit === 'KB' ? 1e3 : 1);
    });
    assert.ok(
      total < sizes.reduce((a, b) => a + b, 0) * 0.8,
      `${total} counts shared layers once (${sizes})`,
    );

    await images.sortBy('size');
    assert.deepEqual((await images.names())[0], 'e2e/big:1', 'biggest first');
    await images.sortBy('size');
    assert.equal((await images.names())[2], 'e2e/big:1', 'then smallest first');
    await images.sortBy('name');
    assert.deepEqual(await images.names(), ['busybox:latest', 'e2e/big:1', '<none>']);
    await images.sortBy('name');
    assert.deepEqual(await images.names(), ['e2e/big:1', 'busybox:latest', '<none>']);

    await images.filter.selectOption({ label: 'In use' });
    assert.deepEqual(await images.names(), ['busybox:latest']);
    await images.filter.selectOption({ label: 'Unused' });
    assert.deepEqual(await images.names(), ['e2e/big:1', '<none>']);
    assert.match((await images.summary.textContent()) ?? '', /^2 of 3 · /);
    await images.filter.selectOption({ label: 'Dangling' });
    assert.deepEqual(await images.names(), ['<none>']);
    await images.filter.selectOption({ label: 'All images' });
    await images.search.fill('big');
    assert.deepEqual(await images.names(), ['e2e/big:1']);
    await images.search.fill('e2e-idle');
    assert.deepEqual(await images.names(), ['busybox:latest'], 'found by the container using it');
    await images.search.fill('');
    await assertLayout('images list');
    await page.getByRole('button', { name: 'Pull image' }).click();
    await assertLayout('images list with the pull form');
    await page.getByRole('form', { name: 'Pull an image' }).getByRole('button', { name: 'Cancel' }).click();
    await shot('images-sorted');
  });

  test('removing an image with two tags asks, naming both and its container; Cancel keeps it; then it goes', async () => {
    build('e2e/two:1', 'FROM busybox\nLABEL e2e=two\n');
    docker(['tag', 'e2e/two:1', 'e2e/two:2']);
    docker(['create', '--name', 'e2e-two-user', 'e2e/two:1', 'true']);
    await images.row('e2e/two:2').waitFor();
    await images.remove('e2e/two:1');
    await images.dialog.getByText('Remove image e2e/two:1?').waitFor();
    const asked = (await images.dialog.textContent()) ?? '';
    for (const name of ['e2e/two:1', 'e2e/two:2', 'e2e-two-user'])
      assert.ok(asked.includes(name), `${name} in: ${asked}`);
    await shot('image-remove-dialog');
    await images.answer('Cancel');
    assert.ok(tags().includes('e2e/two:1') && tags().includes('e2e/two:2'), 'Cancel removes nothing');
    await images.row('e2e/two:1').waitFor();

    await images.remove('e2e/two:1');
    await images.answer('Remove anyway');
    await images.row('e2e/two:1').waitFor({ state: 'detached' });
    await toast('Removed image e2e/two:1').waitFor();
    const left = tags();
    assert.ok(!left.includes('e2e/two:1') && !left.includes('e2e/two:2'), left.join());
    // What the dialog said: the stopped container keeps its files and still starts.
    assert.equal(docker(['start', '-a', 'e2e-two-user']), '');
    docker(['rm', 'e2e-two-user']);
  });

  test('an image a running container uses is not removed; the toast names the container', async () => {
    docker(['run', '-d', '--name', 'e2e-runner', 'e2e/big:1', 'sleep', '300']);
    await eventually(
      async () =>
        (await images
          .inUse('e2e/big:1')
          .getAttribute('title')
          .catch(() => '')) === 'Used by e2e-runner (running)',
      10_000,
      'the marker names the running container',
    );
    await images.remove('e2e/big:1');
    await toast('Cannot remove image e2e/big:1')
      .getByText(/used by running container e2e-runner/)
      .waitFor();
    assert.equal(await images.dialog.isVisible(), false, 'nothing to confirm');
    assert.ok(tags().includes('e2e/big:1'));
    docker(['rm', '-f', 'e2e-runner']);
    await dismissToasts();
  });

  test('image detail: untag one chip leaves the other (with Undo); Remove image asks first', async () => {
    build('e2e/chips:a', 'FROM busybox\nLABEL e2e=chips\n');
    docker(['tag', 'e2e/chips:a', 'e2e/chips:b']);
    await images.open('e2e/chips:a');
    const detail = new ImageDetailPage(page);
    await detail.tag('e2e/chips:b').waitFor();
    await detail.untag('e2e/chips:b');
    await detail.tag('e2e/chips:b').waitFor({ state: 'detached' });
    await detail.tag('e2e/chips:a').waitFor();
    assert.ok(!tags().includes('e2e/chips:b') && tags().includes('e2e/chips:a'));
    await toast('Untagged e2e/chips:b').getByRole('button', { name: 'Undo' }).click();
    await detail.tag('e2e/chips:b').waitFor();
    assert.ok(tags().includes('e2e/chips:b'), 'Undo tags it again');
    await assertLayout('image detail');
    const form = await detail.run('e2e/chips:a');
    assert.equal(await form.field('Image').inputValue(), 'e2e/chips:a', 'Run fills the image in');
    await form.form.getByRole('button', { name: 'Cancel' }).click();

    await detail.remove();
    await detail.dialog.getByText('Remove image e2e/chips:a?').waitFor();
    await detail.dialog.getByRole('button', { name: 'Cancel' }).click();
    await detail.tag('e2e/chips:a').waitFor();
    assert.ok(tags().includes('e2e/chips:a'), 'Cancel removes nothing');
    await detail.remove();
    await detail.dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByRole('heading', { name: 'Images' }).waitFor();
    await images.row('e2e/chips:a').waitFor({ state: 'detached' });
    assert.ok(!tags().some((t) => t.startsWith('e2e/chips:')));
    await dismissToasts();
  });

  test('run form: pulls a missing image with progress, then runs it on two host ports, with network, restart policy and env file', async () => {
    const webRef = `${reg.host}/e2e/web:1`;
    build(
      webRef,
      'FROM busybox\nRUN echo web > /web-layer\nEXPOSE 80\nCMD ["sh", "-c", "mkdir -p /www && echo hello-$GREETING > /www/index.html && httpd -f -p 80 -h /www"]\n',
    );
    docker(['push', webRef]);
    docker(['rmi', webRef]);
    docker(['network', 'create', 'e2e-net']);
    const envFile = path.join(tmp, 'web.env');
    writeFileSync(envFile, '# settings of the web container\n\nGREETING=from-env-file\n  OTHER=two words \n');
    const a = 20000 + Math.floor(Math.random() * 20000);

    await shell.open('Containers');
    const form = await new ContainersPage(page).openRunForm();
    // A mapping listed twice is refused in words before anything is pulled or created.
    await form.fill({ image: webRef, name: 'e2e-web', ports: `${a}:80, ${a}:80` });
    await form.submit();
    await form.form.getByRole('alert').getByText(`the port mapping ${a}:80/tcp is listed twice`).waitFor();
    assert.equal(await form.transfer.count(), 0);

    await form.field('Host port 2').fill(String(a + 1));
    await form.fill({ network: 'e2e-net', restart: 'Unless stopped', envFile });
    await form.form.getByText('Loaded 2 variable(s) from web.env.').waitFor();
    assert.equal(await form.env.inputValue(), 'GREETING=from-env-file\nOTHER=two words ');
    // The containers screen around it is another's; the form is this test's.
    await assertLayout('run form', 'form[aria-label="Run a new container"]');
    await page.evaluate(`(() => {
      window.__seen = new Set();
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('form [data-testid="layer-progress"]')) window.__seen.add(el.dataset.status);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    })()`);
    await form.submit();
    await form.form.waitFor({ state: 'detached', timeout: 60_000 });
    const seen = await page.evaluate<string[]>('[...window.__seen]');
    assert.ok(seen.includes('Pull complete'), `the pull showed its layers in the form: ${seen}`);
    await toast(`Started container e2e-web from ${webRef}`).waitFor();

    for (const port of [a, a + 1]) {
      await eventually(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/`).catch(() => null);
          return res?.ok && (await res.text()) === 'hello-from-env-file\n';
        },
        15_000,
        `127.0.0.1:${port} answers`,
      );
    }
    const c = JSON.parse(docker(['inspect', 'e2e-web']))[0] as {
      Config: { Env: string[] };
      HostConfig: { NetworkMode: string; RestartPolicy: { Name: string } };
    };
    assert.equal(c.HostConfig.RestartPolicy.Name, 'unless-stopped');
    assert.equal(c.HostConfig.NetworkMode, 'e2e-net');
    assert.ok(c.Config.Env.includes('GREETING=from-env-file') && c.Config.Env.includes('OTHER=two words '));
    docker(['rm', '-f', 'e2e-web']);
    docker(['network', 'rm', 'e2e-net']);

    // The image is here now: its row's Run fills it in and offers what it EXPOSEs.
    await shell.open('Images');
    const again = await images.run(webRef);
    assert.equal(await again.field('Image').inputValue(), webRef);
    assert.equal(await again.transfer.count(), 0, "the last form's finished pull is not shown again");
    await again.form.getByRole('button', { name: 'Publish 80/tcp' }).click();
    assert.equal(await again.field('Container port 1').inputValue(), '80');
    await assertLayout('run form on the images screen');
    await shot('image-run-form');
    await again.form.getByRole('button', { name: 'Cancel' }).click();
    await dismissToasts();
  });

  test('a failed push marks its unfinished layers failed, not "Preparing"; its login retries the push', async () => {
    const ref = `${pushReg.host}/e2e/denied:1`;
    docker(['tag', 'busybox', ref]);
    await shell.open('Images');
    await images.open(ref);
    const detail = new ImageDetailPage(page);
    await detail.push(ref);
    await detail.transfer.and(page.locator('[data-phase="failed"]')).waitFor();
    const statuses = await detail.transfer
      .getByTestId('layer-progress')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    assert.ok(statuses.length > 0, 'the push listed its layers');
    assert.deepEqual([...new Set(statuses)], ['Failed'], `layer states after the failure: ${statuses}`);
    await page.getByRole('form', { name: 'Log in to the registry' }).waitFor();
    await shot('image-push-failed');
    await images.login('bob', 'builder');
    await detail.transfer.and(page.locator('[data-phase="done"]')).waitFor({ timeout: 30_000 });
    const pushed = (await (
      await fetch(`http://${pushReg.host}/v2/e2e/denied/tags/list`, {
        headers: { Authorization: `Basic ${Buffer.from('bob:builder').toString('base64')}` },
      })
    ).json()) as { tags: string[] };
    assert.deepEqual(pushed.tags, ['1']);
    await detail.transfer.getByRole('button', { name: 'Dismiss' }).click();
    await detail.back();
    await dismissToasts();
  });

  test('run form: an image behind a login: the form offers it, and after it pulls and runs', async () => {
    const ref = `${runReg.host}/e2e/private:1`;
    docker(['login', '-u', 'carol', '--password-stdin', runReg.host], 'runner');
    docker(['tag', 'busybox', ref]);
    docker(['push', ref]);
    docker(['rmi', ref]);
    docker(['logout', runReg.host]);
    await shell.open('Containers');
    const form = await new ContainersPage(page).openRunForm();
    await form.fill({ image: ref, name: 'e2e-private', cmd: 'sleep 300' });
    await form.submit();
    await form.transfer.and(page.locator('[data-phase="failed"]')).waitFor();
    await form.form
      .getByRole('alert')
      .getByText(/is not here and could not be pulled/)
      .waitFor();
    // The login sits inside the run form: Enter in it logs in, and must not run the form meanwhile.
    const login = form.form.getByRole('form', { name: 'Log in to the registry' });
    await login.getByLabel('Username').fill('carol');
    await login.getByLabel('Password').fill('runner');
    await login.getByLabel('Password').press('Enter');
    await form.form.waitFor({ state: 'detached', timeout: 60_000 });
    await toast(`Started container e2e-private from ${ref}`).waitFor();
    assert.equal(docker(['inspect', '-f', '{{.State.Running}}', 'e2e-private']), 'true');
    docker(['rm', '-f', 'e2e-private']);
    await dismissToasts();
  });

  test('pull from an htpasswd registry: the refusal offers a login; logging in pulls it', async () => {
    const ref = `${pullReg.host}/e2e/locked:1`;
    docker(['login', '-u', 'alice', '--password-stdin', pullReg.host], 'wonderland');
    docker(['tag', 'busybox', ref]);
    docker(['push', ref]);
    docker(['rmi', ref]);
    docker(['logout', pullReg.host]);
    await shell.open('Images');
    await images.pull(ref);
    await images.transfer.and(page.locator('[data-phase="failed"]')).waitFor();
    const login = page.getByRole('form', { name: 'Log in to the registry' });
    assert.equal(await login.getByLabel('Server').inputValue(), pullReg.host);
    await images.login('alice', 'not-this-one');
    await login
      .getByRole('alert')
      .getByText(/Cannot log in/)
      .waitFor();
    await assertLayout('login form');
    await images.login('alice', 'wonderland');
    await images.transfer.and(page.locator('[data-phase="done"]')).waitFor({ timeout: 30_000 });
    await toast(`Logged in to ${pullReg.host}`).waitFor();
    await images.row(ref).waitFor();
    assert.ok(tags().includes(ref));
    assert.doesNotMatch(await page.content(), /wonderland/, 'no password left in the page');
  });
});
