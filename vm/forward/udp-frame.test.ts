import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PeerTable } from './udp-forward.ts';
import { encodeFrame, FrameDecoder, headerBytes, maxPayload } from './udp-frame.ts';

const relayScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'guest', 'udp-relay.mjs');

describe('UDP relay framing', () => {
  test('a frame is the peer id, the length, then the datagram', () => {
    const f = encodeFrame(0x01020304, Buffer.from('hi'));
    assert.deepEqual([...f], [1, 2, 3, 4, 0, 2, 0x68, 0x69]);
    assert.equal(headerBytes, 6);
  });

  test('frames come back whole however the stream cuts them', () => {
    const frames = [
      encodeFrame(1, Buffer.from('first')),
      encodeFrame(2, Buffer.alloc(0)),
      encodeFrame(0xffffffff, Buffer.alloc(maxPayload, 7)),
      encodeFrame(3, Buffer.from('last')),
    ];
    const stream = Buffer.concat(frames);
    for (const cut of [5, 6, 7, 1000, stream.length]) {
      const d = new FrameDecoder();
      const got = [];
      for (let i = 0; i < stream.length; i += cut) got.push(...d.push(stream.subarray(i, i + cut)));
      assert.deepEqual(
        got.map((f) => [f.peer, f.payload.length, f.payload.subarray(0, 5).toString()]),
        [
          [1, 5, 'first'],
          [2, 0, ''],
          [0xffffffff, maxPayload, '\x07\x07\x07\x07\x07'],
          [3, 4, 'last'],
        ],
        `cut every ${cut} bytes`,
      );
      assert.equal(d.buffered, 0);
    }
  });

  test('a datagram larger than UDP allows is refused', () => {
    assert.throws(() => encodeFrame(1, Buffer.alloc(maxPayload + 1)), RangeError);
  });
});

describe('peer table', () => {
  test('each client address gets its own id, kept while it talks', () => {
    const t = new PeerTable();
    const a = t.idFor('127.0.0.1', 5000, 0);
    const b = t.idFor('127.0.0.1', 5001, 0);
    assert.notEqual(a, b);
    assert.equal(t.idFor('127.0.0.1', 5000, 10), a);
    assert.deepEqual(
      { address: t.peerOf(b, 10)?.address, port: t.peerOf(b, 10)?.port },
      { address: '127.0.0.1', port: 5001 },
    );
  });

  test('idle peers expire, and a returning client gets a new id', () => {
    const t = new PeerTable();
    const a = t.idFor('127.0.0.1', 5000, 0);
    const b = t.idFor('127.0.0.1', 5001, 0);
    t.peerOf(b, 50_000); // a reply to b counts as activity
    assert.deepEqual(t.expire(70_000, 60_000), [a]);
    assert.equal(t.peerOf(a, 70_000), undefined);
    assert.equal(t.size, 1);
    const again = t.idFor('127.0.0.1', 5000, 70_000);
    assert.notEqual(again, a);
  });
});

describe('the guest relay (guest/udp-relay.mjs, run as the guest runs it)', () => {
  test('relays each peer from a socket of its own and frames the replies with its id', async () => {
    // A UDP service that answers with what it got and the source port it saw.
    const svc = dgram.createSocket('udp4');
    svc.on('message', (m, r) => svc.send(Buffer.from(`${m}@${r.port}`), r.port, r.address));
    await new Promise<void>((r) => svc.bind(0, '127.0.0.1', r));
    const port = svc.address().port;
    const relay = spawn(process.execPath, [relayScript, String(port), '127.0.0.1'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      const d = new FrameDecoder();
      const replies = new Map<number, string>();
      const got = new Promise<void>((resolve) =>
        relay.stdout.on('data', (c: Buffer) => {
          for (const f of d.push(c)) replies.set(f.peer, f.payload.toString());
          if (replies.size === 2) resolve();
        }),
      );
      // Both frames in one write: the relay must split them.
      relay.stdin.write(Buffer.concat([encodeFrame(7, Buffer.from('a')), encodeFrame(9, Buffer.from('b'))]));
      await got;
      const [a, b] = [replies.get(7), replies.get(9)];
      assert.match(a ?? '', /^a@\d+$/);
      assert.match(b ?? '', /^b@\d+$/);
      assert.notEqual(a?.split('@')[1], b?.split('@')[1], 'two peers, two source ports');
      const exited = new Promise((r) => relay.once('exit', r));
      relay.stdin.end();
      assert.equal(await exited, 0, 'the relay ends when its channel does');
    } finally {
      relay.kill();
      svc.close();
    }
  });
});
