import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import zlib from 'node:zlib';
import {
  type ControlFrame,
  decodeControl,
  decodeHeaderBlock,
  encodeData,
  encodeGoAway,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  encodeSynStream,
  HeaderCompressor,
  HeaderDecompressor,
  type RawFrame,
  SpdyFrameParser,
} from './spdy.ts';
import { spdyDictionary } from './spdy-dictionary.ts';
import { SpdyPortForwardSession } from './spdy-portforward.ts';

const control = (bytes: Buffer): ControlFrame => {
  const [f] = new SpdyFrameParser().push(bytes);
  assert.ok(f.control);
  return decodeControl(f as Extract<RawFrame, { control: true }>);
};

test('frames encode and decode (SPDY/3 layout: control bit, version 3, 24-bit length)', () => {
  const cases: { bytes: Buffer; want: ControlFrame }[] = [
    { bytes: encodePing(7), want: { type: 'ping', id: 7 } },
    { bytes: encodeRstStream(5, 5), want: { type: 'rstStream', streamId: 5, status: 5 } },
    { bytes: encodeGoAway(9, 0), want: { type: 'goAway', lastGoodStreamId: 9, status: 0 } },
    {
      bytes: encodeSynReply(3, Buffer.from('hdrs'), true),
      want: { type: 'synReply', streamId: 3, flags: 1, headerBlock: Buffer.from('hdrs') },
    },
    {
      bytes: encodeSynStream(1, Buffer.from('h'), { priority: 2, flags: 2 }),
      want: {
        type: 'synStream',
        streamId: 1,
        associatedTo: 0,
        priority: 2,
        flags: 2,
        headerBlock: Buffer.from('h'),
      },
    },
  ];
  for (const c of cases) {
    assert.equal(c.bytes.readUInt16BE(0), 0x8003, c.want.type);
    assert.deepEqual(control(c.bytes), c.want);
  }
  // A PING byte for byte: 80 03 00 06, flags 0, length 4, id.
  assert.deepEqual(encodePing(1), Buffer.from([0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1]));
  // Data frames: stream id without the control bit, FIN in the flags byte; split input reassembles.
  const wire = Buffer.concat([encodeData(5, Buffer.from('abc')), encodeData(5, Buffer.alloc(0), true)]);
  const parser = new SpdyFrameParser();
  const frames = [...wire].flatMap((b) => parser.push(Buffer.from([b])));
  assert.deepEqual(frames, [
    { control: false, streamId: 5, flags: 0, data: Buffer.from('abc') },
    { control: false, streamId: 5, flags: 1, data: Buffer.alloc(0) },
  ]);
});

test('header blocks: 32-bit counts and lengths, lower-case names, values split at NUL', () => {
  const block = encodeHeaderBlock({ StreamType: ['data'], port: ['80'], multi: ['a', 'b'] });
  assert.equal(block.readUInt32BE(0), 3);
  assert.deepEqual(decodeHeaderBlock(block), { streamtype: ['data'], port: ['80'], multi: ['a', 'b'] });
  const upper = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]), Buffer.from('X'), Buffer.alloc(4)]);
  assert.throws(() => decodeHeaderBlock(upper), /not lower case/);
  assert.throws(() => decodeHeaderBlock(Buffer.from([0, 0, 0, 2])), /truncated/);
});

/** zlib's Adler-32, to check the dictionary id in the stream header. */
function adler32(b: Buffer): number {
  let a = 1;
  let s = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

test('header compression: one zlib stream per direction, primed with the SPDY/3 dictionary', async () => {
  assert.equal(spdyDictionary.length, 1423);
  const c = new HeaderCompressor();
  const d = new HeaderDecompressor();
  const first = await c.compress({ streamtype: ['error'], port: ['8080'], requestid: ['0'] });
  // The zlib header says a preset dictionary (FDICT) and names ours by its Adler-32.
  assert.equal(first[1] & 0x20, 0x20);
  assert.equal(first.readUInt32BE(2), adler32(spdyDictionary));
  // Sync-flushed: the block alone decodes, with the dictionary (and not without it).
  const alone = zlib.inflateSync(first, {
    dictionary: spdyDictionary,
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
  });
  assert.deepEqual(decodeHeaderBlock(alone), { streamtype: ['error'], port: ['8080'], requestid: ['0'] });
  assert.throws(() => zlib.inflateSync(first, { finishFlush: zlib.constants.Z_SYNC_FLUSH }));
  // Later blocks continue the same stream (no new zlib header) and refer back to earlier ones.
  const second = await c.compress({ streamtype: ['data'], port: ['8080'], requestid: ['0'] });
  assert.notEqual(second[0], 0x78);
  assert.ok(second.length < first.length);
  assert.deepEqual(await d.decompress(first), { streamtype: ['error'], port: ['8080'], requestid: ['0'] });
  assert.deepEqual(await d.decompress(second), { streamtype: ['data'], port: ['8080'], requestid: ['0'] });
  const empty = await c.compress({});
  assert.deepEqual(await d.decompress(empty), {});
  c.close();
  d.close();
});

/** A session driven as kubectl drives it, frame by frame, against a TCP echo server. */
test('a port-forward session: replies, pairs streams by requestID, forwards bytes, ends with FIN', async () => {
  const server = net.createServer((sock) => {
    sock.on('data', (b) => sock.write(Buffer.concat([Buffer.from('echo:'), b])));
    sock.on('end', () => sock.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const written: Buffer[] = [];
  let wake: () => void = () => undefined;
  let closed = false;
  const session = new SpdyPortForwardSession(
    {
      write: (b) => {
        written.push(b);
        wake();
        return true;
      },
      drain: async () => undefined,
      pause: () => undefined,
      resume: () => undefined,
      close: () => {
        closed = true;
      },
    },
    (p) =>
      new Promise((resolve, reject) => {
        const s = net.connect(p, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      }),
    (p, err) => `error forwarding port ${p}: ${err.message}`,
  );
  const client = new HeaderCompressor();
  const reader = new HeaderDecompressor();
  const parser = new SpdyFrameParser();
  const received: RawFrame[] = [];
  const until = async (done: () => boolean) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      for (const b of written.splice(0)) received.push(...parser.push(b));
      if (done()) return;
      if (Date.now() > deadline) throw new Error(`frames so far: ${JSON.stringify(received)}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    }
  };
  const headers = (type: string, p: number, id: string) => ({
    streamtype: [type],
    port: [String(p)],
    requestid: [id],
  });
  try {
    session.receive(encodeSynStream(1, await client.compress(headers('error', port, '0'))));
    session.receive(encodeData(1, Buffer.alloc(0), true));
    session.receive(encodeSynStream(3, await client.compress(headers('data', port, '0'))));
    session.receive(encodeData(3, Buffer.from('hello')));
    session.receive(encodePing(1));
    await until(() => received.some((f) => !f.control && f.streamId === 3 && f.data.length > 0));
    const replies = received.filter((f) => f.control && f.type === 2);
    assert.equal(replies.length, 2);
    for (const r of replies) {
      const reply = decodeControl(r as Extract<RawFrame, { control: true }>);
      assert.equal(reply.type, 'synReply');
      if (reply.type === 'synReply') assert.deepEqual(await reader.decompress(reply.headerBlock), {});
    }
    assert.ok(
      received.some((f) => f.control && f.type === 6),
      'the ping came back',
    );
    const echoed = received
      .filter((f) => !f.control && f.streamId === 3)
      .map((f) => (f as { data: Buffer }).data);
    assert.equal(Buffer.concat(echoed).toString(), 'echo:hello');
    // The client's FIN half-closes the pod connection; the pod's end FINs both streams.
    session.receive(encodeData(3, Buffer.alloc(0), true));
    const fin = (id: number) => received.some((f) => !f.control && f.streamId === id && f.flags & 1);
    await until(() => fin(1) && fin(3));
    // A second connection to a closed port: the error stream says why, then both streams end.
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as net.AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    session.receive(encodeSynStream(5, await client.compress(headers('error', deadPort, '1'))));
    session.receive(encodeSynStream(7, await client.compress(headers('data', deadPort, '1'))));
    await until(() => fin(5) && fin(7));
    const errorText = received
      .filter((f) => !f.control && f.streamId === 5)
      .map((f) => (f as { data: Buffer }).data.toString())
      .join('');
    assert.match(errorText, new RegExp(`error forwarding port ${deadPort}: .*ECONNREFUSED`));
    assert.equal(closed, false);
  } finally {
    session.close();
    client.close();
    reader.close();
    server.close();
  }
});
