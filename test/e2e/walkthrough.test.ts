// A Docker Desktop user's day, walked through every screen: a compose project, running, exited,
// crash-looping, healthy and unhealthy containers, a volume holding data (test/demo/seed.ts). At the
// narrow windows the app must hold (1000×700 and 900×700) nothing on any screen is cut off, clipped or
// pushed out of the window; the wide pass takes the README's screenshots of this realistic state.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { freePort } from '../conformance/net.ts';
import { seedDemoState } from '../demo/seed.ts';
import { layoutProblems } from './layout.ts';
import { Notices } from './pages/notices.ts';
import { Shell } from './pages/shell.ts';
import { hasChromium, launchAppPage, screenshotsDir, startWebMode, type WebMode } from './web-mode.ts';

const hasCompose = spawnSync('sh', ['-c', 'command -v docker-compose']).status === 0;
const skip = !hasChromium
  ? 'no Chromium at /usr/bin/chromium: apt-get install -y chromium'
  : !hasCompose
    ? 'docker-compose is not installed (apt-get install docker-compose)'
    : false;

/** Each screen: where it is, and what shows once it has loaded. */
const screens: { name: string; hash: string; ready: (p: Page) => Promise<unknown> }[] = [
  {
    name: 'dashboard',
    hash: '#/dashboard',
    // Measured as soon as the page knows the engine is up, not a 15 s poll later (the engine's disk
    // use can take a few seconds on a busy machine).
    ready: (p) => p.getByText('Total', { exact: true }).first().waitFor({ timeout: 10_000 }),
  },
  {
    name: 'containers',
    hash: '#/containers',
    ready: (p) => p.locator('[data-testid="container-row"][data-name="cache"]').waitFor(),
  },
  {
    name: 'container-logs',
    hash: '#/containers/ticker',
    ready: (p) => p.getByRole('log', { name: 'Container logs' }).getByText('red-bold').first().waitFor(),
  },
  { name: 'project', hash: '#/projects/shop', ready: (p) => p.getByTestId('service-row').first().waitFor() },
  { name: 'images', hash: '#/images', ready: (p) => p.getByTestId('image-row').first().waitFor() },
  { name: 'volumes', hash: '#/volumes', ready: (p) => p.getByTestId('volume-row').first().waitFor() },
  { name: 'volume-files', hash: '#/volumes/data', ready: (p) => p.getByText('hello.txt').waitFor() },
  { name: 'networks', hash: '#/networks', ready: (p) => p.getByText('backend', { exact: true }).waitFor() },
  { name: 'terminal', hash: '#/terminal', ready: (p) => p.getByTestId('terminal').first().waitFor() },
  {
    name: 'settings',
    hash: '#/settings',
    ready: (p) => p.getByRole('heading', { name: 'Settings' }).waitFor(),
  },
  {
    name: 'troubleshoot',
    hash: '#/troubleshoot',
    ready: (p) => p.getByRole('heading', { name: 'Troubleshoot' }).waitFor(),
  },
];

describe("a user's day, on every screen", { skip }, () => {
  let daemon: Daemon;
  let web: WebMode;
  let browser: Browser;
  let page: Page;

  before(async () => {
    mkdirSync(screenshotsDir, { recursive: true });
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    seedDemoState(daemon, await freePort());
    web = await startWebMode(daemon.host);
    ({ browser, page } = await launchAppPage({ width: 1000, height: 700 }));
    await new Shell(page).goto(web.url);
    // The crash loop and the failing healthcheck have shown themselves.
    await eventually(
      () => /unhealthy/.test(daemon.docker(['inspect', '-f', '{{.State.Health.Status}}', 'cache']).stdout),
      30_000,
      'cache unhealthy',
    );
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    if (daemon) await stopDaemon(daemon);
  });

  const visit = async (s: (typeof screens)[number]) => {
    await page.goto(`${web.url}${s.hash}`);
    await s.ready(page);
    await new Notices(page).dismissAll();
    // Lists fill in over a poll or two (usage columns, sizes): measure what the user then sees.
    await page.waitForTimeout(400);
  };

  for (const width of [1000, 900]) {
    test(`at ${width}×700 nothing is cut off, clipped or outside the window`, async () => {
      await page.setViewportSize({ width, height: 700 });
      const found: string[] = [];
      for (const s of screens) {
        await visit(s);
        for (const p of await layoutProblems(page)) found.push(`${s.name}: ${p}`);
      }
      assert.deepEqual(found, []);
    });
  }

  test('a file dropped outside any drop zone leaves the app where it is', async () => {
    await visit(screens[0]);
    const prevented = await page.evaluate<boolean>(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['hello'], 'notes.txt', { type: 'text/plain' }));
      const ev = new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true });
      document.querySelector('main').dispatchEvent(ev);
      return ev.defaultPrevented;
    })()`);
    assert.equal(prevented, true, 'the drop is kept from the browser (which would open the file)');
    assert.match(page.url(), /#\/dashboard$/);
  });

  test("the README's screenshots, of this state", async () => {
    await page.setViewportSize({ width: 1280, height: 760 });
    for (const s of screens) {
      await visit(s);
      await page.screenshot({ path: path.join(screenshotsDir, `day-${s.name}.png`) });
    }
  });
});
