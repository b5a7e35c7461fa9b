// The machine in web mode (Debian's Chromium), for real, with the native provider: the app launches
// the Berth agent (the one `berth start` launches), which runs berthd on temporary roots. Started from
// the dashboard, the app's engine follows it (the containers screen works through it), the `berth`
// command sees the same machine, a setting changed says it applies at restart, the boot log shows in
// Troubleshoot, Stop ends it and its agent, and Reset deletes its data after naming it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { cleanupNetwork, eventually, repoRoot } from '../conformance/harness.ts';
import { busyboxImageTar } from '../fixtures/images.ts';
import { layoutProblems } from './layout.ts';
import { ContainersPage } from './pages/containers.ts';
import { Shell } from './pages/shell.ts';
import { hasChromium, launchAppPage, screenshotsDir, startBuiltWebServer, type WebMode } from './web-mode.ts';

const isRoot = process.getuid?.() === 0;
const skip = !hasChromium
  ? 'no Chromium at /usr/bin/chromium: apt-get install -y chromium'
  : !isRoot
    ? 'the native provider runs berthd on this host, which needs root'
    : !existsSync(path.join(repoRoot, 'dist/web/main.mjs')) ||
        !existsSync(path.join(repoRoot, 'dist/berth.mjs'))
      ? 'the app is not built: node build/bundle.mjs && node build/build-app.mjs'
      : false;

// Short paths: the sockets must fit in 108 bytes.
const root = mkdtempSync('/tmp/bv-');
const nativeRoot = path.join(root, 'n');
const env = {
  BERTH_HOME: path.join(root, 'home'),
  DOCKER_CONFIG: path.join(root, 'docker'),
  KUBECONFIG: path.join(root, 'kubeconfig'),
  BERTH_NATIVE_ROOT: nativeRoot,
};
const socket = path.join(nativeRoot, 'run', 'docker.sock');
const configDir = path.join(root, 'config');

const berth = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'vm/cli/berth.mjs'), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
const docker = (...args: string[]) =>
  spawnSync('docker', args, {
    env: { ...process.env, ...env, DOCKER_HOST: `unix://${socket}` },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('the machine from the app (native provider)', { skip }, () => {
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let shell: Shell;

  before(async () => {
    mkdirSync(env.DOCKER_CONFIG, { recursive: true });
    mkdirSync(env.BERTH_HOME, { recursive: true });
    writeFileSync(path.join(env.BERTH_HOME, 'provider'), 'native\n');
    // Started from the UI here, not on launch.
    mkdirSync(configDir, { recursive: true });
    writeFileSync(path.join(configDir, 'settings.json'), JSON.stringify({ startMachineOnLaunch: false }));
    web = await startBuiltWebServer(undefined, { configDir, env });
    ({ browser, page } = await launchAppPage(undefined, 30_000));
    shell = new Shell(page);
    await shell.goto(web.url);
  });

  after(async () => {
    await browser?.close();
    await web?.stop();
    if (docker('version').status === 0) {
      const ids = docker('ps', '-aq').stdout.split('\n').filter(Boolean);
      if (ids.length) docker('rm', '-f', ...ids);
    }
    berth('stop');
    cleanupNetwork(path.join(nativeRoot, 'run'), path.join(nativeRoot, 'data'));
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((p) => p?.startsWith(`${root}/`))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    rmSync(root, { recursive: true, force: true });
  });

  test('start from the dashboard; the engine follows; the containers screen works through it', async () => {
    const card = page.getByTestId('machine-card');
    await card
      .getByTestId('machine-state')
      .getByText(/Stopped — berthd on this host \(native\)/)
      .waitFor();
    // Natively, berthd answers within about half a second: the boot's stage shows for so short a time
    // that polling may miss it, so every text the boot progress shows is recorded as it renders.
    await page.evaluate(`(() => {
      const seen = (window.bootSeen = []);
      new MutationObserver(() => {
        const t = document.querySelector('[data-testid="machine-card"] [data-testid="boot-progress"]')?.textContent;
        if (t && seen.at(-1) !== t) seen.push(t);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    await card.getByRole('button', { name: 'Start', exact: true }).click();
    await card
      .getByTestId('machine-state')
      .getByText(/^Running$/)
      .waitFor({ timeout: 90_000 });
    const bootSeen = await page.evaluate<string[]>('window.bootSeen');
    assert.ok(
      bootSeen.some((t) => /starting berthd on the host/.test(t)),
      `the boot's stage showed while it started: ${JSON.stringify(bootSeen)}`,
    );
    assert.equal(await card.getByTestId('boot-progress').count(), 0, 'the boot lines go once it runs');
    await card.getByText(`unix://${socket}`).waitFor();
    await page.getByTestId('engine-card').waitFor({ timeout: 30_000 });
    await shell.engineBanner.waitFor({ state: 'hidden' });
    await page.screenshot({ path: path.join(screenshotsDir, 'machine-running.png') });
    await page.setViewportSize({ width: 900, height: 700 });
    // The "machine runs" toast lies over the dashboard's tiles by design: the layout is checked without it.
    const toasts = page
      .getByRole('region', { name: 'Notifications' })
      .getByRole('button', { name: 'Dismiss' });
    while ((await toasts.count()) > 0) await toasts.first().click();
    assert.deepEqual(await layoutProblems(page), [], 'the dashboard with the machine holds at 900×700');
    await page.setViewportSize({ width: 1100, height: 680 });

    const status = berth('status', '--json');
    assert.equal(status.status, 0, status.stderr);
    const s = JSON.parse(status.stdout) as { state: string; provider: string; docker: string };
    assert.deepEqual(
      { state: s.state, provider: s.provider, docker: s.docker },
      { state: 'running', provider: 'native', docker: `unix://${socket}` },
      'the berth command sees the machine the app started',
    );

    const tar = await busyboxImageTar(path.join(repoRoot, 'test/fixtures/out'));
    assert.equal(docker('load', '-i', tar).status, 0);
    const run = docker('run', '-d', '--name', 'vm-sleeper', 'busybox', 'sleep', '300');
    assert.equal(run.status, 0, run.stderr);
    await shell.open('Containers');
    const containers = new ContainersPage(page);
    await containers.row('vm-sleeper').waitFor({ timeout: 30_000 });
    await containers.action('Stop', 'vm-sleeper');
    await eventually(
      () => docker('inspect', '-f', '{{.State.Status}}', 'vm-sleeper').stdout.trim() === 'exited',
      30_000,
      'the container stopped from the app',
    );
  });

  test('Kubernetes turned on while it runs applies at restart; the boot log is in Troubleshoot', async () => {
    await shell.open('Settings');
    const form = page.getByRole('form', { name: 'Machine' });
    const memory = form.getByLabel('Memory (MiB)');
    await memory.waitFor();
    assert.ok(await memory.isDisabled(), 'berthd on the host has the host’s memory: nothing to size');
    await form.getByRole('checkbox', { name: 'Kubernetes' }).check();
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('machine-restart-needed').waitFor();
    await page.getByRole('status').getByText('Saved. They apply when the machine restarts.').waitFor();
    const saved = JSON.parse(
      readFileSync(path.join(env.BERTH_HOME, 'machines', 'native', 'settings.json'), 'utf8'),
    ) as { kubernetes: boolean };
    assert.equal(saved.kubernetes, true, 'saved with the machine, through its agent');
    const get = berth('config', 'get', 'kubernetes');
    assert.equal(get.stdout.trim(), 'true', 'the berth command reads the same setting');
    const set = berth('config', 'set', 'shareHome=false');
    assert.equal(set.status, 0, set.stderr);
    await shell.open('Dashboard');
    await shell.open('Settings');
    await form.getByRole('checkbox', { name: 'Share my home folder with the machine' }).waitFor();
    await eventually(
      async () =>
        !(await form.getByRole('checkbox', { name: 'Share my home folder with the machine' }).isChecked()),
      10_000,
      'the app shows what berth config set through the same agent',
    );

    await shell.open('Troubleshoot');
    const log = page.getByTestId('machine-log');
    await log.getByText(/starting berthd on the host/).waitFor();
    await log.getByText(/\[machine\] running/).waitFor();
    await eventually(
      async () => /Daemon has completed initialization/.test((await log.textContent()) ?? ''),
      10_000,
      'berthd’s own lines in the boot log',
    );
  });

  test('stop ends the machine and its agent; reset names the engine data and deletes it', async () => {
    await shell.open('Dashboard');
    const card = page.getByTestId('machine-card');
    await card.getByRole('button', { name: 'Stop', exact: true }).click();
    await card
      .getByTestId('machine-state')
      .getByText(/^Stopped/)
      .waitFor({ timeout: 60_000 });
    assert.equal(existsSync(path.join(env.BERTH_HOME, 'run', 'agent.sock')), false, 'the agent is gone');
    assert.notEqual(docker('version').status, 0, 'berthd no longer answers');
    // Its containers outlive berthd under conmon (live restore): the next start finds them.

    await shell.open('Troubleshoot');
    await page.getByRole('button', { name: 'Reset the machine…' }).click();
    const deletes = page.getByTestId('machine-reset-deletes');
    await deletes.getByText(`${nativeRoot}/data: every container, image, volume and network`).waitFor();
    await page
      .getByTestId('machine-reset-keeps')
      .getByText(/the machine settings/)
      .waitFor();
    await page.screenshot({ path: path.join(screenshotsDir, 'machine-reset-dialog.png') });
    await page.getByRole('button', { name: 'Reset the machine', exact: true }).click();
    await eventually(() => !existsSync(path.join(nativeRoot, 'data')), 60_000, 'the data root deleted');
    const again = JSON.parse(
      readFileSync(path.join(env.BERTH_HOME, 'machines', 'native', 'settings.json'), 'utf8'),
    ) as { kubernetes: boolean };
    assert.equal(again.kubernetes, true, 'the settings stay');
  });
});
