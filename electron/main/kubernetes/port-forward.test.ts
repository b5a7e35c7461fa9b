import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import type { PortForwardView } from '../../contract/index.ts';
import { type ForwardBackend, PortForwards } from './port-forward.ts';
import { choosePod, targetPortOf } from './port-forward-backend.ts';

/** A "pod": a TCP server on 127.0.0.1 that answers `pong:<what it got>`. */
const podSockets = new Set<net.Socket>();
const pod = net.createServer((c) => {
  podSockets.add(c);
  c.on('close', () => podSockets.delete(c));
  c.on('data', (d) => c.write(`pong:${d}`));
});
await new Promise<void>((r) => pod.listen(0, '127.0.0.1', r));
const podPort = (pod.address() as net.AddressInfo).port;
// The tunnels of forwards a test stopped may still be open: the file ends only once they are closed.
after(() => {
  for (const c of podSockets) c.destroy();
  pod.close();
});

/**
 * Tunnels to the local "pod"; `gone` is how a test says its pod went away, `refuse` how it says that
 * the pod's port refuses connections (as the cluster says it, on the error channel).
 */
function backend() {
  let gone: (reason: string) => void = () => {};
  let watching = 0;
  const state = { refusing: false };
  const b: ForwardBackend = {
    async resolve(req) {
      if (req.name === 'missing') throw new Error('pods "missing" not found');
      return { pod: req.name, port: req.remotePort };
    },
    async connect(t, socket, failed) {
      if (state.refusing) {
        failed(`error forwarding port ${t.port} to pod ${t.pod}: connect: connection refused`);
        socket.end();
        return;
      }
      const up = net.connect(podPort, '127.0.0.1');
      socket.pipe(up).pipe(socket);
      up.on('error', () => socket.destroy());
    },
    watchPod(_t, onGone) {
      watching++;
      gone = onGone;
      return () => {
        watching--;
      };
    },
  };
  return {
    b,
    gone: (r: string) => gone(r),
    watching: () => watching,
    refuse: (on: boolean) => {
      state.refusing = on;
    },
  };
}

async function ask(port: number, what: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('data', (d) => {
      c.end();
      resolve(String(d));
    });
    c.on('error', reject);
    c.write(what);
  });
}

const req = { context: 'c', namespace: 'default', kind: 'pods' as const, name: 'web-1', remotePort: 80 };

test('a forward listens on a free local port, answers, is listed, and stops', async () => {
  const { b, watching } = backend();
  const pf = new PortForwards(b, () => new Date('2024-01-01T00:00:00Z'));
  const lists: PortForwardView[][] = [];
  const ctl = new AbortController();
  const following = pf.follow((l) => lists.push(l), ctl.signal);
  const v = await pf.start(req);
  assert.ok(v.localPort > 0);
  assert.equal(v.url, `http://127.0.0.1:${v.localPort}/`);
  assert.equal(v.target, 'pod/web-1');
  assert.equal(v.startedAt, '2024-01-01T00:00:00.000Z');
  assert.equal(await ask(v.localPort, 'ping'), 'pong:ping');
  assert.deepEqual(
    pf.list().map((f) => f.id),
    [v.id],
  );
  assert.equal(watching(), 1);
  await pf.stop(v.id);
  assert.deepEqual(pf.list(), []);
  assert.equal(watching(), 0, 'its pod is no longer watched');
  await assert.rejects(ask(v.localPort, 'ping'), /ECONNREFUSED/);
  ctl.abort();
  await following;
  assert.deepEqual(
    lists.map((l) => l.length),
    [0, 1, 0],
  );
});

test('a pod that goes away ends the forward, which stays listed with the reason', async () => {
  const { b, gone } = backend();
  const pf = new PortForwards(b);
  const v = await pf.start({ ...req, kind: 'services', name: 'web', localPort: 0 });
  assert.equal(v.target, 'service/web');
  gone('pod web-1 was deleted');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(pf.list()[0].error, 'pod web-1 was deleted');
  await assert.rejects(ask(v.localPort, 'ping'), /ECONNREFUSED/);
  await pf.stop(v.id);
  assert.deepEqual(pf.list(), []);
});

test('a connection the pod refuses is said on the forward, which goes on listening; one that works clears it', async () => {
  const { b, refuse } = backend();
  const pf = new PortForwards(b);
  const v = await pf.start(req);
  refuse(true);
  await new Promise<void>((resolve) =>
    net
      .connect(v.localPort, '127.0.0.1')
      .on('close', () => resolve())
      .resume(),
  );
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(pf.list()[0].lastError, 'error forwarding port 80 to pod web-1: connect: connection refused');
  assert.equal(pf.list()[0].error, undefined, 'the forward has not ended');
  refuse(false);
  assert.equal(await ask(v.localPort, 'ping'), 'pong:ping');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(pf.list()[0].lastError, undefined, 'a connection that worked clears it');
  await pf.stopAll();
});

test('a local port in use is a conflict; a bad request says what is wrong; nothing is listed', async () => {
  const { b } = backend();
  const pf = new PortForwards(b);
  const v = await pf.start(req);
  await assert.rejects(pf.start({ ...req, localPort: v.localPort }), /in use/);
  await assert.rejects(pf.start({ ...req, remotePort: 0 }), /remotePort/);
  await assert.rejects(pf.start({ ...req, name: 'missing' }), /not found/);
  assert.equal(pf.list().length, 1);
  await pf.stopAll();
  assert.deepEqual(pf.list(), []);
});

test("a service's pod: running and ready first, then the newest; its targetPort by number or name", () => {
  const p = (name: string, phase: string, readyNow: boolean, at: string, extra: object = {}) => ({
    metadata: { name, creationTimestamp: at, ...extra },
    spec: { containers: [{ ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase, conditions: [{ type: 'Ready', status: readyNow ? 'True' : 'False' }] },
  });
  const pods = [
    p('old-ready', 'Running', true, '2024-01-01T00:00:00Z'),
    p('new-unready', 'Running', false, '2024-01-03T00:00:00Z'),
    p('new-ready', 'Running', true, '2024-01-02T00:00:00Z'),
    p('pending', 'Pending', false, '2024-01-04T00:00:00Z'),
    p('going', 'Running', true, '2024-01-05T00:00:00Z', { deletionTimestamp: '2024-01-05T00:00:01Z' }),
  ];
  assert.equal(choosePod(pods)?.metadata.name, 'new-ready');
  assert.equal(choosePod([pods[3]]), undefined);
  const svc = {
    spec: {
      ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 9000 }, { port: 82 }],
    },
  };
  assert.equal(targetPortOf(svc, 80, pods[0]), 8080);
  assert.equal(targetPortOf(svc, 81, pods[0]), 9000);
  assert.equal(targetPortOf(svc, 82, pods[0]), 82);
  assert.throws(() => targetPortOf(svc, 99, pods[0]), /no TCP port 99/);
});
