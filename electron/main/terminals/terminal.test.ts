// The session registry through its seams: a fake pty (PtySpawner) and a fake exec (ExecSpawner).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventually } from '../../../test/conformance/harness.ts';
import type { StreamMessage, TerminalEvent } from '../../contract/index.ts';
import { createEngineClient } from '../engine/engine-client.ts';
import { dispatchInvoke, dispatchStream, type Handlers } from '../ipc/handlers.ts';
import type { PtyOptions, PtyProcess, PtySpawner } from './host-shell.ts';
import { TerminalSessions } from './terminal.ts';
import type { ExecSpawner } from './terminal-exec.ts';
import { PidMarkerFilter } from './terminal-exec.ts';
import { Scrollback, type TerminalProcess } from './terminal-session.ts';

const endpoint = 'unix:///tmp/berth-terminal-test.sock';

/** A pty that echoes its input, records sizes, and exits when killed (as a hung-up shell does). */
class FakePty implements PtyProcess {
  started?: { file: string; opts: PtyOptions };
  sizes: [number, number][] = [];
  killed = 0;
  private data: ((d: string) => void)[] = [];
  private exit: ((e: { exitCode: number }) => void)[] = [];
  onData(l: (d: string) => void) {
    this.data.push(l);
  }
  onExit(l: (e: { exitCode: number }) => void) {
    this.exit.push(l);
  }
  write(d: string) {
    this.print(`echo:${d}`);
  }
  resize(c: number, r: number) {
    this.sizes.push([c, r]);
  }
  kill() {
    this.killed++;
    setImmediate(() => this.exitWith(129));
  }
  print(d: string) {
    for (const l of this.data) l(d);
  }
  exitWith(exitCode: number) {
    for (const l of this.exit.splice(0)) l({ exitCode });
  }
}

/** An exec in a container, as the registry sees one. */
class FakeExec implements TerminalProcess {
  input = '';
  killed = 0;
  private dataL: ((d: string) => void) | null = null;
  private exitL: ((c: number | null) => void) | null = null;
  onData(l: (d: string) => void) {
    this.dataL = l;
  }
  onExit(l: (c: number | null) => void) {
    this.exitL = l;
  }
  write(d: string) {
    this.input += d;
  }
  async resize() {}
  async kill() {
    this.killed++;
    this.exitL?.(129);
  }
  print(d: string) {
    this.dataL?.(d);
  }
  exitWith(code: number) {
    this.exitL?.(code);
  }
}

function setup(opts: { scrollbackLimit?: number } = {}) {
  const ptys: FakePty[] = [];
  const execs: { ref: string; cmd: string[]; size: { cols: number; rows: number }; exec: FakeExec }[] = [];
  const spawnPty: PtySpawner = async (file, _args, o) => {
    const pty = new FakePty();
    pty.started = { file, opts: o };
    ptys.push(pty);
    return pty;
  };
  const spawnExec: ExecSpawner = async (_docker, ref, cmd, size) => {
    if (ref === 'stopped') throw new Error('container stopped is not running');
    const exec = new FakeExec();
    execs.push({ ref, cmd, size, exec });
    return { process: exec, container: { id: `${ref}-id`, name: ref } };
  };
  const terminals = new TerminalSessions(createEngineClient(endpoint), {
    spawnPty,
    spawnExec,
    now: () => new Date('2024-05-01T10:00:00Z'),
    ...opts,
  });
  const handlers = {
    invoke: terminals.invoke(),
    streams: terminals.streams(),
  } as unknown as Handlers;
  return { terminals, handlers, ptys, execs };
}

/** Attaches a view; collects its events and whether (and how) its stream ended. */
function attach(handlers: Handlers, session: string) {
  const events: TerminalEvent[] = [];
  const view = { events, ended: false, error: '', text: () => '', detach: () => {} };
  view.text = () => events.map((e) => (e.type === 'exit' ? '' : e.data)).join('');
  view.detach = dispatchStream(
    handlers,
    'terminal.attach',
    { session },
    (m: StreamMessage<'terminal.attach'>) => {
      if (m.type === 'event') events.push(m.event);
      else {
        view.ended = true;
        view.error = m.error?.code ?? '';
      }
    },
  );
  return view;
}

async function open(handlers: Handlers, target: { kind: 'host' } | { kind: 'container'; id: string }) {
  const r = await dispatchInvoke(handlers, 'terminal.open', { target, cols: 100, rows: 30 });
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

describe('terminal sessions', () => {
  test('a host session outlives its view: detach, reattach with the scrollback, input and resize', async () => {
    const { handlers, ptys } = setup();
    const info = await open(handlers, { kind: 'host' });
    assert.equal(info.title, 'Host shell');
    assert.equal(info.kind, 'host');
    assert.equal(info.startedAt, '2024-05-01T10:00:00.000Z');
    const pty = ptys[0];
    assert.equal(pty.started?.opts.env.DOCKER_HOST, endpoint);
    assert.deepEqual([pty.started?.opts.cols, pty.started?.opts.rows], [100, 30]);
    // Output before any view attached is kept.
    pty.print('$ ');
    const first = attach(handlers, info.id);
    assert.deepEqual(first.events, [{ type: 'scrollback', data: '$ ' }]);
    assert.ok(
      (await dispatchInvoke(handlers, 'terminal.input', { session: info.id, data: 'export FOO=bar\r' })).ok,
    );
    assert.deepEqual(first.events.at(-1), { type: 'data', data: 'echo:export FOO=bar\r' });
    first.detach();
    assert.equal(first.ended, true);
    assert.equal(pty.killed, 0, 'detaching leaves the shell running');
    pty.print('\r\n$ ');
    const list = await dispatchInvoke(handlers, 'terminal.list', {});
    assert.ok(list.ok);
    assert.deepEqual(
      list.value.map((s) => s.id),
      [info.id],
    );
    const second = attach(handlers, info.id);
    assert.deepEqual(second.events, [{ type: 'scrollback', data: '$ echo:export FOO=bar\r\r\n$ ' }]);
    assert.ok(
      (await dispatchInvoke(handlers, 'terminal.resize', { session: info.id, cols: 120, rows: 40 })).ok,
    );
    assert.deepEqual(pty.sizes, [[120, 40]]);
    const bad = await dispatchInvoke(handlers, 'terminal.resize', { session: info.id, cols: 0, rows: 40 });
    assert.equal(bad.ok, false);
    second.detach();
  });

  test('two views of one session both get live output', async () => {
    const { handlers, ptys } = setup();
    const info = await open(handlers, { kind: 'host' });
    const a = attach(handlers, info.id);
    const b = attach(handlers, info.id);
    ptys[0].print('hello');
    assert.equal(a.text(), 'hello');
    assert.equal(b.text(), 'hello');
    a.detach();
    ptys[0].print(' again');
    assert.equal(a.text(), 'hello');
    assert.equal(b.text(), 'hello again');
    b.detach();
  });

  test('the blank lines a shell prints before its first output are not kept', async () => {
    const { handlers, execs } = setup();
    const info = await open(handlers, { kind: 'container', id: 'web' });
    const exec = execs[0].exec;
    exec.print('\r\n');
    exec.print('\r\nBusyBox v1.35.0 built-in shell (ash)\r\n\r\n/ # ');
    exec.print('\r\n\r\n');
    const view = attach(handlers, info.id);
    assert.equal(view.text(), 'BusyBox v1.35.0 built-in shell (ash)\r\n\r\n/ # \r\n\r\n');
    view.detach();
  });

  test('the scrollback keeps the last output, up to its limit', () => {
    const s = new Scrollback(100);
    for (let i = 0; i < 50; i++) s.push(`line ${String(i).padStart(2, '0')}\r\n`);
    const text = s.text();
    assert.ok(s.length <= 100, `${s.length} characters kept`);
    assert.ok(text.endsWith('line 49\r\n'));
    assert.ok(text.startsWith('line '), `a replay starts at a line: ${JSON.stringify(text)}`);
    assert.ok(!text.includes('line 30'), 'old lines are gone');
    // Many keystroke echoes, then one write larger than the limit: still bounded, still the tail.
    for (let i = 0; i < 2000; i++) s.push('x');
    s.push('y'.repeat(500));
    assert.equal(s.text(), 'y'.repeat(100));
  });

  test('the registry bounds each session’s scrollback', async () => {
    const { handlers, ptys } = setup({ scrollbackLimit: 64 });
    const info = await open(handlers, { kind: 'host' });
    for (let i = 0; i < 100; i++) ptys[0].print(`${i}\n`);
    const view = attach(handlers, info.id);
    const sent = view.events[0];
    assert.equal(sent.type, 'scrollback');
    assert.ok(sent.type === 'scrollback' && sent.data.length <= 64 && sent.data.endsWith('99\n'));
    view.detach();
  });

  test('close ends the process for real: the view gets the exit, the list loses the session', async () => {
    const { handlers, ptys } = setup();
    const info = await open(handlers, { kind: 'host' });
    const view = attach(handlers, info.id);
    const lists: string[][] = [];
    const stopWatch = dispatchStream(handlers, 'terminal.sessions', {}, (m) => {
      if (m.type === 'event') lists.push(m.event.map((s) => s.id));
    });
    assert.deepEqual(lists, [[info.id]]);
    const closed = await dispatchInvoke(handlers, 'terminal.close', { session: info.id });
    assert.ok(closed.ok, JSON.stringify(closed));
    assert.equal(ptys[0].killed, 1);
    assert.deepEqual(view.events.at(-1), { type: 'exit', exitCode: 129 });
    await eventually(() => view.ended, 2000, 'the view’s stream ends');
    assert.equal(view.error, '');
    assert.deepEqual(lists.at(-1), []);
    const after = await dispatchInvoke(handlers, 'terminal.input', { session: info.id, data: 'x' });
    assert.equal(after.ok, false);
    if (!after.ok) assert.equal(after.error.kind, 'not_found');
    const again = attach(handlers, info.id);
    await eventually(() => again.ended, 2000, 'attaching to a closed session fails');
    assert.equal(again.error, 'terminal.no_session');
    stopWatch();
  });

  test('a process that ends by itself ends its session, with its exit code', async () => {
    const { handlers, execs } = setup();
    const info = await open(handlers, { kind: 'container', id: 'web' });
    const view = attach(handlers, info.id);
    execs[0].exec.exitWith(137);
    assert.deepEqual(view.events.at(-1), { type: 'exit', exitCode: 137 });
    await eventually(() => view.ended, 2000, 'the view’s stream ends');
    const list = await dispatchInvoke(handlers, 'terminal.list', {});
    assert.ok(list.ok);
    assert.deepEqual(list.value, []);
  });

  test('container sessions: title, the default shell, the size, and lists by container id or name', async () => {
    const { handlers, execs } = setup();
    const web = await open(handlers, { kind: 'container', id: 'web' });
    const web2 = await open(handlers, { kind: 'container', id: 'web' });
    const db = await open(handlers, { kind: 'container', id: 'db' });
    assert.equal(web.title, 'web · /bin/sh');
    assert.equal(web2.title, 'web · /bin/sh (2)', 'two shells in one container are told apart');
    assert.deepEqual(web.container, { id: 'web-id', name: 'web' });
    assert.deepEqual(execs[0].cmd, ['/bin/sh']);
    assert.deepEqual(execs[0].size, { cols: 100, rows: 30 });
    for (const ref of ['web', 'web-id']) {
      const r = await dispatchInvoke(handlers, 'terminal.list', { container: ref });
      assert.ok(r.ok);
      assert.deepEqual(
        r.value.map((s) => s.id),
        [web.id, web2.id],
      );
    }
    const watched: string[][] = [];
    const stop = dispatchStream(handlers, 'terminal.sessions', { container: 'db' }, (m) => {
      if (m.type === 'event') watched.push(m.event.map((s) => s.id));
    });
    assert.deepEqual(watched, [[db.id]]);
    assert.ok((await dispatchInvoke(handlers, 'terminal.input', { session: db.id, data: 'ls\r' })).ok);
    assert.equal(execs[2].exec.input, 'ls\r');
    stop();
  });

  test('closeAll ends every session (the app quits) and refuses new ones', async () => {
    const { terminals, handlers, ptys, execs } = setup();
    await open(handlers, { kind: 'host' });
    await open(handlers, { kind: 'container', id: 'web' });
    await terminals.closeAll();
    assert.equal(ptys[0].killed, 1);
    assert.equal(execs[0].exec.killed, 1);
    assert.equal(terminals.size, 0);
    const r = await dispatchInvoke(handlers, 'terminal.open', { target: { kind: 'host' } });
    assert.equal(r.ok, false);
  });

  test('bad requests get clear errors and change nothing', async () => {
    const { handlers, terminals } = setup();
    const cases: unknown[] = [
      { target: { kind: 'vm' } },
      { target: { kind: 'container' } },
      { target: { kind: 'container', id: 'web', cmd: 'sh' } },
      {},
    ];
    for (const req of cases) {
      const r = await dispatchInvoke(handlers, 'terminal.open', req as never);
      assert.equal(r.ok, false, JSON.stringify(req));
      if (!r.ok) assert.equal(r.error.kind, 'invalid_argument');
    }
    const failed = await dispatchInvoke(handlers, 'terminal.open', {
      target: { kind: 'container', id: 'stopped' },
    });
    assert.equal(failed.ok, false);
    if (!failed.ok) assert.match(failed.error.message, /not running/);
    const close = await dispatchInvoke(handlers, 'terminal.close', { session: 'nope' });
    assert.equal(close.ok, false);
    if (!close.ok) assert.equal(close.error.kind, 'not_found');
    assert.equal(terminals.size, 0);
  });
});

describe('the exec wrapper’s pid marker', () => {
  test('is taken out of the output, even split across chunks', () => {
    const f = new PidMarkerFilter();
    assert.equal(f.take('\x1b]ber'), '');
    assert.equal(f.take('th-pid;4'), '');
    assert.equal(f.take('2\x07\r\n\r\nBusyBox'), '\r\n\r\nBusyBox');
    assert.equal(f.pid, 42);
    assert.equal(f.take('\x1b]berth-pid;7\x07'), '\x1b]berth-pid;7\x07', 'only the first one');
  });

  test('output without it passes through untouched', () => {
    const f = new PidMarkerFilter();
    assert.equal(f.take('OCI runtime exec failed'), 'OCI runtime exec failed');
    assert.equal(f.pid, null);
    const g = new PidMarkerFilter();
    assert.equal(g.take('\x1b]berth-pid;'), '');
    assert.equal(g.end(), '\x1b]berth-pid;', 'held back until the stream ended');
  });
});
