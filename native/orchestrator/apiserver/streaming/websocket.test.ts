import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { toApiError } from '../status.ts';
import {
  acceptKey,
  acceptWebSocket,
  CloseCode,
  checkHandshake,
  chooseProtocol,
  encodeFrame,
  type Frame,
  FrameParser,
  Opcode,
} from './websocket.ts';

test('Sec-WebSocket-Accept is RFC 6455’s (its own example)', () => {
  assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('the subprotocol is the first the client offers that the server speaks', () => {
  const supported = ['v5.channel.k8s.io', 'v4.channel.k8s.io', ''];
  assert.equal(chooseProtocol(['v4.channel.k8s.io', 'v5.channel.k8s.io'], supported), 'v4.channel.k8s.io');
  assert.equal(chooseProtocol(['x', 'v5.channel.k8s.io'], supported), 'v5.channel.k8s.io');
  assert.equal(chooseProtocol([], supported), '');
  assert.equal(chooseProtocol([], ['v5.channel.k8s.io']), undefined);
  assert.equal(chooseProtocol(['x'], supported), undefined);
});

const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

test('frames: lengths in 7, 16 and 64 bits, masked or not, round trip', () => {
  for (const len of [0, 1, 125, 126, 65535, 65536, 70000]) {
    const payload = Buffer.alloc(len, 'q');
    for (const m of [undefined, mask]) {
      const bytes = encodeFrame(Opcode.binary, payload, { mask: m, fin: len !== 1 });
      const header = len < 126 ? 2 : len < 65536 ? 4 : 10;
      assert.equal(bytes.length, header + (m ? 4 : 0) + len);
      const frames = new FrameParser({ requireMask: false, maxPayload: 1 << 20 }).push(bytes);
      assert.deepEqual(
        frames.map((f) => ({ ...f, payload: f.payload.length })),
        [{ fin: len !== 1, rsv: 0, opcode: Opcode.binary, masked: Boolean(m), payload: len }],
      );
      assert.ok(frames[0].payload.equals(payload));
    }
  }
  // RFC 6455 §5.7: a masked "Hello".
  const hello = Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
  assert.deepEqual(encodeFrame(Opcode.text, Buffer.from('Hello'), { mask }), hello);
  // Byte by byte, the parser waits for a whole frame.
  const p = new FrameParser({ requireMask: true, maxPayload: 100 });
  const got: Frame[] = [];
  for (const b of hello) got.push(...p.push(Buffer.from([b])));
  assert.equal(got.length, 1);
  assert.equal(got[0].payload.toString(), 'Hello');
});

test('malformed frames are protocol errors with the close code to send', () => {
  const cases: { name: string; bytes: Buffer; code: number }[] = [
    { name: 'unmasked client frame', bytes: encodeFrame(Opcode.binary, Buffer.from('x')), code: 1002 },
    { name: 'RSV bit', bytes: encodeFrame(Opcode.binary, Buffer.from('x'), { mask, rsv: 4 }), code: 1002 },
    { name: 'unknown opcode', bytes: encodeFrame(0x3, Buffer.from('x'), { mask }), code: 1002 },
    {
      name: 'fragmented ping',
      bytes: encodeFrame(Opcode.ping, Buffer.alloc(1), { mask, fin: false }),
      code: 1002,
    },
    { name: 'long ping', bytes: encodeFrame(Opcode.ping, Buffer.alloc(126), { mask }), code: 1002 },
    { name: 'too big', bytes: encodeFrame(Opcode.binary, Buffer.alloc(2000), { mask }), code: 1009 },
  ];
  for (const c of cases)
    assert.throws(
      () => new FrameParser({ requireMask: true, maxPayload: 1024 }).push(c.bytes),
      (err: Error & { code?: number }) => err.code === c.code,
      c.name,
    );
});

// A server speaking through checkHandshake/acceptWebSocket: it echoes each message on the same
// opcode, prefixed with the protocol chosen, and records how connections closed.
let server: http.Server;
let port: number;
const closes: { code: number; reason: string }[] = [];
before(async () => {
  server = http.createServer((_req, res) => res.end());
  server.on('upgrade', (req, socket, head) => {
    try {
      const protocol = checkHandshake(req, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
      const ws = acceptWebSocket(req, socket, head, protocol, { maxMessage: 4096, closeTimeoutMs: 500 });
      ws.onMessage = (data, binary) => {
        if (data.toString() === 'close please') ws.close(4001, 'asked');
        else ws.send(Buffer.concat([Buffer.from(`${protocol}:`), data]), binary);
      };
      ws.onClose = (info) => closes.push(info);
    } catch (err) {
      const e = toApiError(err);
      const body = JSON.stringify(e.toStatus());
      socket.end(`HTTP/1.1 ${e.code} X\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const open = (protocols: string[]) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, protocols);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

test('with a real client (ws): protocol choice, binary and text echo, fragments, ping, close codes', async () => {
  const ws = await open(['v4.channel.k8s.io', 'v5.channel.k8s.io']);
  assert.equal(ws.protocol, 'v4.channel.k8s.io');
  const messages: { data: string; binary: boolean }[] = [];
  ws.on('message', (data, binary) => messages.push({ data: String(data), binary }));
  ws.send(Buffer.from('bin'));
  ws.send('text');
  // One message in three fragments.
  ws.send('a', { fin: false });
  ws.send('b', { fin: false });
  ws.send('c', { fin: true });
  const pong = new Promise<string>((r) => ws.once('pong', (d) => r(String(d))));
  ws.ping('p1');
  assert.equal(await pong, 'p1');
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  ws.send('close please');
  assert.equal(await closed, 4001);
  assert.deepEqual(messages, [
    { data: 'v4.channel.k8s.io:bin', binary: true },
    { data: 'v4.channel.k8s.io:text', binary: false },
    { data: 'v4.channel.k8s.io:abc', binary: false },
  ]);
  // The client closing: its code comes back and the server saw it.
  const ws2 = await open(['v5.channel.k8s.io']);
  const echoed = new Promise<number>((r) => ws2.once('close', (code) => r(code)));
  ws2.close(1000, 'bye');
  assert.equal(await echoed, 1000);
  assert.deepEqual(closes.at(-1), { code: 1000, reason: 'bye' });
});

/** A raw client: the handshake by hand, then frames as given; resolves with what came back. */
function raw(headers: Record<string, string>, frames: Buffer[] = []): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    s.on('data', (c) => got.push(c));
    s.on('close', () => resolve(Buffer.concat(got)));
    s.on('error', reject);
    const lines = Object.entries({
      Host: 'x',
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Protocol': 'v5.channel.k8s.io',
      ...headers,
    })
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}: ${v}`);
    s.write(`GET / HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
    for (const f of frames) s.write(f);
    setTimeout(() => s.destroy(), 1500);
  });
}

const closeCodeIn = (bytes: Buffer) => {
  const at = bytes.indexOf('\r\n\r\n') + 4;
  const frames = new FrameParser({ requireMask: false, maxPayload: 1 << 20 }).push(bytes.subarray(at));
  const close = frames.find((f) => f.opcode === Opcode.close);
  return close?.payload.readUInt16BE(0);
};

test('the handshake: 101 with the accept key and protocol; refusals are Status responses', async () => {
  const ok = (await raw({})).toString('latin1');
  assert.match(ok, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(ok, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
  assert.match(ok, /\r\nSec-WebSocket-Protocol: v5\.channel\.k8s\.io\r\n/);
  const cases: { headers: Record<string, string>; status: number; message: RegExp }[] = [
    { headers: { 'Sec-WebSocket-Version': '8' }, status: 426, message: /version/ },
    { headers: { 'Sec-WebSocket-Key': 'short' }, status: 400, message: /Sec-WebSocket-Key/ },
    { headers: { 'Sec-WebSocket-Protocol': 'v3.channel.k8s.io' }, status: 400, message: /not supported/ },
    { headers: { 'Sec-WebSocket-Protocol': '' }, status: 400, message: /not supported/ },
  ];
  for (const c of cases) {
    const text = (await raw(c.headers)).toString();
    assert.match(text, new RegExp(`^HTTP/1.1 ${c.status} `), JSON.stringify(c.headers));
    const status = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
    assert.equal(status.kind, 'Status');
    assert.match(status.message, c.message);
  }
});

test('protocol violations close with their code (1002, 1007, 1009)', async () => {
  const cases: { frames: Buffer[]; code: number }[] = [
    { frames: [encodeFrame(Opcode.binary, Buffer.from('unmasked'))], code: CloseCode.protocolError },
    {
      frames: [encodeFrame(Opcode.text, Buffer.from([0xff, 0xfe]), { mask })],
      code: CloseCode.invalidPayload,
    },
    { frames: [encodeFrame(Opcode.binary, Buffer.alloc(5000), { mask })], code: CloseCode.tooBig },
    {
      frames: [encodeFrame(Opcode.continuation, Buffer.from('x'), { mask })],
      code: CloseCode.protocolError,
    },
    {
      frames: [
        encodeFrame(Opcode.text, Buffer.from('a'), { mask, fin: false }),
        encodeFrame(Opcode.binary, Buffer.from('b'), { mask }),
      ],
      code: CloseCode.protocolError,
    },
    {
      frames: [encodeFrame(Opcode.close, Buffer.from([0x03, 0xed]), { mask })],
      code: CloseCode.protocolError,
    },
  ];
  for (const c of cases) assert.equal(closeCodeIn(await raw({}, c.frames)), c.code, JSON.stringify(c.frames));
});
