// Terminal sessions in web mode (Debian's Chromium) against a real berthd: a container's Terminal tab
// and the Terminal screen keep their sessions across tab and screen switches, never leave a shell
// behind, list every session, and close them for real.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { ContainerDetailPage } from './pages/container-detail.ts';
import { ContainersPage } from './pages/containers.ts';
import { Shell } from './pages/shell.ts';
import { TerminalPane } from './pages/terminal.ts';
import { hasChromium, launchAppPage, screenshotsDir, startWebMode, type WebMode } from './web-mode.ts';

const skip = hasChromium ? false : 'no Chromium at /usr/bin/chromium: apt-get install -y chromium';
const shellTitle = 'e2e-term · /bin/sh';

describe('terminal sessions in web mode', { skip }, () => {
  let daemon: Daemon;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let shell: Shell;
  let term: TerminalPane;
  const shot = (name: string) => page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) });
  const docker = (args: string[]) => {
    const r = daemon.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  /** The container's processes, as `docker top` lists them. */
  const top = (name: string) =>
    docker(['top', name, '-eo', 'pid,args'])
      .split('\n')
      .slice(1)
      .map((l) => l.trim().replace(/^\d+\s+/, ''))
      .sort();
  const showsLine = (line: string) =>
    eventually(async () => (await term.lines()).includes(line), 15_000, `${line} on its own line`);
  const openContainerTerminal = async (name: string) => {
    await shell.open('Containers');
    await new ContainersPage(page).open(name);
    await new ContainerDetailPage(page).tab('Terminal');
  };

  before(async () => {
    mkdirSync(screenshotsDir, { recursive: true });
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    docker(['run', '-d', '--name', 'e2e-term', 'busybox', 'sleep', '3000']);
    web = await startWebMode(daemon.host);
    ({ browser, page } = await launchAppPage({ width: 1000, height: 700 }));
    shell = new Shell(page);
    term = new TerminalPane(page);
    await shell.goto(web.url);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    if (daemon) await stopDaemon(daemon);
  });

  test('the container terminal starts with the shell’s first line on the first row, and lists its session', async () => {
    await openContainerTerminal('e2e-term');
    await term.connected(shellTitle);
    await eventually(async () => (await term.lines()).includes('/ #'), 15_000, 'the prompt');
    const lines = await term.lines();
    // Debian's busybox sh starts with two blank lines, its banner, a blank line, then the prompt.
    assert.match(
      lines[0],
      /^BusyBox v[\d.]+ .*built-in shell \(ash\)$/,
      `first rows: ${JSON.stringify(lines)}`,
    );
    assert.equal(lines[3], '/ #');
    assert.deepEqual(await term.titles(), [shellTitle]);
    assert.equal(await term.current(), shellTitle);
  });

  test('an exported variable survives tab and screen switches; leaving ten times leaves one shell', async () => {
    const detail = new ContainerDetailPage(page);
    await term.type('export FOO=bar\r');
    await detail.tab('Logs');
    await detail.tab('Terminal');
    await term.connected(shellTitle);
    // The scrollback came back with the session.
    await eventually(
      async () => (await term.lines()).includes('/ # export FOO=bar'),
      15_000,
      'the scrollback',
    );
    await term.type('echo "[$FOO-1]"\r');
    await showsLine('[bar-1]');
    await shell.open('Images');
    await openContainerTerminal('e2e-term');
    await term.type('echo "[$FOO-2]"\r');
    await showsLine('[bar-2]');
    for (let i = 0; i < 10; i++) {
      if (i % 2) {
        await shell.open('Dashboard');
        await openContainerTerminal('e2e-term');
      } else {
        await detail.tab('Inspect');
        await detail.tab('Terminal');
      }
      await term.connected(shellTitle);
    }
    assert.deepEqual(top('e2e-term'), ['/bin/sh', 'sleep 3000'], 'the kept session’s shell, no more');
    assert.deepEqual(await term.titles(), [shellTitle]);
    await term.type('echo "[$FOO-3]"\r');
    await showsLine('[bar-3]');
  });

  test('New session opens another shell; closing it ends that shell', async () => {
    await term.newSession();
    await term.connected(`${shellTitle} (2)`);
    assert.deepEqual(await term.titles(), [shellTitle, `${shellTitle} (2)`]);
    await eventually(() => top('e2e-term').length === 3, 10_000, 'two shells');
    await term.type('sleep 900\r');
    await eventually(() => top('e2e-term').includes('sleep 900'), 10_000, 'a job in the new shell');
    await shot('container-terminal-sessions');
    await term.close(`${shellTitle} (2)`);
    await page.getByText(`Closed ${shellTitle} (2)`).waitFor();
    assert.deepEqual(top('e2e-term'), ['/bin/sh', 'sleep 3000'], 'its shell and its job are gone');
    await term.status.getByText('Session ended').waitFor();
    assert.ok((await term.lines()).includes('[session ended]'));
    assert.deepEqual(await term.titles(), [shellTitle]);
    await term.open(shellTitle);
    await term.connected(shellTitle);
    await term.type('echo "[$FOO-4]"\r');
    await showsLine('[bar-4]');
  });

  test('the Terminal screen: a host shell whose first row is its prompt, kept across screens; every session listed', async () => {
    await shell.open('Terminal');
    await term.connected('Host shell');
    const prompt = await eventually(async () => (await term.lines())[0], 15_000, 'a prompt on the first row');
    assert.match(prompt, /[#$%>] ?$/, `the first row is the prompt: ${JSON.stringify(prompt)}`);
    assert.deepEqual(await term.titles(), [shellTitle, 'Host shell']);
    assert.equal(
      await term.session(shellTitle).getByRole('cell').nth(1).textContent(),
      'e2e-term',
      'the container column',
    );
    await term.type('export BAR=baz\r');
    await shell.open('Volumes');
    await shell.open('Terminal');
    await term.connected('Host shell');
    await term.type('echo "[$BAR]"\r');
    await showsLine('[baz]');
    await shot('terminal-sessions');
    // A container's session opens here too.
    await term.open(shellTitle);
    await term.connected(shellTitle);
    await term.type('echo "[$FOO-5]"\r');
    await showsLine('[bar-5]');
  });

  test('a container that stops ends its sessions: "[session ended]", and they leave the list', async () => {
    docker(['stop', '-t', '1', 'e2e-term']);
    await term.status.getByText('Session ended').waitFor();
    await showsLine('[session ended]');
    await term.session(shellTitle).waitFor({ state: 'detached' });
    assert.deepEqual(await term.titles(), ['Host shell']);
  });

  test('closing the host shell from the list ends it', async () => {
    await term.open('Host shell');
    await term.connected('Host shell');
    await term.type('echo "pid=$$."\r');
    const found = await eventually(
      async () => (await term.lines()).map((l) => /^pid=(\d+)\.$/.exec(l)).find((m) => m !== null),
      15_000,
      'the shell’s pid',
    );
    const pid = Number(found?.[1]);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    assert.ok(alive());
    await term.close('Host shell');
    await eventually(() => !alive(), 10_000, 'the host shell gone');
    await page.getByText('No terminal sessions. Open one with New session.').waitFor();
  });

  test('quitting the app ends the sessions it kept', async () => {
    docker(['run', '-d', '--name', 'e2e-quit', 'busybox', 'sleep', '3000']);
    await openContainerTerminal('e2e-quit');
    await term.connected('e2e-quit · /bin/sh');
    await term.newSession();
    await term.connected('e2e-quit · /bin/sh (2)');
    assert.deepEqual(top('e2e-quit'), ['/bin/sh', '/bin/sh', 'sleep 3000']);
    await web.stop();
    assert.deepEqual(top('e2e-quit'), ['sleep 3000']);
  });
});
