// seqpacket.c against upstream's binding, both under node-unix-socket's own JavaScript: compiled
// here for the host (as the image builder compiles it for the guest), it must tell the same story
// as the Rust binding npm installed, whichever side of a connection each one holds.
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compileSeqpacketBinding } from '../addons.ts';
import { repoRoot } from '../build.ts';
import { processRunner } from '../run.ts';

interface SeqpacketSocket {
  on(event: string, cb: (...args: never[]) => void): void;
  connect(path: string, cb?: () => void): void;
  write(buf: Buffer, offset?: number, length?: number, cb?: () => void): void;
  end(cb?: () => void): void;
  destroy(): void;
}
interface Impl {
  name: string;
  SeqpacketServer: new () => {
    on(event: 'connection', cb: (s: SeqpacketSocket) => void): void;
    listen(path: string): void;
    address(): string;
    close(): void;
  };
  SeqpacketSocket: new () => SeqpacketSocket;
}

const nodeDir = path.resolve(path.dirname(process.execPath), '..');
const skip =
  process.platform !== 'linux'
    ? 'SOCK_SEQPACKET sockets are Linux'
    : !existsSync(path.join(nodeDir, 'include/node/node_api.h'))
      ? `no Node headers beside ${process.execPath}`
      : false;

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-seqpacket-'));
const upstreamModules = path.join(repoRoot, 'node_modules');
let impls: Impl[] = [];

before(async () => {
  if (skip) return;
  // node-unix-socket as npm installed it, with our binding as the local file its loader prefers.
  const ours = path.join(tmp, 'node_modules/node-unix-socket');
  await fs.cp(path.join(upstreamModules, 'node-unix-socket'), ours, { recursive: true });
  const binding = path.join(ours, `node-unix-socket.linux-${process.arch}-gnu.node`);
  await compileSeqpacketBinding(processRunner, 'gcc', nodeDir, binding);
  const load = (dir: string, name: string): Impl => ({
    name,
    ...(createRequire(path.join(dir, 'x.js'))('node-unix-socket') as Omit<Impl, 'name'>),
  });
  impls = [load(path.join(tmp, 'node_modules'), 'seqpacket.c'), load(upstreamModules, 'upstream')];
});

after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

let n = 0;
const sockPath = () => path.join(tmp, `s${++n}.sock`);

/** A whole conversation, as each side saw it: packets both ways, half-closes, write callbacks. */
async function conversation(server: Impl, client: Impl): Promise<{ client: string[]; server: string[] }> {
  const log = { client: [] as string[], server: [] as string[] };
  const srv = new server.SeqpacketServer();
  let closed = 0;
  const done = new Promise<void>((resolve) => {
    const one = () => {
      if (++closed === 2) resolve();
    };
    srv.on('connection', (sock) => {
      log.server.push('connection');
      sock.on('data', (b: Buffer) => {
        log.server.push(`data ${b.length} ${b.subarray(0, 6).toString('hex')}`);
        if (b.toString() !== 'bye') return;
        sock.write(Buffer.from('reply one'));
        sock.write(Buffer.from('reply two'), 0, 9, () => log.server.push('written'));
        sock.end();
      });
      sock.on('end', () => log.server.push('end'));
      sock.on('close', () => {
        log.server.push('close');
        one();
      });
    });
    const p = sockPath();
    srv.listen(p);
    assert.equal(srv.address(), p);
    const c = new client.SeqpacketSocket();
    c.on('data', (b: Buffer) => log.client.push(`data ${b.toString()}`));
    c.on('end', () => log.client.push('end'));
    c.on('close', () => {
      log.client.push('close');
      one();
    });
    c.connect(p, () => {
      log.client.push('connect');
      c.write(Buffer.from('hello'));
      c.write(Buffer.alloc(100_000, 7));
      c.write(Buffer.from('xxbyexx'), 2, 3);
      c.end(() => log.client.push('shutdown'));
      assert.throws(() => c.write(Buffer.from('late')), /socket has been shutdown/);
    });
  });
  await done;
  srv.close();
  return log;
}

test('a conversation reads the same with seqpacket.c on either side as with upstream on both', {
  skip,
}, async () => {
  const [ours, upstream] = impls;
  const reference = await conversation(upstream, upstream);
  assert.deepEqual(reference.client, [
    'connect',
    'shutdown',
    'data reply one',
    'data reply two',
    // node-unix-socket's own 'end' listener, registered first, closes the socket.
    'close',
    'end',
  ]);
  assert.equal(reference.server.filter((l) => l.startsWith('data')).length, 3);
  for (const [server, client] of [
    [ours, ours],
    [ours, upstream],
    [upstream, ours],
  ]) {
    assert.deepEqual(await conversation(server, client), reference, `${server.name} ↔ ${client.name}`);
  }
});

test('packets past the socket buffer are queued, written as it drains, and arrive whole and in order', {
  skip,
}, async () => {
  for (const [server, client] of [
    [impls[1], impls[0]],
    [impls[0], impls[1]],
  ]) {
    const srv = new server.SeqpacketServer();
    const got: number[] = [];
    let bytes = 0;
    const p = sockPath();
    const received = new Promise<void>((resolve) =>
      srv.on('connection', (sock) => {
        sock.on('data', (b: Buffer) => {
          got.push(b.readUInt32BE(0));
          bytes += b.length;
        });
        sock.on('end', () => {
          sock.destroy();
          resolve();
        });
      }),
    );
    srv.listen(p);
    const c = new client.SeqpacketSocket();
    let callbacks = 0;
    c.connect(p, () => {
      for (let i = 0; i < 3000; i++) {
        const b = Buffer.alloc(1000, i % 251);
        b.writeUInt32BE(i, 0);
        c.write(b, 0, b.length, () => callbacks++);
      }
      c.end();
    });
    await received;
    c.destroy();
    srv.close();
    assert.equal(got.length, 3000, `${client.name} → ${server.name}`);
    assert.deepEqual(
      got,
      got.map((_, i) => i),
    );
    assert.equal(bytes, 3_000_000);
    assert.equal(callbacks, 3000);
  }
});

test('connecting to no server throws what upstream throws, and closes the socket', { skip }, () => {
  const seen = impls.map((impl) => {
    const c = new impl.SeqpacketSocket();
    const events: string[] = [];
    c.on('close', () => events.push('close'));
    let message = '';
    try {
      c.connect(path.join(tmp, 'nobody.sock'));
    } catch (err) {
      message = (err as Error).message;
    }
    return { message, events };
  });
  assert.deepEqual(seen[0], { message: 'No such file or directory', events: ['close'] });
  assert.deepEqual(seen[0], seen[1]);
});
