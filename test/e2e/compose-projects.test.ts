// Compose projects in the containers list, in web mode against a real berthd with Debian's
// docker-compose 1.29: grouped by project, collapsible, started, stopped and deleted as a whole, and a
// project view with the services, their state, ports and logs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { freePort } from '../conformance/net.ts';
import { ContainersPage } from './pages/containers.ts';
import { LogsPanel } from './pages/logs.ts';
import { Notices } from './pages/notices.ts';
import { Shell } from './pages/shell.ts';
import { hasChromium, launchAppPage, screenshotsDir, startWebMode, type WebMode } from './web-mode.ts';

const hasCompose = spawnSync('sh', ['-c', 'command -v docker-compose']).status === 0;
const skip = !hasChromium
  ? 'no Chromium at /usr/bin/chromium: apt-get install -y chromium'
  : !hasCompose
    ? 'docker-compose is not installed (apt-get install docker-compose)'
    : false;

const project = 'uxshop';

describe('compose projects in web mode', { skip }, () => {
  let daemon: Daemon;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let list: ContainersPage;
  let notices: Notices;
  let dir: string;
  let port: number;

  const compose = (args: string[]) => {
    const r = spawnSync('docker-compose', ['-p', project, ...args], {
      cwd: dir,
      env: { ...process.env, DOCKER_HOST: daemon.host, COMPOSE_INTERACTIVE_NO_CLI: '1' },
      timeout: 180_000,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, `docker-compose ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
  };
  /** `docker ps` of the project's containers: names, running only unless `all`. */
  const ps = (all: boolean) =>
    daemon
      .docker([
        'ps',
        ...(all ? ['-a'] : []),
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--format',
        '{{.Names}}',
      ])
      .stdout.split('\n')
      .filter(Boolean)
      .sort();

  before(async () => {
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    port = await freePort();
    dir = mkdtempSync('/tmp/compose-ui-');
    // Both services end on SIGTERM, so that stopping them does not wait for Docker's 10 s kill.
    writeFileSync(
      path.join(dir, 'docker-compose.yml'),
      `version: "2.4"
services:
  web:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /www; echo hi > /www/index.html; httpd -f -p 80 -h /www & wait"]
    ports:
      - "127.0.0.1:${port}:80"
  worker:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do echo tick-from-worker; sleep 1 & wait; done"]
`,
    );
    compose(['up', '-d']);
    web = await startWebMode(daemon.host);
    ({ browser, page } = await launchAppPage());
    list = new ContainersPage(page);
    notices = new Notices(page);
    const shell = new Shell(page);
    await shell.goto(web.url);
    await shell.open('Containers');
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    if (daemon) {
      spawnSync('docker-compose', ['-p', project, 'down'], {
        cwd: dir,
        env: { ...process.env, DOCKER_HOST: daemon.host },
      });
      await stopDaemon(daemon);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the containers of a compose project are grouped under it; the group collapses and expands', async () => {
    docker(['run', '-d', '--name', 'loner', 'busybox', 'sleep', '300']);
    await list.projectRow(project).getByText('compose · 2 containers').waitFor();
    await eventually(async () => (await list.projectContainers(project).count()) === 2, 10_000, 'two rows');
    await list.projectRow(project).getByText('2 running').waitFor();
    await page.screenshot({ path: path.join(screenshotsDir, 'containers-compose.png') });
    await list.projectAction('Collapse project', project);
    await eventually(async () => (await list.projectContainers(project).count()) === 0, 5000, 'collapsed');
    await list.row('loner').waitFor();
    await list.projectAction('Expand project', project);
    await eventually(async () => (await list.projectContainers(project).count()) === 2, 5000, 'expanded');
    // The search finds a project's containers by the project's name.
    await list.search.fill(project);
    await eventually(async () => (await list.rows.count()) === 2, 5000, 'two rows found by project');
    await list.row('loner').waitFor({ state: 'detached' });
    await list.search.fill('');
  });

  test('stop and start of the project act on each of its containers; docker ps agrees', async () => {
    await list.projectAction('Stop project', project);
    await notices.toast(`Stopped ${project} (2 containers)`).waitFor({ timeout: 30_000 });
    assert.deepEqual(ps(false), []);
    assert.deepEqual(ps(true), [`${project}_web_1`, `${project}_worker_1`]);
    await list.projectRow(project).getByText('2 exited').waitFor();
    await list.projectAction('Start project', project);
    await notices.toast(`Started ${project} (2 containers)`).waitFor({ timeout: 30_000 });
    assert.deepEqual(ps(false), [`${project}_web_1`, `${project}_worker_1`]);
  });

  test('the project view: services, their containers, state, ports and logs', async () => {
    await list.projectAction('Open project', project);
    await page.getByRole('heading', { name: project }).waitFor();
    const services = page.getByTestId('service-row');
    await eventually(async () => (await services.count()) === 2, 10_000, 'two services');
    assert.deepEqual(await services.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-service'))), [
      'web',
      'worker',
    ]);
    await page
      .locator('[data-testid="service-row"][data-service="web"]')
      .getByRole('link', { name: new RegExp(`^Open http://localhost:${port} `) })
      .waitFor();
    // Every service's lines in one view, each with its service's prefix.
    const logs = new LogsPanel(page, 'Project logs');
    await logs.box.getByText('tick-from-worker').first().waitFor();
    await eventually(
      async () => (await logs.texts()).some((t) => /^worker_1 +\| tick-from-worker/.test(t)),
      10_000,
      'a worker line with its prefix',
    );
    await page.screenshot({ path: path.join(screenshotsDir, 'compose-project.png') });
  });

  test('deleting the project asks, listing its containers; a stopped project can be brought back, then goes', async () => {
    await page.getByRole('button', { name: `Delete project ${project}`, exact: true }).click();
    await notices.dialog.getByRole('heading', { name: `Delete project ${project}?` }).waitFor();
    assert.deepEqual(await notices.dialogItems.allTextContents(), [
      `${project}_web_1`,
      `${project}_worker_1`,
    ]);
    await notices.dialog.getByText(/the running ones are stopped, then all are removed at once/).waitFor();
    await notices.cancel();
    assert.equal(ps(true).length, 2);

    await page.getByRole('button', { name: `Stop project ${project}`, exact: true }).click();
    await notices.toast(`Stopped ${project} (2 containers)`).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: `Delete project ${project}`, exact: true }).click();
    await notices.confirm('Delete project');
    // Back on the list, without the project.
    await list.row('loner').waitFor();
    await list.projectRow(project).waitFor({ state: 'detached' });
    assert.equal(ps(true).length, 2, 'kept while Undo is offered');
    await notices.undo(`Removed ${project} (2 containers)`);
    await list.projectRow(project).waitFor();
    assert.equal(ps(true).length, 2);

    await list.projectAction('Delete project', project);
    await notices.confirm('Delete project');
    await list.projectRow(project).waitFor({ state: 'detached' });
    await eventually(() => ps(true).length === 0, 15_000, 'the project removed: docker ps -a agrees');
  });

  function docker(args: string[]) {
    const r = daemon.docker(args);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  }
});
