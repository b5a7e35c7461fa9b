// Container terminals against real engines: berthd, and Debian's dockerd (the app talks to any Docker
// engine, and both leave an exec's shell running when its connection closes). Sessions outlive their
// views, and closing one leaves no shell, job or conmon behind.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { TerminalEvent } from '../../../electron/contract/index.ts';
import {
  createEngineClient,
  createHandlers,
  dispatchInvoke,
  dispatchStream,
  type Handlers,
} from '../../../electron/main/index.ts';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../../conformance/harness.ts';

const hasDockerd = spawnSync('dockerd', ['--version']).status === 0;

for (const kind of ['berthd', 'dockerd'] as const) {
  const skip = kind === 'dockerd' && !hasDockerd ? 'no dockerd: apt-get install -y docker.io' : false;
  describe(`container terminals on ${kind}`, { skip }, () => {
    let daemon: Daemon;
    let h: Handlers;
    before(async () => {
      daemon = await startDaemon(kind);
      await loadBusybox(daemon);
      h = createHandlers(createEngineClient(daemon.host));
    });
    after(async () => {
      await h?.dispose?.();
      if (daemon) await stopDaemon(daemon);
    });

    const docker = (args: string[]) => {
      const r = daemon.docker(args);
      assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim();
    };
    /** The container's processes as `docker top` lists them (command lines). */
    const top = (name: string) =>
      docker(['top', name, '-eo', 'pid,args'])
        .split('\n')
        .slice(1)
        .map((l) => l.trim().replace(/^\d+\s+/, ''));
    /** conmon processes of this daemon that supervise an exec (berthd runs each exec under one). */
    const execMonitors = () =>
      execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes('conmon') && l.includes('--exec') && l.includes(daemon.root));

    const open = async (container: string) => {
      const r = await dispatchInvoke(h, 'terminal.open', {
        target: { kind: 'container', id: container },
        cols: 80,
        rows: 24,
      });
      assert.ok(r.ok, JSON.stringify(r));
      return r.value;
    };
    const attach = (session: string) => {
      const view = { out: '', exit: undefined as number | null | undefined, ended: false };
      const detach = dispatchStream(h, 'terminal.attach', { session }, (m) => {
        if (m.type === 'end') view.ended = true;
        else {
          const e: TerminalEvent = m.event;
          if (e.type === 'exit') view.exit = e.exitCode;
          else view.out += e.data;
        }
      });
      return { view, detach };
    };
    const type = async (session: string, data: string) =>
      assert.ok((await dispatchInvoke(h, 'terminal.input', { session, data })).ok);

    test('a session outlives ten views; its variables stay; no shell is left per view', async () => {
      docker(['run', '-d', '--name', 'term-keep', 'busybox', 'sleep', '600']);
      const s = await open('term-keep');
      assert.equal(s.title, 'term-keep · /bin/sh');
      const first = attach(s.id);
      await eventually(
        () => first.view.out.includes('# '),
        10_000,
        `a prompt in ${JSON.stringify(first.view.out)}`,
      );
      assert.doesNotMatch(first.view.out, /berth-pid/, 'the wrapper’s marker is not shown');
      assert.doesNotMatch(first.view.out, /^[\r\n]/, 'no blank lines first');
      await type(s.id, 'export FOO=bar\r');
      await eventually(() => /FOO=bar\r\n/.test(first.view.out), 10_000, 'the shell ran it');
      first.detach();
      for (let i = 0; i < 10; i++) attach(s.id).detach();
      assert.deepEqual(top('term-keep'), ['sleep 600', '/bin/sh'], 'one shell: the kept session');
      const back = attach(s.id);
      assert.match(back.view.out, /export FOO=bar/, 'the scrollback came first');
      await type(s.id, 'echo "[$FOO]"\r');
      await eventually(
        () => back.view.out.includes('[bar]'),
        10_000,
        `[bar] in ${JSON.stringify(back.view.out)}`,
      );
      assert.ok((await dispatchInvoke(h, 'terminal.resize', { session: s.id, cols: 100, rows: 30 })).ok);
      back.detach();
      assert.ok((await dispatchInvoke(h, 'terminal.close', { session: s.id })).ok);
      docker(['rm', '-f', 'term-keep']);
    });

    test('close ends the shell and the jobs it started; nothing is left in the container', async () => {
      docker(['run', '-d', '--name', 'term-close', 'busybox', 'sleep', '600']);
      const s = await open('term-close');
      const v = attach(s.id);
      await eventually(() => v.view.out.includes('# '), 10_000, 'a prompt');
      await type(s.id, 'sleep 701 & sleep 702\r');
      await eventually(() => top('term-close').includes('sleep 702'), 10_000, 'the foreground job running');
      assert.deepEqual(top('term-close').sort(), ['/bin/sh', 'sleep 600', 'sleep 701', 'sleep 702']);
      const closed = await dispatchInvoke(h, 'terminal.close', { session: s.id });
      assert.ok(closed.ok, JSON.stringify(closed));
      assert.deepEqual(top('term-close'), ['sleep 600']);
      assert.notEqual(v.view.exit, undefined, 'the view saw the exit');
      await eventually(() => v.view.ended, 5000, 'the view’s stream ends');
      const list = await dispatchInvoke(h, 'terminal.list', { container: 'term-close' });
      assert.ok(list.ok);
      assert.deepEqual(list.value, []);
      await eventually(() => execMonitors().length === 0, 5000, 'no exec conmon left');
      docker(['rm', '-f', 'term-close']);
    });

    test('a container that stops ends its sessions; they leave the list', async () => {
      docker(['run', '-d', '--name', 'term-stop', 'busybox', 'sleep', '600']);
      const s = await open('term-stop');
      const v = attach(s.id);
      await eventually(() => v.view.out.includes('# '), 10_000, 'a prompt');
      docker(['stop', '-t', '1', 'term-stop']);
      await eventually(() => v.view.ended, 10_000, 'the view’s stream ends');
      assert.notEqual(v.view.exit, undefined);
      const list = await dispatchInvoke(h, 'terminal.list', {});
      assert.ok(list.ok);
      assert.deepEqual(list.value, []);
      const refused = await dispatchInvoke(h, 'terminal.open', {
        target: { kind: 'container', id: 'term-stop' },
      });
      assert.equal(refused.ok, false);
      if (!refused.ok) assert.equal(refused.error.message, 'container term-stop is not running');
      docker(['rm', '-f', 'term-stop']);
    });

    test('a paused container keeps its shell: close says why and keeps the session', async () => {
      docker(['run', '-d', '--name', 'term-paused', 'busybox', 'sleep', '600']);
      const s = await open('term-paused');
      const v = attach(s.id);
      await eventually(() => v.view.out.includes('# '), 10_000, 'a prompt');
      docker(['pause', 'term-paused']);
      const refused = await dispatchInvoke(h, 'terminal.close', { session: s.id });
      assert.equal(refused.ok, false);
      if (!refused.ok) {
        assert.equal(refused.error.code, 'terminal.cannot_close');
        assert.match(refused.error.message, /^cannot end the terminal session: .*paused/i);
      }
      const list = await dispatchInvoke(h, 'terminal.list', { container: 'term-paused' });
      assert.ok(list.ok);
      assert.deepEqual(
        list.value.map((x) => x.id),
        [s.id],
      );
      docker(['unpause', 'term-paused']);
      assert.ok((await dispatchInvoke(h, 'terminal.close', { session: s.id })).ok);
      assert.deepEqual(top('term-paused'), ['sleep 600']);
      v.detach();
      docker(['rm', '-f', 'term-paused']);
    });

    test('quitting the app (dispose) ends every session', async () => {
      docker(['run', '-d', '--name', 'term-quit', 'busybox', 'sleep', '600']);
      const app = createHandlers(createEngineClient(daemon.host));
      for (let i = 0; i < 2; i++) {
        const r = await dispatchInvoke(app, 'terminal.open', {
          target: { kind: 'container', id: 'term-quit' },
        });
        assert.ok(r.ok, JSON.stringify(r));
      }
      await eventually(() => top('term-quit').length === 3, 10_000, 'two shells');
      await app.dispose?.();
      assert.deepEqual(top('term-quit'), ['sleep 600']);
      docker(['rm', '-f', 'term-quit']);
    });
  });
}
