import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  answerRecord,
  buildResponse,
  type DnsQuestion,
  DnsServer,
  frame,
  loadCodec,
  parseQuery,
  Rcode,
  type Resolution,
} from './dns.ts';

// --- a tiny DNS client and upstream, built by hand so that malformed packets can be sent too ---

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter(Boolean);
  return Buffer.concat([...parts.flatMap((l) => [Buffer.of(l.length), Buffer.from(l)]), Buffer.of(0)]);
}

const qtypes: Record<string, number> = { A: 1, PTR: 12, AAAA: 28, MX: 15 };

function query(
  name: string,
  type = 'A',
  opts: { id?: number; edns?: boolean; opcode?: number; qclass?: number } = {},
) {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(opts.id ?? 0x1234, 0);
  h.writeUInt16BE(0x0100 | ((opts.opcode ?? 0) << 11), 2); // RD
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(opts.edns ? 1 : 0, 10);
  const q = Buffer.alloc(4);
  q.writeUInt16BE(qtypes[type], 0);
  q.writeUInt16BE(opts.qclass ?? 1, 2);
  const opt = opts.edns ? [Buffer.from([0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0])] : [];
  return Buffer.concat([h, encodeName(name), q, ...opt]);
}

/** The reply, failing the test when there was none. */
function replied(m: Buffer | null): Buffer {
  if (!m) assert.fail('no reply');
  return m;
}

const idOf = (m: Buffer) => m.readUInt16BE(0);
const rcodeOf = (m: Buffer) => m[3] & 0x0f;
const answersOf = (m: Buffer) => m.readUInt16BE(6);
const truncated = (m: Buffer) => (m[2] & 0x02) !== 0;

/** The offset just past a name at `off`, compressed or not. */
function skipName(m: Buffer, off: number): number {
  while (m[off] !== 0) {
    if ((m[off] & 0xc0) === 0xc0) return off + 2;
    off += m[off] + 1;
  }
  return off + 1;
}

/** The IPv4 addresses of the A records of a response, read by hand. */
function aRecords(m: Buffer): string[] {
  let off = skipName(m, 12) + 4;
  const out: string[] = [];
  for (let i = 0; i < answersOf(m); i++) {
    off = skipName(m, off);
    const rdlength = m.readUInt16BE(off + 8);
    if (m.readUInt16BE(off) === 1) out.push([...m.subarray(off + 10, off + 14)].join('.'));
    off += 10 + rdlength;
  }
  return out;
}

/** A response with one A record, built from the query's question. */
function answerWith(q: Buffer, ip: string, opts: { tc?: boolean } = {}): Buffer {
  let end = 12;
  while (q[end] !== 0) end += q[end] + 1;
  const r = Buffer.from(q.subarray(0, end + 5));
  r.writeUInt16BE(0x8180 | (opts.tc ? 0x0200 : 0), 2);
  r.writeUInt32BE(0, 6); // no answers yet, no authority
  r.writeUInt16BE(0, 10);
  if (opts.tc) return r;
  r.writeUInt16BE(1, 6);
  const rr = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...ip.split('.').map(Number)]);
  return Buffer.concat([r, rr]);
}

function udpExchange(port: number, host: string, msg: Buffer, waitMs = 1000): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const finish = (reply: Buffer | null) => {
      clearTimeout(timer);
      sock.close();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(null), waitMs);
    sock.on('message', (reply) => finish(reply));
    sock.send(msg, port, host);
  });
}

/** Sends the messages on one connection and collects as many framed replies. */
function tcpExchange(port: number, host: string, msgs: Buffer[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const replies: Buffer[] = [];
    let pending = Buffer.alloc(0);
    const sock = net.connect({ port, host }, () => sock.write(Buffer.concat(msgs.map(frame))));
    sock.setTimeout(2000, () => sock.destroy(new Error('tcp exchange timed out')));
    sock.on('error', reject);
    sock.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        replies.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (replies.length === msgs.length) {
        sock.end();
        resolve(replies);
      }
    });
  });
}

type UpstreamMode = 'answer' | 'truncate-udp' | 'servfail' | 'silent';

/** A fake upstream DNS server on 127.0.0.1 answering every A question with 10.9.9.9. */
async function fakeUpstream(mode: UpstreamMode) {
  const seen = { udp: [] as Buffer[], tcp: [] as Buffer[] };
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const port = udp.address().port;
  udp.on('message', (q, peer) => {
    seen.udp.push(q);
    if (mode === 'silent') return;
    const reply =
      mode === 'servfail' ? servfail(q) : answerWith(q, '10.9.9.9', { tc: mode === 'truncate-udp' });
    udp.send(reply, peer.port, peer.address);
  });
  const tcp = net.createServer((conn) => {
    conn.on('data', (chunk) => {
      const q = chunk.subarray(2);
      seen.tcp.push(q);
      conn.write(frame(answerWith(q, '10.9.9.9')));
    });
  });
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', resolve));
  return {
    addr: `127.0.0.1:${port}`,
    seen,
    close: () => {
      udp.close();
      tcp.close();
    },
  };
}

function servfail(q: Buffer): Buffer {
  const r = answerWith(q, '0.0.0.0', { tc: true }); // the question alone
  r.writeUInt16BE(0x8182, 2);
  return r;
}

/** A port on 127.0.0.1 with nothing behind it. */
async function closedPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(resolve));
  return port;
}

function nodeResolver(port: number, host = '127.0.0.1') {
  const r = new dns.promises.Resolver({ timeout: 1500, tries: 1 });
  r.setServers([`${host}:${port}`]);
  return r;
}

// --- the names of a small bridge network ---

const records: Record<string, Resolution> = {
  web: { answer: [{ type: 'A', value: '172.18.0.2' }] },
  db: {
    answer: [
      { type: 'A', value: '172.18.0.3' },
      { type: 'AAAA', value: 'fd00:18::3' },
    ],
  },
  '2.0.18.172.in-addr.arpa': { answer: [{ type: 'PTR', value: 'web' }] },
  many: { answer: Array.from({ length: 100 }, (_, i) => ({ type: 'A' as const, value: `10.1.0.${i + 1}` })) },
  broken: { answer: [{ type: 'A', value: 'not-an-ip' }] },
};

function staticResolver(upstreams: () => string[], seen: DnsQuestion[] = []) {
  return (q: DnsQuestion): Resolution => {
    seen.push(q);
    if (q.name === 'boom') throw new Error('resolver failed');
    if (q.name.endsWith('.example')) return { forward: upstreams() };
    return records[q.name] ?? { nxdomain: true };
  };
}

describe('DnsServer answering for containers', () => {
  const seen: DnsQuestion[] = [];
  const server = new DnsServer({ resolve: staticResolver(() => [], seen) });
  let r: dns.promises.Resolver;
  before(async () => {
    await server.listen('127.0.0.1', 0);
    r = nodeResolver(server.port);
  });
  after(() => server.close());

  test('answers A for a known name, and the resolver sees who asked and where', async () => {
    seen.length = 0;
    assert.deepEqual(await r.resolve4('web', { ttl: true }), [{ address: '172.18.0.2', ttl: 600 }]);
    assert.deepEqual(seen, [{ name: 'web', type: 'A', client: '127.0.0.1', local: '127.0.0.1' }]);
  });

  test('answers AAAA, and NODATA for a name that has only an A record', async () => {
    assert.deepEqual(await r.resolve6('db'), ['fd00:18::3']);
    await assert.rejects(r.resolve6('web'), { code: 'ENODATA' });
    const nodata = replied(await udpExchange(server.port, '127.0.0.1', query('web', 'AAAA')));
    assert.deepEqual([rcodeOf(nodata), answersOf(nodata)], [Rcode.NOERROR, 0]);
  });

  test('answers reverse lookups, handing the resolver the in-addr.arpa name', async () => {
    seen.length = 0;
    assert.deepEqual(await r.resolvePtr('2.0.18.172.in-addr.arpa'), ['web']);
    assert.deepEqual(await r.reverse('172.18.0.2'), ['web']);
    assert.equal(seen[0].name, '2.0.18.172.in-addr.arpa');
    assert.equal(seen[0].type, 'PTR');
  });

  test('an unknown name is NXDOMAIN', async () => {
    await assert.rejects(r.resolve4('nope'), { code: 'ENOTFOUND' });
  });

  test('names are case-insensitive and the trailing dot is dropped; the question is echoed as asked', async () => {
    seen.length = 0;
    assert.deepEqual(await r.resolve4('WeB.'), ['172.18.0.2']);
    assert.equal(seen[0].name, 'web');
    const reply = replied(await udpExchange(server.port, '127.0.0.1', query('wEB')));
    assert.equal(reply.includes(Buffer.from('wEB')), true);
    assert.deepEqual(aRecords(reply), ['172.18.0.2']);
    assert.deepEqual(
      seen.map((q) => q.name),
      ['web', 'web'],
    );
  });

  test('echoes the id and RD, sets QR and RA', async () => {
    const reply = replied(await udpExchange(server.port, '127.0.0.1', query('web', 'A', { id: 0xbeef })));
    assert.equal(idOf(reply), 0xbeef);
    assert.equal(reply.readUInt16BE(2), 0x8180);
    assert.deepEqual(aRecords(reply), ['172.18.0.2']);
  });

  test('answers an EDNS query with an OPT record of its own', async () => {
    const reply = replied(await udpExchange(server.port, '127.0.0.1', query('web', 'A', { edns: true })));
    assert.equal(reply.readUInt16BE(10), 1);
    assert.deepEqual(aRecords(reply), ['172.18.0.2']);
  });

  test('answers over TCP, several pipelined queries on one connection', async () => {
    const [a, b] = await tcpExchange(server.port, '127.0.0.1', [query('web', 'A', { id: 1 }), query('nope')]);
    assert.deepEqual([idOf(a), aRecords(a)], [1, ['172.18.0.2']]);
    assert.equal(rcodeOf(b), Rcode.NXDOMAIN);
  });

  test('an answer too big for UDP sets TC; over TCP it comes whole', async () => {
    const udp = replied(await udpExchange(server.port, '127.0.0.1', query('many')));
    assert.equal(truncated(udp), true);
    assert.equal(answersOf(udp), 0);
    const [tcp] = await tcpExchange(server.port, '127.0.0.1', [query('many')]);
    assert.equal(aRecords(tcp).length, 100);
    assert.equal(truncated(tcp), false);
    assert.equal((await r.resolve4('many')).length, 100, 'Node retries over TCP');
  });

  test('a resolver that throws, or gives a bad address, is SERVFAIL', async () => {
    await assert.rejects(r.resolve4('boom'), { code: 'ESERVFAIL' });
    await assert.rejects(r.resolve4('broken'), { code: 'ESERVFAIL' });
  });

  test('other opcodes are NOTIMP and other classes REFUSED', async () => {
    const status = replied(await udpExchange(server.port, '127.0.0.1', query('web', 'A', { opcode: 2 })));
    assert.equal(rcodeOf(status), Rcode.NOTIMP);
    const chaos = replied(await udpExchange(server.port, '127.0.0.1', query('web', 'A', { qclass: 3 })));
    assert.equal(rcodeOf(chaos), Rcode.REFUSED);
  });

  test('malformed packets get FORMERR or are dropped, and the server keeps answering', async () => {
    const send = (m: Buffer) => udpExchange(server.port, '127.0.0.1', m, 300);
    assert.equal(await send(Buffer.from([0x12, 0x34, 1, 0, 0])), null, 'shorter than a header: dropped');

    const headerOnly = query('web').subarray(0, 12);
    const formerr = replied(await send(headerOnly));
    assert.deepEqual([idOf(formerr), rcodeOf(formerr), formerr.length], [0x1234, Rcode.FORMERR, 12]);

    // A name whose second label is a pointer back to the first: a loop.
    const loop = Buffer.concat([headerOnly, Buffer.from([1, 0x61, 0xc0, 12, 0, 1, 0, 1])]);
    assert.equal(rcodeOf(replied(await send(loop))), Rcode.FORMERR);
    const selfPointer = Buffer.concat([headerOnly, Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
    assert.equal(rcodeOf(replied(await send(selfPointer))), Rcode.FORMERR);
    const cutInLabel = Buffer.concat([headerOnly, Buffer.from([5, 0x61])]);
    assert.equal(rcodeOf(replied(await send(cutInLabel))), Rcode.FORMERR);
    const twoQuestions = Buffer.from(query('web'));
    twoQuestions.writeUInt16BE(2, 4);
    assert.equal(rcodeOf(replied(await send(twoQuestions))), Rcode.FORMERR);

    const response = Buffer.from(query('web'));
    response[2] |= 0x80;
    assert.equal(await send(response), null, 'responses are never answered');

    const [tcpFormerr] = await tcpExchange(server.port, '127.0.0.1', [loop]);
    assert.equal(rcodeOf(tcpFormerr), Rcode.FORMERR);
    assert.deepEqual(await r.resolve4('web'), ['172.18.0.2']);
  });
});

describe('DnsServer forwarding', () => {
  let upstreams: string[] = [];
  const server = new DnsServer({ resolve: staticResolver(() => upstreams), forwardTimeoutMs: 200 });
  let r: dns.promises.Resolver;
  before(async () => {
    await server.listen('127.0.0.1', 0);
    r = nodeResolver(server.port);
  });
  after(() => server.close());

  test("relays to the upstream and answers with the client's id", async () => {
    const up = await fakeUpstream('answer');
    upstreams = [up.addr];
    try {
      assert.deepEqual(await r.resolve4('www.example'), ['10.9.9.9']);
      const reply = replied(
        await udpExchange(server.port, '127.0.0.1', query('www.example', 'A', { id: 0x4242 })),
      );
      assert.equal(idOf(reply), 0x4242);
      assert.deepEqual(aRecords(reply), ['10.9.9.9']);
      const relayed = up.seen.udp.at(-1)!;
      assert.deepEqual(relayed.subarray(2), query('www.example').subarray(2), 'the same bytes but the id');
    } finally {
      up.close();
    }
  });

  test('a dead or failing upstream lets the next one answer', async () => {
    const silent = await fakeUpstream('silent');
    const failing = await fakeUpstream('servfail');
    const good = await fakeUpstream('answer');
    upstreams = [`127.0.0.1:${await closedPort()}`, silent.addr, failing.addr, good.addr];
    try {
      assert.deepEqual(await r.resolve4('www.example'), ['10.9.9.9']);
      assert.equal(silent.seen.udp.length, 1);
      assert.equal(failing.seen.udp.length, 1);
    } finally {
      for (const u of [silent, failing, good]) u.close();
    }
  });

  test('SERVFAIL when no upstream answers, or there is none', async () => {
    const silent = await fakeUpstream('silent');
    upstreams = [`127.0.0.1:${await closedPort()}`, silent.addr];
    try {
      await assert.rejects(r.resolve4('www.example'), { code: 'ESERVFAIL' });
    } finally {
      silent.close();
    }
    upstreams = [];
    await assert.rejects(r.resolve4('www.example'), { code: 'ESERVFAIL' });
    upstreams = ['not-an-address', `127.0.0.1:${server.port}`];
    await assert.rejects(r.resolve4('www.example'), { code: 'ESERVFAIL' }, 'never forwards to itself');
  });

  test('a truncated upstream answer passes to a UDP client, and is retried over TCP for a TCP client', async () => {
    const up = await fakeUpstream('truncate-udp');
    upstreams = [up.addr];
    try {
      const udp = replied(await udpExchange(server.port, '127.0.0.1', query('big.example', 'A', { id: 7 })));
      assert.equal(truncated(udp), true);
      assert.equal(idOf(udp), 7);
      assert.equal(up.seen.tcp.length, 0);
      const [tcp] = await tcpExchange(server.port, '127.0.0.1', [query('big.example', 'A', { id: 8 })]);
      assert.equal(idOf(tcp), 8);
      assert.equal(truncated(tcp), false);
      assert.deepEqual(aRecords(tcp), ['10.9.9.9']);
      assert.equal(up.seen.tcp.length, 1);
    } finally {
      up.close();
    }
  });
});

describe('DnsServer listening', () => {
  test('two addresses share one port, and each query says where it arrived', async () => {
    const seen: DnsQuestion[] = [];
    const server = new DnsServer({ resolve: staticResolver(() => [], seen) });
    try {
      await server.listen('127.0.0.1', 0);
      await server.listen('127.0.0.2', 0);
      assert.notEqual(server.port, 0);
      assert.deepEqual(server.addresses, ['127.0.0.1', '127.0.0.2']);
      assert.deepEqual(await nodeResolver(server.port, '127.0.0.2').resolve4('web'), ['172.18.0.2']);
      assert.deepEqual(await nodeResolver(server.port, '127.0.0.1').resolve4('web'), ['172.18.0.2']);
      assert.deepEqual(
        seen.map((q) => q.local),
        ['127.0.0.2', '127.0.0.1'],
      );
      const [tcp] = await tcpExchange(server.port, '127.0.0.2', [query('web')]);
      assert.deepEqual(aRecords(tcp), ['172.18.0.2']);

      await assert.rejects(server.listen('127.0.0.1', 0), /already listens/);
      await assert.rejects(server.listen('127.0.0.4', server.port + 1), /serves port/);

      await server.unlisten('127.0.0.2');
      assert.equal(await udpExchange(server.port, '127.0.0.2', query('web'), 300), null);
      assert.deepEqual(await nodeResolver(server.port).resolve4('web'), ['172.18.0.2']);
      await server.listen('127.0.0.2', 0);
      assert.deepEqual(await nodeResolver(server.port, '127.0.0.2').resolve4('web'), ['172.18.0.2']);
    } finally {
      await server.close();
    }
  });

  test('concurrent first listens still agree on one port', async () => {
    const server = new DnsServer({ resolve: staticResolver(() => []) });
    try {
      await Promise.all([server.listen('127.0.0.1', 0), server.listen('127.0.0.2', 0)]);
      assert.deepEqual(await nodeResolver(server.port, '127.0.0.2').resolve4('web'), ['172.18.0.2']);
      assert.deepEqual(await nodeResolver(server.port, '127.0.0.1').resolve4('web'), ['172.18.0.2']);
    } finally {
      await server.close();
    }
  });

  test('close ends in-flight forwards and later listens fail', async () => {
    const silent = await fakeUpstream('silent');
    const debug: string[] = [];
    const log = {
      debug: (_: string, f?: Record<string, unknown>) => debug.push(String(f?.error)),
      warn() {},
    };
    const server = new DnsServer({
      resolve: () => ({ forward: [silent.addr] }),
      log,
      forwardTimeoutMs: 60_000,
    });
    try {
      await server.listen('127.0.0.1', 0);
      const asked = udpExchange(server.port, '127.0.0.1', query('slow.example'), 300);
      while (silent.seen.udp.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await server.close();
      assert.equal(await asked, null);
      assert.deepEqual(debug, ['DNS server closed']);
      await assert.rejects(server.listen('127.0.0.1', 0), /closed/);
    } finally {
      silent.close();
    }
  });
});

describe('DNS codec', () => {
  before(() => loadCodec());

  test('tolerates records with compressed owner names after the question', () => {
    const q = query('web', 'A', { edns: true });
    q.writeUInt16BE(1, 6); // one answer record: C00C A IN ttl 4 bytes
    const withAnswer = Buffer.concat([
      q.subarray(0, q.length - 11),
      Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4]),
      q.subarray(q.length - 11),
    ]);
    const parsed = parseQuery(withAnswer);
    assert.equal(parsed.name, 'web');
    assert.equal(parsed.udpSize, 4096);
  });

  test('escapes dots and odd bytes inside labels instead of confusing them with label boundaries', () => {
    const h = query('x').subarray(0, 12);
    const parsed = parseQuery(Buffer.concat([h, Buffer.from([3, 0x61, 0x2e, 0x01, 0, 0, 1, 0, 1])]));
    assert.equal(parsed.name, 'a\\.\\001');
  });

  test('encodes AAAA values in every IPv6 spelling', () => {
    const q = parseQuery(query('x', 'AAAA'));
    const hex = (value: string) => {
      const reply = buildResponse(q, Rcode.NOERROR, [answerRecord(q, { type: 'AAAA', value })]);
      assert.equal(reply.readUInt16BE(reply.length - 18), 16, 'RDLENGTH');
      return reply.subarray(reply.length - 16).toString('hex');
    };
    assert.equal(hex('fd00:18::3'), 'fd000018000000000000000000000003');
    assert.equal(hex('::'), '0'.repeat(32));
    assert.equal(hex('1::'), '0001' + '0'.repeat(28));
    assert.equal(hex('::ffff:172.18.0.2'), '00000000000000000000ffffac120002');
    assert.equal(hex('1:2:3:4:5:6:7:8'), '00010002000300040005000600070008');
    assert.throws(() => answerRecord(q, { type: 'A', value: 'fd00::1' }), /invalid A record/);
    assert.throws(() => answerRecord(q, { type: 'PTR', value: 'a..b' }), /invalid DNS name/);
    assert.deepEqual(answerRecord(q, { type: 'A', value: '1.2.3.4', ttl: 5 }), {
      type: 'A',
      name: 'x',
      ttl: 5,
      class: 'IN',
      data: '1.2.3.4',
    });
  });

  test('rejects an OPT record outside the additional section', () => {
    const q = query('web', 'A', { edns: true });
    q.writeUInt16BE(1, 6);
    q.writeUInt16BE(0, 10);
    assert.throws(() => parseQuery(q), { name: 'DnsFormatError' });
  });
});

const busybox = '/bin/busybox';

test('busybox nslookup gets an answer', async (t) => {
  if (!existsSync(busybox)) return t.skip(`${busybox} is not installed`);
  const server = new DnsServer({ resolve: staticResolver(() => []) });
  try {
    // busybox nslookup talks to port 53 only.
    await server.listen('127.0.0.3', 53);
  } catch (err) {
    await server.close();
    return t.skip(`cannot bind 127.0.0.3:53: ${(err as Error).message}`);
  }
  try {
    const { stdout } = await promisify(execFile)(busybox, ['nslookup', 'db', '127.0.0.3'], {
      timeout: 10_000,
    });
    assert.match(stdout, /Address:\s+172\.18\.0\.3/);
    assert.match(stdout, /Address:\s+fd00:18::3/);
  } finally {
    await server.close();
  }
});
