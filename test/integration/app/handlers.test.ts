// The handler modules against a real berthd on a temporary root and socket.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EventPayload, StreamMessage } from '../../../electron/contract/index.ts';
import { batchLines } from '../../../electron/main/containers/log-lines.ts';
import {
  createEngineClient,
  createHandlers,
  dispatchInvoke,
  dispatchStream,
  type Handlers,
} from '../../../electron/main/index.ts';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../../conformance/harness.ts';

describe('handlers against berthd', () => {
  let daemon: Daemon;
  let h: Handlers;
  before(async () => {
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    h = createHandlers(createEngineClient(daemon.host));
  });
  after(async () => {
    if (daemon) await stopDaemon(daemon);
  });

  test('engine.info reports the engine', async () => {
    const r = await dispatchInvoke(h, 'engine.info', undefined);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.endpoint, daemon.host);
    assert.ok(r.value.version.length > 0);
    assert.ok(r.value.images >= 1);
  });

  test('an unreachable engine is an `unreachable` error, not a crash', async () => {
    const dead = createHandlers(createEngineClient('unix:///tmp/berth-no-such.sock'));
    const r = await dispatchInvoke(dead, 'engine.info', undefined);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.kind, 'unreachable');
  });

  test('images.list shows busybox', async () => {
    const r = await dispatchInvoke(h, 'images.list', undefined);
    assert.ok(r.ok);
    assert.ok(r.value.some((i) => i.tags.includes('busybox:latest')));
  });

  test('run, list, stop, start, restart, pause, unpause, inspect, remove', async () => {
    const run = await dispatchInvoke(h, 'containers.run', {
      image: 'busybox',
      name: 'unit-web',
      cmd: ['sleep', '300'],
      env: ['GREETING=hello'],
    });
    assert.ok(run.ok, JSON.stringify(run));
    const id = run.value.id;
    const state = async () => {
      const l = await dispatchInvoke(h, 'containers.list', { all: true });
      assert.ok(l.ok);
      return l.value.find((c) => c.id === id);
    };
    assert.equal((await state())?.name, 'unit-web');
    assert.equal((await state())?.state, 'running');
    const insp = await dispatchInvoke(h, 'containers.inspect', { id });
    assert.ok(insp.ok);
    const config = insp.value.Config as { Env: string[] };
    assert.ok(config.Env.includes('GREETING=hello'));
    assert.ok((await dispatchInvoke(h, 'containers.pause', { id })).ok);
    assert.equal((await state())?.state, 'paused');
    assert.ok((await dispatchInvoke(h, 'containers.unpause', { id })).ok);
    assert.ok((await dispatchInvoke(h, 'containers.stop', { id, timeoutSeconds: 1 })).ok);
    assert.equal((await state())?.state, 'exited');
    assert.ok((await dispatchInvoke(h, 'containers.start', { id })).ok);
    assert.ok((await dispatchInvoke(h, 'containers.restart', { id, timeoutSeconds: 1 })).ok);
    assert.equal((await state())?.state, 'running');
    const busy = await dispatchInvoke(h, 'images.remove', { id: 'busybox:latest' });
    assert.equal(busy.ok, false, 'an image in use is not removed without force');
    assert.ok((await dispatchInvoke(h, 'containers.remove', { id, force: true })).ok);
    assert.equal(await state(), undefined);
    const gone = await dispatchInvoke(h, 'containers.inspect', { id });
    assert.equal(gone.ok, false);
    if (!gone.ok) assert.equal(gone.error.kind, 'not_found');
  });

  test('run publishes the requested ports', async () => {
    const hostPort = 20000 + Math.floor(Math.random() * 20000);
    const run = await dispatchInvoke(h, 'containers.run', {
      image: 'busybox',
      cmd: ['sleep', '300'],
      ports: [{ containerPort: 80, hostPort }],
    });
    assert.ok(run.ok, JSON.stringify(run));
    const insp = await dispatchInvoke(h, 'containers.inspect', { id: run.value.id });
    assert.ok(insp.ok);
    const hc = insp.value.HostConfig as { PortBindings: Record<string, { HostPort: string }[]> };
    assert.equal(hc.PortBindings['80/tcp']?.[0]?.HostPort, String(hostPort));
    await dispatchInvoke(h, 'containers.remove', { id: run.value.id, force: true });
  });

  test('run rejects bad input before the engine sees it', async () => {
    const r = await dispatchInvoke(h, 'containers.run', { image: 'busybox', env: ['NOEQUALS'] });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'run.bad_env');
    const n = await dispatchInvoke(h, 'containers.run', { image: 'no-such-image:nope' });
    assert.equal(n.ok, false);
    if (!n.ok) assert.equal(n.error.kind, 'not_found');
  });

  test('containers.logs follows new lines as they arrive', async () => {
    const run = await dispatchInvoke(h, 'containers.run', {
      image: 'busybox',
      cmd: ['sh', '-c', 'i=0; while true; do echo line-$i; i=$((i+1)); sleep 0.2; done'],
    });
    assert.ok(run.ok);
    const got: string[] = [];
    const msgs: StreamMessage<'containers.logs'>[] = [];
    const stop = dispatchStream(
      h,
      'containers.logs',
      { id: run.value.id, follow: true, timestamps: true },
      (m) => {
        msgs.push(m);
        if (m.type === 'event') for (const l of batchLines(m.event)) got.push(l.text);
      },
    );
    await eventually(() => got.some((l) => l.endsWith(' line-5')), 15_000, 'line-5 in followed logs');
    assert.match(got[0], /^\d{4}-\d\d-\d\dT\S+ line-0$/, 'each line starts with its timestamp');
    stop();
    assert.deepEqual(msgs.at(-1), { type: 'end' });
    await dispatchInvoke(h, 'containers.remove', { id: run.value.id, force: true });
  });

  test('containers.logs of a finished container: every line in order, stderr marked, in batches', async () => {
    const r = daemon.docker([
      'run',
      '--name',
      'unit-many-lines',
      'busybox',
      'sh',
      '-c',
      'seq 1 50000; echo oops >&2; echo done',
    ]);
    assert.equal(r.code, 0, r.stderr);
    for (const follow of [false, true]) {
      const lines: { stream: string; text: string }[] = [];
      let batches = 0;
      const ended = new Promise<StreamMessage<'containers.logs'>>((resolve) => {
        dispatchStream(h, 'containers.logs', { id: 'unit-many-lines', follow, tail: 100_000 }, (m) => {
          if (m.type === 'end') return resolve(m);
          batches++;
          lines.push(...batchLines(m.event));
        });
      });
      assert.deepEqual(await ended, { type: 'end' });
      assert.equal(lines.length, 50_002, `follow=${follow}`);
      // stdout and stderr are two pipes: conmon may read the stderr line before the last stdout lines.
      const out = lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
      assert.equal(out.length, 50_001);
      assert.equal(out[0], '1');
      assert.equal(out[49_999], '50000');
      assert.equal(out[50_000], 'done');
      assert.ok(
        out.slice(0, 50_000).every((t, i) => t === String(i + 1)),
        'stdout lines in order',
      );
      assert.deepEqual(
        lines.filter((l) => l.stream === 'stderr'),
        [{ stream: 'stderr', text: 'oops' }],
      );
      assert.ok(batches < 100, `${batches} batches for 50,002 lines`);
    }
    daemon.docker(['rm', '-f', 'unit-many-lines']);
  });

  test('containers.logs since: only the lines from then on; a malformed time is refused', async () => {
    const r = daemon.docker([
      'run',
      '--name',
      'unit-since',
      'busybox',
      'sh',
      '-c',
      'echo before; sleep 1; echo after',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const stamped = daemon.docker(['logs', '-t', 'unit-since']).stdout.trim().split('\n');
    const [sec, frac] = /^(\S+?)(?:\.(\d+))?Z before$/.exec(stamped[0])?.slice(1) ?? [];
    // A nanosecond after the first line, as Docker's unix seconds.
    const ns = BigInt(Date.parse(`${sec}Z`)) * 1_000_000n + BigInt((frac ?? '').padEnd(9, '0')) + 1n;
    const since = `${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
    const lines = async (req: { since: string }) => {
      const got: string[] = [];
      const end = await new Promise<StreamMessage<'containers.logs'>>((resolve) => {
        dispatchStream(h, 'containers.logs', { id: 'unit-since', follow: false, ...req }, (m) => {
          if (m.type === 'end') resolve(m);
          else for (const l of batchLines(m.event)) got.push(l.text);
        });
      });
      return { got, end };
    };
    assert.deepEqual((await lines({ since })).got, ['after']);
    const bad = await lines({ since: 'yesterday' });
    assert.equal(bad.end.type === 'end' && bad.end.error?.code, 'logs.bad_since');
    daemon.docker(['rm', '-f', 'unit-since']);
  });

  test('terminal: open an exec session, echo hi comes back, resize works, unknown sessions fail', async () => {
    const run = await dispatchInvoke(h, 'containers.run', { image: 'busybox', cmd: ['sleep', '300'] });
    assert.ok(run.ok);
    const opened = await dispatchInvoke(h, 'terminal.open', {
      target: { kind: 'container', id: run.value.id },
      cols: 80,
      rows: 24,
    });
    assert.ok(opened.ok, JSON.stringify(opened));
    const session = opened.value.id;
    let out = '';
    const stop = dispatchStream(h, 'terminal.attach', { session }, (m) => {
      if (m.type !== 'event') return;
      const e: EventPayload<'terminal.attach'> = m.event;
      if (e.type !== 'exit') out += e.data;
    });
    const rz = await dispatchInvoke(h, 'terminal.resize', { session, cols: 100, rows: 30 });
    assert.ok(rz.ok, JSON.stringify(rz));
    assert.ok((await dispatchInvoke(h, 'terminal.input', { session, data: 'echo h""i\r' })).ok);
    await eventually(
      () => /(^|\n)hi\r?\n/.test(out),
      10_000,
      `hi in terminal output (${JSON.stringify(out)})`,
    );
    stop();
    assert.ok((await dispatchInvoke(h, 'terminal.close', { session })).ok);
    const bad = await dispatchInvoke(h, 'terminal.input', { session: 'nope', data: 'x' });
    assert.equal(bad.ok, false);
    await dispatchInvoke(h, 'containers.remove', { id: run.value.id, force: true });
  });
});
