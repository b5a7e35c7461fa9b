// The log viewer in web mode (Debian's Chromium) against a real berthd, at 1000×700: terminal colours,
// wrapped rows that never overlap, wrap off, copy, download, clear, and a compose project's logs merged.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { ContainersPage } from './pages/containers.ts';
import { LogsPanel, type RowBox } from './pages/logs.ts';
import { Shell } from './pages/shell.ts';
import { hasChromium, launchAppPage, screenshotsDir, startWebMode, type WebMode } from './web-mode.ts';

const skip = hasChromium ? false : 'no Chromium at /usr/bin/chromium: apt-get install -y chromium';
const viewport = { width: 1000, height: 700 };

// Colours, an erased line with a window title, a colour left on for two lines, then long lines.
const colourScript = [
  "printf '\\033[31mred\\033[0m plain \\033[1;32mbold green\\033[0m\\n'",
  "printf '\\033[2K\\033]0;a window title\\007\\033[1Gerased-and-titled\\n'",
  "printf '\\033[33myellow carries\\n'",
  "echo 'still yellow'",
  "printf '\\033[0mback to plain\\n'",
  "L=$(printf '%0300d' 0 | tr 0 w)",
  'for i in $(seq 1 30); do echo "long-$i $L end-$i"; echo "short-$i"; done',
  'sleep 3600',
].join('; ');

/** Consecutive rows touch and never overlap; each row holds its own text. */
function assertStacked(rows: RowBox[], what: string): void {
  assert.ok(rows.length > 3, `${what}: rows drawn`);
  for (let k = 1; k < rows.length; k++) {
    const [a, b] = [rows[k - 1], rows[k]];
    assert.equal(b.line, a.line + 1, `${what}: rows in order`);
    assert.ok(
      Math.abs(b.top - a.bottom) < 0.6,
      `${what}: line ${b.line} starts where ${a.line} ends (${a.bottom} → ${b.top})`,
    );
  }
}

/** The last character of each drawn row lies inside the row's box (the text does not spill onto the next). */
function textInsideRows(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const bad = [];
    for (const row of document.querySelectorAll('[aria-label="Container logs"] .log-line')) {
      const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
      let last = null;
      for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.textContent) last = n;
      if (!last) continue;
      const range = document.createRange();
      range.setStart(last, last.textContent.length - 1);
      range.setEnd(last, last.textContent.length);
      const r = range.getBoundingClientRect();
      const b = row.getBoundingClientRect();
      if (r.bottom > b.bottom + 0.5 || r.right > b.right + 0.5) bad.push(row.textContent.slice(-12));
    }
    return bad;
  })()`);
}

/** A computed style of the element a locator finds. */
const style = (l: Locator, prop: 'color' | 'fontWeight') =>
  l.evaluate((el, p) => el.ownerDocument.defaultView?.getComputedStyle(el)[p] ?? '', prop);

const rgb = (css: string) => (/rgba?\((\d+), (\d+), (\d+)/.exec(css) ?? []).slice(1).map(Number);

describe('log viewer in web mode', { skip }, () => {
  let daemon: Daemon;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let shell: Shell;
  let list: ContainersPage;
  let logs: LogsPanel;
  const shot = (name: string) => page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) });

  const openLogs = async (name: string) => {
    await shell.open('Containers');
    await list.search.fill(name);
    await list.open(name);
    await logs.box.waitFor();
  };

  before(async () => {
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    const r = daemon.docker(['run', '-d', '--name', 'logs-colours', 'busybox', 'sh', '-c', colourScript]);
    assert.equal(r.code, 0, r.stderr);
    web = await startWebMode(daemon.host);
    ({ browser, page } = await launchAppPage(viewport));
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(web.url).origin,
    });
    shell = new Shell(page);
    list = new ContainersPage(page);
    logs = new LogsPanel(page);
    await shell.goto(web.url);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    if (daemon) await stopDaemon(daemon);
  });

  test('colours are drawn, other escapes never show, the state carries across lines; the toolbar fits', async () => {
    await openLogs('logs-colours');
    await logs.box.getByText('end-30').waitFor();
    const red = logs.box.locator('span', { hasText: /^red$/ });
    // While the view still follows, a row measured late can bring it back to the end once more: scroll
    // to the top until the first lines are drawn.
    await eventually(
      async () => {
        await logs.scrollTo('top');
        return (await red.count()) > 0;
      },
      15_000,
      'the first lines drawn at the top',
    );
    await red.waitFor();
    const [r, g, b] = rgb(await style(red, 'color'));
    assert.ok(r > 180 && g < 140 && b < 140, `red is red: ${r}, ${g}, ${b}`);
    const bold = logs.box.locator('span', { hasText: /^bold green$/ });
    assert.equal(await style(bold, 'fontWeight'), '700');
    const [yr, yg, yb] = rgb(await style(logs.box.locator('span', { hasText: /^still yellow$/ }), 'color'));
    assert.ok(
      yr > 150 && yg > 100 && yb < 80,
      `the line after a yellow one is yellow too: ${yr}, ${yg}, ${yb}`,
    );
    const text = (await logs.box.textContent()) ?? '';
    assert.ok(text.includes('red plain bold green'));
    assert.ok(text.includes('erased-and-titled'));
    for (const raw of ['\x1b', '[31m', '[0m', '[2K', 'window title']) {
      assert.ok(!text.includes(raw), `no ${JSON.stringify(raw)} in the view`);
    }
    // A search match across a colour change is one highlight, in colour.
    await logs.search.fill('ed pl');
    const mark = logs.box.locator('mark.current');
    await mark.waitFor();
    assert.equal(await mark.textContent(), 'ed pl');
    assert.equal(await mark.locator('span', { hasText: /^ed$/ }).count(), 1, 'the red part stays red');
    await logs.search.fill('');
    // The theme's own red in the light theme.
    await shell.switchTheme('light');
    const [lr, lg, lb] = rgb(await style(red, 'color'));
    assert.ok(lr > 150 && lg < 80 && lb < 80 && lr !== r, `light red: ${lr}, ${lg}, ${lb}`);
    await shell.switchTheme('dark');

    // At 1000×700 the toolbar holds on one line: the placeholder whole, every button in view.
    const fit = await page.evaluate<{
      overflow: number;
      placeholder: number;
      room: number;
      buttons: boolean;
    }>(`(() => {
      const bar = document.querySelector('.log-toolbar');
      const input = bar.querySelector('input[type="search"]');
      const style = getComputedStyle(input);
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = style.font;
      const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const buttons = [...bar.querySelectorAll('button, label')].every((b) => {
        const r = b.getBoundingClientRect();
        return r.right <= bar.getBoundingClientRect().right + 0.5 && r.top >= bar.getBoundingClientRect().top - 0.5 && r.bottom <= bar.getBoundingClientRect().bottom + 0.5;
      });
      return { overflow: bar.scrollWidth - bar.clientWidth, placeholder: ctx.measureText(input.placeholder).width, room, buttons };
    })()`);
    assert.ok(fit.overflow <= 0, `toolbar overflows by ${fit.overflow} px`);
    assert.ok(fit.placeholder <= fit.room, `placeholder ${fit.placeholder} px in ${fit.room} px`);
    assert.ok(fit.buttons, 'every control on the toolbar row');
    await shot('logs-colours');
  });

  test('wrapped rows are measured: none overlaps the next at any width; jump to a match lands on it', async () => {
    await logs.scrollTo('bottom');
    await logs.box.getByText('end-30').waitFor();
    for (const where of ['bottom', 'top'] as const) {
      await logs.scrollTo(where);
      await page.waitForTimeout(150);
      const rows = await logs.rowBoxes();
      assertStacked(rows, `wrap on, ${where}`);
      assert.ok(
        rows.some((r) => r.height >= 3 * 18),
        `long lines wrap onto several rows: ${rows.map((r) => r.height)}`,
      );
      assert.deepEqual(await textInsideRows(page), [], 'text spilling out of its row');
    }
    const noSideways = await logs.box.evaluate((el) => el.scrollWidth <= el.clientWidth);
    assert.ok(noSideways, 'wrapped: nothing to scroll sideways');
    // Another width: rows measured again.
    await page.setViewportSize({ width: 1400, height: 700 });
    await page.waitForTimeout(200);
    assertStacked(await logs.rowBoxes(), 'wrap on, 1400 px');
    assert.deepEqual(await textInsideRows(page), []);
    await page.setViewportSize(viewport);
    await page.waitForTimeout(200);
    assertStacked(await logs.rowBoxes(), 'wrap on, back at 1000 px');
    // Jump to matches through rows of every height: the current one is in view, whole.
    for (const term of ['end-7', 'short-29', 'end-13', 'red plain']) {
      await logs.search.fill(term);
      await logs.currentLine.waitFor();
      await page.waitForTimeout(100);
      const [line, box] = [await logs.currentLine.boundingBox(), await logs.box.boundingBox()];
      assert.ok(line && box, 'boxes');
      assert.ok(line.y >= box.y - 0.5 && line.y + line.height <= box.y + box.height + 0.5, `${term} in view`);
      assertStacked(await logs.rowBoxes(), `after jumping to ${term}`);
    }
    await logs.search.fill('');
    await shot('logs-wrapped');
  });

  test('wrap off: one row per line, scrolling sideways; the choice is remembered', async () => {
    await logs.setWrap(false);
    await logs.scrollTo('bottom');
    await page.waitForTimeout(150);
    const rows = await logs.rowBoxes();
    assertStacked(rows, 'wrap off');
    assert.ok(
      rows.every((r) => Math.abs(r.height - 18) < 0.5),
      `every row one line: ${rows.map((r) => r.height)}`,
    );
    assert.ok(await logs.box.evaluate((el) => el.scrollWidth > el.clientWidth + 100), 'scrolls sideways');
    await page.reload();
    await logs.box.getByText('end-30').waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'Wrap' }).isChecked(), false, 'remembered');
    await logs.setWrap(true);
    await page.waitForTimeout(150);
    assert.ok((await logs.rowBoxes()).some((r) => r.height > 18));
  });

  test('copy: the whole log, or the selected text, without escape codes', async () => {
    await logs.box.getByText('end-30').waitFor();
    await logs.copy();
    await page
      .getByTestId('toast')
      .getByText(/^Copied \d+ lines$/)
      .waitFor();
    const all = await page.evaluate<string>('navigator.clipboard.readText()');
    const lines = all.split('\n');
    assert.equal(lines[0], 'red plain bold green');
    assert.equal(lines[1], 'erased-and-titled');
    assert.equal(lines.at(-2), `long-30 ${'w'.repeat(300)} end-30`);
    assert.equal(lines.at(-1), 'short-30');
    assert.ok(lines.includes('short-30') && lines.includes('still yellow'));
    assert.ok(!all.includes('\x1b'), 'no escape codes');
    assert.equal(lines.length, 65);
    // A selection in the view is what gets copied.
    await logs.search.fill('short-12');
    await logs.currentLine.waitFor();
    await logs.currentLine.evaluate((row) => {
      const range = row.ownerDocument.createRange();
      range.selectNodeContents(row);
      row.ownerDocument.getSelection()?.removeAllRanges();
      row.ownerDocument.getSelection()?.addRange(range);
    });
    await logs.copy();
    await page.getByTestId('toast').getByText('Copied the selected text').waitFor();
    assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), 'short-12');
    await page.evaluate('window.getSelection().removeAllRanges()');
    await logs.search.fill('');
  });

  test('download: a .log file named after the container, with the lines as they read', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), logs.download()]);
    assert.match(download.suggestedFilename(), /^logs-colours-\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d\.log$/);
    const file = await download.path();
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    assert.equal(lines[0], 'red plain bold green');
    assert.equal(lines[3], 'still yellow');
    assert.ok(lines.includes('short-30'));
    assert.ok(!text.includes('\x1b'));
    assert.equal(lines.length, 66, 'every line, and a newline at the end');
  });

  test('clear empties the view, new lines show after it, and it holds when the view opens again', async () => {
    const r = daemon.docker([
      'run',
      '-d',
      '--name',
      'logs-ticker',
      'busybox',
      'sh',
      '-c',
      'i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.3; done',
    ]);
    assert.equal(r.code, 0, r.stderr);
    await openLogs('logs-ticker');
    await logs.box.getByText('tick-3', { exact: true }).waitFor();
    const tip = await page.getByRole('button', { name: 'Clear log view' }).getAttribute('data-tip');
    assert.match(tip ?? '', /log itself is kept/);
    await logs.clear();
    await page.getByTestId('toast').getByText('Log view cleared').waitFor();
    const ticks = async () =>
      (await logs.texts()).map((t) => Number(/^tick-(\d+)$/.exec(t)?.[1] ?? Number.NaN));
    const shownBefore = daemon.docker(['logs', 'logs-ticker']).stdout.trim().split('\n').length;
    await eventually(async () => (await ticks()).length > 0, 10_000, 'new lines after the clear');
    const after = await ticks();
    assert.ok(after[0] >= 3, `the lines so far are gone: first ${after[0]}`);
    await logs.box.getByText('tick-2', { exact: true }).waitFor({ state: 'detached' });
    assert.ok(
      after.every((n, k) => k === 0 || n === after[k - 1] + 1),
      'new lines in order',
    );
    await page.getByText(/^Cleared at /).waitFor();
    // The engine's log is untouched; a reload of the view goes on from the clear.
    assert.ok(daemon.docker(['logs', 'logs-ticker']).stdout.includes('tick-0\n'));
    await page.reload();
    await logs.box.getByText(`tick-${shownBefore + 3}`, { exact: true }).waitFor();
    assert.ok((await ticks())[0] >= 3, 'still cleared after a reload');
    await page.getByRole('button', { name: 'Show all' }).click();
    await logs.box
      .getByText('tick-0', { exact: true })
      .or(logs.lineCount.getByText(/^\d+ lines$/))
      .first()
      .waitFor();
    await logs.scrollTo('top');
    await logs.box.getByText('tick-0', { exact: true }).waitFor();
    daemon.docker(['rm', '-f', 'logs-ticker']);
  });

  test("a compose project's logs merged: prefixes in time order, timestamps, a filter; one ending leaves the rest", async () => {
    const label = (service: string) => [
      '--label',
      'com.docker.compose.project=logsproj',
      '--label',
      `com.docker.compose.service=${service}`,
    ];
    const a = daemon.docker([
      'run',
      '-d',
      '--name',
      'logsproj-a-1',
      ...label('a'),
      'busybox',
      'sh',
      '-c',
      'echo one-a; sleep 3; echo three-a; i=0; while true; do echo a-tick-$i; i=$((i+1)); sleep 0.5; done',
    ]);
    assert.equal(a.code, 0, a.stderr);
    await eventually(() => daemon.docker(['logs', 'logsproj-a-1']).stdout.includes('one-a'), 10_000, 'one-a');
    const b = daemon.docker([
      'run',
      '-d',
      '--name',
      'logsproj-b-1',
      ...label('b'),
      'busybox',
      'sh',
      '-c',
      'echo two-b; sleep 4; echo four-b; sleep 3600',
    ]);
    assert.equal(b.code, 0, b.stderr);
    await openLogs('logsproj-a-1');
    await page.getByRole('button', { name: 'Show all of logsproj (2 containers)' }).click();
    const project = new LogsPanel(page, 'Project logs');
    await project.box.getByText('four-b').waitFor({ timeout: 15_000 });
    await project.scrollTo('top');
    const texts = (await project.texts()).filter((t) => !t.includes('a-tick'));
    assert.deepEqual(texts, ['a-1 | one-a', 'b-1 | two-b', 'a-1 | three-a', 'b-1 | four-b']);
    const colours = await project.box
      .locator('.log-src')
      .evaluateAll((els) =>
        els.slice(0, 2).map((e) => e.ownerDocument.defaultView?.getComputedStyle(e).color),
      );
    assert.notEqual(colours[0], colours[1], 'each source its own colour');

    // Timestamps show after the prefix, in order.
    await project.setTimestamps(true);
    await project.box.locator('.ts').first().waitFor();
    const stamps = await project.box
      .locator('.ts')
      .evaluateAll((els) => els.map((e) => e.textContent?.trim() ?? ''));
    assert.ok(
      stamps.every((s) => /^\d{4}-\d\d-\d\dT\S+Z$/.test(s)),
      stamps.join(', '),
    );
    assert.deepEqual([...stamps].sort(), stamps, 'in time order');
    assert.match((await project.texts())[0], /^a-1 \| \d{4}-\S+ one-a$/);
    await project.setTimestamps(false);

    // A filter shows some sources only.
    await page.getByRole('group', { name: 'Show:' }).getByRole('checkbox', { name: 'b-1' }).uncheck();
    await project.box.getByText('two-b').waitFor({ state: 'detached' });
    assert.ok((await project.texts()).every((t) => t.startsWith('a-1 | ')));
    await page.getByRole('group', { name: 'Show:' }).getByRole('checkbox', { name: 'b-1' }).check();
    await project.box.getByText('two-b').waitFor();
    await shot('logs-project');

    // b goes away; a's lines keep coming.
    daemon.docker(['rm', '-f', 'logsproj-b-1']);
    const last = async () => {
      const t = (await project.texts()).filter((x) => x.includes('a-tick')).at(-1) ?? '';
      return Number(/a-tick-(\d+)/.exec(t)?.[1] ?? -1);
    };
    await project.scrollTo('bottom');
    const before = await last();
    await eventually(async () => (await last()) >= before + 3, 10_000, 'a follows after b is gone');
    await page.getByRole('button', { name: 'Only logsproj-a-1' }).click();
    await logs.box.waitFor();
    daemon.docker(['rm', '-f', 'logsproj-a-1']);
  });
});
