// Long lists in web mode (Debian's Chromium) against a real berthd: the containers list and the log
// view draw only what is on screen, yet scrolling, search, selection and the keyboard reach everything.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { ContainersPage } from './pages/containers.ts';
import { LogsPanel } from './pages/logs.ts';
import { Shell } from './pages/shell.ts';
import { hasChromium, launchAppPage, startWebMode, type WebMode } from './web-mode.ts';

const skip = hasChromium ? false : 'no Chromium at /usr/bin/chromium: apt-get install -y chromium';
const rowCount = 400;

describe('long lists in web mode', { skip }, () => {
  let daemon: Daemon;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let shell: Shell;

  before(async () => {
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    for (let i = 0; i < rowCount; i += 25) {
      const batch = [];
      for (let j = i; j < i + 25; j++) {
        batch.push(
          daemon.dockerAsync(['create', '--name', `row-${String(j).padStart(3, '0')}`, 'busybox', 'true'])
            .done,
        );
      }
      for (const r of await Promise.all(batch)) assert.equal(r.code, 0, r.stderr);
    }
    const chatty = daemon.docker(['run', '--name', 'chatty', 'busybox', 'seq', '1', '60000']);
    assert.equal(chatty.code, 0, chatty.stderr);
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

  test('the containers list draws a screenful; scrolling, search, the keyboard and selection reach every row', async () => {
    await shell.open('Containers');
    const list = new ContainersPage(page);
    await list.shown.getByText(`${rowCount + 1} containers`).waitFor();
    const drawn = await list.rows.count();
    assert.ok(drawn > 5 && drawn < 60, `${drawn} rows drawn of ${rowCount + 1}`);
    const first = await list.rows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
    await list.list.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await eventually(
      async () => {
        const now = await list.rows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
        return now.length < 60 && !now.some((n) => first.includes(n));
      },
      5000,
      'other rows drawn at the bottom',
    );

    await list.search.fill('row-123');
    await list.shown.getByText(`1 of ${rowCount + 1}`).waitFor();
    assert.equal(await list.rows.count(), 1);
    await list.search.fill('');

    // The keyboard: from the search box into the list, to its ends, onto a row, select it, open it.
    await list.search.focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await list.list.evaluate((el) => el.matches(':focus')), true);
    await page.keyboard.press('End');
    const last = await list.activeRow.getAttribute('data-name');
    assert.ok(last, 'a row is active after End');
    assert.ok(await list.activeRow.isVisible(), 'End scrolled to the last row');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const third = await list.activeRow.getAttribute('data-name');
    assert.notEqual(third, last);
    await page.keyboard.press('PageDown');
    await page.keyboard.press('PageUp');
    assert.equal(await list.activeRow.getAttribute('data-name'), third);
    await page.keyboard.press(' ');
    await page.getByRole('button', { name: 'Remove selected (1)' }).waitFor();
    assert.ok(await page.getByRole('checkbox', { name: `Select ${third}`, exact: true }).isChecked());
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: third ?? '' }).waitFor();
    await page.getByRole('button', { name: 'Back to containers' }).click();
  });

  test('the log view of 60,000 lines draws a screenful, follows to the end, and steps through the matches', async () => {
    const list = new ContainersPage(page);
    await list.search.fill('chatty');
    await list.open('chatty');
    const logs = new LogsPanel(page);
    await logs.lineCount.getByText('60,000 lines').waitFor();
    await logs.box.locator('.log-line', { hasText: /^60000$/ }).waitFor();
    const drawn = await logs.drawnLines();
    assert.ok(drawn < 100, `${drawn} lines drawn of 60,000`);

    // 5999, 15999 … 55999 and 59990 … 59999: 16 lines.
    await logs.search.fill('5999');
    await logs.matches.getByText('16 matching line(s)').waitFor();
    await logs.currentLine.locator('mark.current', { hasText: '5999' }).waitFor();
    const at = Number(/^(\d+) of 16$/.exec((await logs.current.textContent()) ?? '')?.[1]);
    assert.ok(at >= 1 && at <= 16, `current match ${at}`);
    await logs.next();
    await logs.current.getByText(`${(at % 16) + 1} of 16`).waitFor();
    await logs.previous();
    await logs.current.getByText(`${at} of 16`).waitFor();
    // Enter in the search box goes to the next match, wrapping around at the end.
    await logs.search.press('Enter');
    await logs.current.getByText(`${(at % 16) + 1} of 16`).waitFor();
    await logs.search.fill('');
    await page.getByRole('button', { name: 'Back to containers' }).click();
    await list.search.fill('');
  });
});
