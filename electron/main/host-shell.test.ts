// The host terminal: through a fake pty (the seam), then the real node-pty under plain Node.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventually } from '../../test/conformance/harness.ts';
import type { TerminalEvent } from '../contract/index.ts';
import { createEngineClient } from './engine-client.ts';
import { dispatchInvoke, dispatchStream, type Handlers } from './handlers.ts';
import { hostShell, hostShellEnv, type PtyOptions, type PtyProcess, type PtySpawner } from './host-shell.ts';
import { createHandlers } from './index.ts';
import { TerminalSessions } from './terminal.ts';

const endpoint = 'unix:///tmp/berth-host-shell-test.sock';

/** A pty that echoes what it is sent and records its size and how it was started. */
class FakePty implements PtyProcess {
  started?: { file: string; args: string[]; opts: PtyOptions };
  sizes: [number, number][] = [];
  killed = false;
  private data: ((d: string) => void)[] = [];
  private exit: ((e: { exitCode: number }) => void)[] = [];
  onData(l: (d: string) => void) {
    this.data.push(l);
  }
  onExit(l: (e: { exitCode: number }) => void) {
    this.exit.push(l);
  }
  write(d: string) {
    for (const l of this.data) l(`echo:${d}`);
  }
  resize(c: number, r: number) {
    this.sizes.push([c, r]);
  }
  kill() {
    this.killed = true;
  }
  exitWith(exitCode: number) {
    for (const l of this.exit) l({ exitCode });
  }
}

function withFake(): { handlers: Handlers; pty: FakePty } {
  const pty = new FakePty();
  const spawner: PtySpawner = async (file, args, opts) => {
    pty.started = { file, args, opts };
    return pty;
  };
  const terminals = new TerminalSessions(createEngineClient(endpoint), spawner);
  const handlers = createHandlers(createEngineClient(endpoint));
  return {
    handlers: {
      invoke: { ...handlers.invoke, ...terminals.invoke() },
      streams: { ...handlers.streams, ...terminals.streams() },
    },
    pty,
  };
}

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

  test('through the seam: ready, input, resize, exit ends the stream; unsubscribing kills it', async () => {
    const { handlers, pty } = withFake();
    const events: TerminalEvent[] = [];
    let ended = false;
    dispatchStream(handlers, 'terminal.host', { cols: 100, rows: 30 }, (m) => {
      if (m.type === 'event') events.push(m.event);
      else ended = true;
    });
    const ready = (await eventually(() => events.find((e) => e.type === 'ready')))!;
    assert.equal(pty.started?.opts.env.DOCKER_HOST, endpoint);
    assert.deepEqual([pty.started?.opts.cols, pty.started?.opts.rows], [100, 30]);
    const session = ready.type === 'ready' ? ready.session : '';
    assert.ok((await dispatchInvoke(handlers, 'terminal.input', { session, data: 'ls\r' })).ok);
    assert.deepEqual(events.at(-1), { type: 'data', data: 'echo:ls\r' });
    assert.ok((await dispatchInvoke(handlers, 'terminal.resize', { session, cols: 120, rows: 40 })).ok);
    assert.deepEqual(pty.sizes, [[120, 40]]);
    const bad = await dispatchInvoke(handlers, 'terminal.resize', { session, cols: 0, rows: 40 });
    assert.equal(bad.ok, false);
    pty.exitWith(0);
    await eventually(() => ended, 2000, 'the stream ends with the shell');
    const after = await dispatchInvoke(handlers, 'terminal.input', { session, data: 'x' });
    assert.equal(after.ok, false, 'the session is gone');

    const second = withFake();
    const stop = dispatchStream(second.handlers, 'terminal.host', {}, () => undefined);
    await eventually(() => second.pty.started);
    await new Promise((r) => setImmediate(r));
    stop();
    assert.ok(second.pty.killed);
  });

  test('the real pty: `echo $DOCKER_HOST` prints the engine endpoint', async () => {
    const handlers = createHandlers(createEngineClient(endpoint));
    let session = '';
    let out = '';
    const stop = dispatchStream(handlers, 'terminal.host', { cols: 80, rows: 24 }, (m) => {
      if (m.type !== 'event') return;
      if (m.event.type === 'ready') session = m.event.session;
      else out += m.event.data;
    });
    try {
      await eventually(() => session, 10_000, 'shell ready');
      assert.ok((await dispatchInvoke(handlers, 'terminal.resize', { session, cols: 90, rows: 20 })).ok);
      assert.ok(
        (await dispatchInvoke(handlers, 'terminal.input', { session, data: 'echo "[$DOCKER_HOST]"\r' })).ok,
      );
      await eventually(() => out.includes(`[${endpoint}]`), 10_000, `the endpoint in ${JSON.stringify(out)}`);
      assert.ok((await dispatchInvoke(handlers, 'terminal.input', { session, data: 'stty size\r' })).ok);
      await eventually(() => /\b20 90\b/.test(out), 10_000, `the new size in ${JSON.stringify(out)}`);
    } finally {
      stop();
    }
  });
});
