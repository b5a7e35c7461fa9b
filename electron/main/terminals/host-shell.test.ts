// The host terminal: its environment, then the real node-pty under plain Node through the handlers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventually } from '../../../test/conformance/harness.ts';
import { createEngineClient } from '../engine/engine-client.ts';
import { createHandlers } from '../index.ts';
import { dispatchInvoke, dispatchStream } from '../ipc/handlers.ts';
import { hostShell, hostShellEnv } from './host-shell.ts';

const endpoint = 'unix:///tmp/berth-host-shell-test.sock';

describe('host shell', () => {
  test('its environment points DOCKER_HOST at the engine and drops npm variables', () => {
    const env = hostShellEnv(endpoint, { PATH: '/bin', DOCKER_HOST: 'tcp://elsewhere', npm_config_x: '1' });
    assert.deepEqual(env, {
      PATH: '/bin',
      DOCKER_HOST: endpoint,
      TERM: 'xterm-256color',
      COLORTERM: 'truecolor',
    });
    assert.equal(hostShell({ SHELL: '/bin/zsh' }, 'linux'), '/bin/zsh');
    assert.equal(hostShell({}, 'linux'), '/bin/sh');
    assert.equal(hostShell({}, 'win32'), 'powershell.exe');
  });

  test('the real pty: `echo $DOCKER_HOST` prints the engine endpoint; close ends the shell', async () => {
    const handlers = createHandlers(createEngineClient(endpoint));
    const opened = await dispatchInvoke(handlers, 'terminal.open', {
      target: { kind: 'host' },
      cols: 80,
      rows: 24,
    });
    assert.ok(opened.ok, JSON.stringify(opened));
    const session = opened.value.id;
    let out = '';
    let exit: number | null | undefined;
    const detach = dispatchStream(handlers, 'terminal.attach', { session }, (m) => {
      if (m.type !== 'event') return;
      if (m.event.type === 'exit') exit = m.event.exitCode;
      else out += m.event.data;
    });
    try {
      assert.ok((await dispatchInvoke(handlers, 'terminal.resize', { session, cols: 90, rows: 20 })).ok);
      assert.ok(
        (await dispatchInvoke(handlers, 'terminal.input', { session, data: 'echo "[$DOCKER_HOST]"\r' })).ok,
      );
      await eventually(() => out.includes(`[${endpoint}]`), 10_000, `the endpoint in ${JSON.stringify(out)}`);
      assert.ok((await dispatchInvoke(handlers, 'terminal.input', { session, data: 'stty size\r' })).ok);
      await eventually(() => /\b20 90\b/.test(out), 10_000, `the new size in ${JSON.stringify(out)}`);
      assert.ok((await dispatchInvoke(handlers, 'terminal.input', { session, data: 'echo "pid=$$."\r' })).ok);
      const found = await eventually(() => /pid=(\d+)\./.exec(out), 10_000, 'the shell’s pid');
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
      assert.ok((await dispatchInvoke(handlers, 'terminal.close', { session })).ok);
      assert.notEqual(exit, undefined, 'the view saw the shell end');
      await eventually(() => !alive(), 5000, 'the shell gone');
      const list = await dispatchInvoke(handlers, 'terminal.list', {});
      assert.ok(list.ok);
      assert.deepEqual(list.value, []);
    } finally {
      detach();
      await handlers.dispose?.();
    }
  });
});
