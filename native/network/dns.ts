import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { conflict, errorMessage, invalid, wrap } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

/**
 * The embedded DNS server that containers reach at 127.0.0.11 (as with Docker): berthd listens on the
 * gateway of each bridge network, on one port for all of them, and a resolver callback decides what each
 * name means. Only queries are served; everything a container asks that the engine does not know about is
 * relayed, byte for byte, to the upstreams the resolver names.
 */

export type RecordType = 'A' | 'AAAA' | 'PTR';

export interface DnsQuestion {
  /** Lowercase, without the trailing dot; a reverse lookup stays `4.3.2.1.in-addr.arpa`. */
  name: string;
  /** 'A', 'AAAA', 'PTR', other well-known mnemonics ('MX', 'SRV'…), or 'TYPE<n>'. */
  type: string;
  /** Source address of the query. */
  client: string;
  /** Address the query arrived on, as given to listen(). */
  local: string;
}

/**
 * Answers of a type other than the question's are dropped, so a name that has only an A record answers
 * an AAAA question with NOERROR and no answer (NODATA).
 */
export type Resolution =
  | { answer: Array<{ type: RecordType; value: string; ttl?: number }> }
  | { nxdomain: true }
  | { forward: string[] };

export type Resolver = (q: DnsQuestion) => Resolution | Promise<Resolution>;

export interface DnsServerOptions {
  resolve: Resolver;
  log?: Pick<Logger, 'debug' | 'warn'>;
  /** How long to wait for each upstream before trying the next one. */
  forwardTimeoutMs?: number;
}

/** TTL of the names the engine answers itself, as Docker's. */
export const containerTtl = 600;

export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

const typeCodes: Record<RecordType, number> = { A: 1, PTR: 12, AAAA: 28 };
const typeNames: Record<number, string> = {
  ...{ 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV' },
  ...{ 64: 'SVCB', 65: 'HTTPS', 255: 'ANY' },
};
const TYPE_OPT = 41;
const CLASS_IN = 1;
const HEADER = 12;
const QR = 0x8000;
const RD = 0x0100;
const RA = 0x0080;
const TC = 0x0200;
/** UDP payload size this server advertises in its own OPT record. */
const ednsSize = 1232;
/** Docker's cap on concurrent forwarded queries: past it, a flood of lookups fails fast. */
const maxForwarding = 100;
const tcpIdleMs = 10_000;

export class DnsFormatError extends Error {
  override name = 'DnsFormatError';
}

export interface DnsQuery {
  id: number;
  opcode: number;
  rd: boolean;
  /** The question name as sent, case preserved, so that the answer echoes it exactly. */
  labels: Buffer[];
  name: string;
  qtype: number;
  qclass: number;
  /** The UDP payload size from the client's EDNS OPT record; undefined when it sent none. */
  udpSize: number | undefined;
}

export interface AnswerRecord {
  type: number;
  ttl: number;
  rdata: Buffer;
}

function need(msg: Buffer, off: number, len: number): void {
  if (off + len > msg.length) throw new DnsFormatError(`message ends at ${msg.length}, before ${off + len}`);
}

/** Reads a possibly compressed name; pointers must go strictly backwards, so a loop cannot exist. */
function readName(msg: Buffer, start: number): { labels: Buffer[]; end: number } {
  const labels: Buffer[] = [];
  let off = start;
  let floor = start;
  let end = -1;
  let length = 1;
  for (;;) {
    need(msg, off, 1);
    const len = msg[off];
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) {
      need(msg, off, 2);
      const target = msg.readUInt16BE(off) & 0x3fff;
      if (target >= floor) throw new DnsFormatError(`compression pointer at ${off} does not point backwards`);
      if (end < 0) end = off + 2;
      off = floor = target;
      continue;
    }
    if (len & 0xc0) throw new DnsFormatError(`unknown label type at ${off}`);
    need(msg, off + 1, len);
    length += len + 1;
    if (length > 255) throw new DnsFormatError('name longer than 255 bytes');
    labels.push(msg.subarray(off + 1, off + 1 + len));
    off += 1 + len;
  }
  return { labels, end: end < 0 ? off + 1 : end };
}

/** Presentation form, lowercased (DNS names compare ASCII case-insensitively), odd bytes escaped. */
function presentName(labels: Buffer[]): string {
  return labels
    .map((label) => {
      let s = '';
      for (const b of label) {
        if (b >= 0x41 && b <= 0x5a) s += String.fromCharCode(b + 32);
        else if (b === 0x2e || b === 0x5c) s += '\\' + String.fromCharCode(b);
        else if (b > 0x20 && b < 0x7f) s += String.fromCharCode(b);
        else s += '\\' + String(b).padStart(3, '0');
      }
      return s;
    })
    .join('.');
}

function encodeName(name: string): Buffer {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = trimmed === '' ? [] : trimmed.split('.').map((l) => Buffer.from(l, 'latin1'));
  if (labels.some((l) => l.length === 0 || l.length > 63)) throw invalid(`invalid DNS name ${name}`);
  const out = Buffer.concat([...labels.flatMap((l) => [Buffer.of(l.length), l]), Buffer.of(0)]);
  if (out.length > 255) throw invalid(`DNS name longer than 255 bytes: ${name}`);
  return out;
}

/** Parses a query; throws DnsFormatError on anything malformed. Answer and authority records are skipped. */
export function parseQuery(msg: Buffer): DnsQuery {
  need(msg, 0, HEADER);
  const flags = msg.readUInt16BE(2);
  const qdcount = msg.readUInt16BE(4);
  if (qdcount !== 1) throw new DnsFormatError(`${qdcount} questions, expected 1`);
  const question = readName(msg, HEADER);
  let off = question.end;
  need(msg, off, 4);
  const qtype = msg.readUInt16BE(off);
  const qclass = msg.readUInt16BE(off + 2);
  off += 4;
  const before = msg.readUInt16BE(6) + msg.readUInt16BE(8);
  const records = before + msg.readUInt16BE(10);
  let udpSize: number | undefined;
  for (let i = 0; i < records; i++) {
    const owner = readName(msg, off);
    off = owner.end;
    need(msg, off, 10);
    if (msg.readUInt16BE(off) === TYPE_OPT) {
      if (i < before || owner.labels.length > 0 || udpSize !== undefined)
        throw new DnsFormatError('misplaced or repeated OPT record');
      udpSize = msg.readUInt16BE(off + 2);
    }
    const rdlength = msg.readUInt16BE(off + 8);
    need(msg, off + 10, rdlength);
    off += 10 + rdlength;
  }
  return {
    id: msg.readUInt16BE(0),
    opcode: (flags >> 11) & 0x0f,
    rd: (flags & RD) !== 0,
    labels: question.labels,
    name: presentName(question.labels),
    qtype,
    qclass,
    udpSize,
  };
}

function header(id: number, opcode: number, rd: boolean, rcode: number, counts: number[]): Buffer {
  const h = Buffer.alloc(HEADER);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(QR | (opcode << 11) | (rd ? RD : 0) | RA | rcode, 2);
  for (const [i, n] of counts.entries()) h.writeUInt16BE(n, 4 + i * 2);
  return h;
}

/**
 * A response echoing the question; answers point at the question name (offset 12). When it does not fit
 * in maxSize, the answers are dropped and TC set, so the client asks again over TCP.
 */
export function buildResponse(
  q: DnsQuery,
  rcode: number,
  answers: AnswerRecord[] = [],
  maxSize = 65535,
): Buffer {
  const question = Buffer.alloc(q.labels.reduce((n, l) => n + 1 + l.length, 1) + 4);
  let off = 0;
  for (const label of q.labels) off = question.writeUInt8(label.length, off) + label.copy(question, off + 1);
  question.writeUInt16BE(q.qtype, off + 1);
  question.writeUInt16BE(q.qclass, off + 3);
  const rrs = answers.map((a) => {
    const rr = Buffer.alloc(12 + a.rdata.length);
    rr.writeUInt16BE(0xc000 | HEADER, 0);
    rr.writeUInt16BE(a.type, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(a.ttl, 6);
    rr.writeUInt16BE(a.rdata.length, 10);
    a.rdata.copy(rr, 12);
    return rr;
  });
  const opt =
    q.udpSize === undefined
      ? []
      : [Buffer.from([0, 0, TYPE_OPT, ednsSize >> 8, ednsSize & 0xff, 0, 0, 0, 0, 0, 0])];
  const counts = (n: number) => [1, n, 0, opt.length];
  const full = Buffer.concat([
    header(q.id, q.opcode, q.rd, rcode, counts(rrs.length)),
    question,
    ...rrs,
    ...opt,
  ]);
  if (full.length <= maxSize) return full;
  const truncated = Buffer.concat([header(q.id, q.opcode, q.rd, rcode, counts(0)), question, ...opt]);
  truncated.writeUInt16BE(truncated.readUInt16BE(2) | TC, 2);
  return truncated;
}

/** A response to a query whose question could not be read: the header alone, with its id and opcode. */
export function headerOnlyResponse(msg: Buffer, rcode: number): Buffer {
  const flags = msg.readUInt16BE(2);
  return header(msg.readUInt16BE(0), (flags >> 11) & 0x0f, (flags & RD) !== 0, rcode, [0, 0, 0, 0]);
}

function ipv6Bytes(ip: string): Buffer {
  let s = ip.split('%')[0];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const b = v4.slice(1).map(Number);
    s = s.slice(0, v4.index) + ((b[0] << 8) | b[1]).toString(16) + ':' + ((b[2] << 8) | b[3]).toString(16);
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return out;
}

export function answerRecord(a: { type: RecordType; value: string; ttl?: number }): AnswerRecord {
  const ttl = a.ttl ?? containerTtl;
  if (a.type === 'A' && net.isIPv4(a.value))
    return { type: typeCodes.A, ttl, rdata: Buffer.from(a.value.split('.').map(Number)) };
  if (a.type === 'AAAA' && net.isIPv6(a.value))
    return { type: typeCodes.AAAA, ttl, rdata: ipv6Bytes(a.value) };
  if (a.type === 'PTR') return { type: typeCodes.PTR, ttl, rdata: encodeName(a.value) };
  throw invalid(`invalid ${a.type} record value ${a.value}`);
}

/** The 2-byte length prefix of DNS over TCP. */
export function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

export function parseUpstream(spec: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec) ?? /^([^:]+)(?::(\d+))?$/.exec(spec);
  const [host, port] = m ? [m[1], m[2]] : [spec, undefined];
  const p = port === undefined ? 53 : Number(port);
  return net.isIP(host) && p > 0 && p < 65536 ? { host, port: p } : undefined;
}

interface Endpoint {
  udp: dgram.Socket;
  tcp: net.Server;
  conns: Set<net.Socket>;
}

type Transport = 'udp' | 'tcp';

export class DnsServer {
  readonly #resolve: Resolver;
  readonly #log: Pick<Logger, 'debug' | 'warn'>;
  readonly #forwardTimeoutMs: number;
  readonly #endpoints = new Map<string, Endpoint>();
  /** Cancels the in-flight upstream exchanges, when the server closes. */
  readonly #cancels = new Set<() => void>();
  #port = 0;
  #forwarding = 0;
  #closed = false;
  /** listen, unlisten and close run one at a time, so that two first listens cannot pick two ports. */
  #serial: Promise<unknown> = Promise.resolve();

  constructor(opts: DnsServerOptions) {
    this.#resolve = opts.resolve;
    this.#log = opts.log ?? { debug() {}, warn() {} };
    this.#forwardTimeoutMs = opts.forwardTimeoutMs ?? 2000;
  }

  /** The one port served on every address; 0 before the first listen. */
  get port(): number {
    return this.#port;
  }

  get addresses(): string[] {
    return [...this.#endpoints.keys()];
  }

  /** Serves UDP and TCP on address. Port 0 picks one on the first call; later calls reuse it. */
  listen(address: string, port: number): Promise<void> {
    return this.#inTurn(async () => {
      if (this.#closed) throw invalid('DNS server is closed');
      if (!net.isIP(address)) throw invalid(`invalid DNS listen address ${address}`);
      if (this.#endpoints.has(address)) throw conflict(`DNS server already listens on ${address}`);
      if (this.#port !== 0 && port !== 0 && port !== this.#port)
        throw invalid(`DNS server serves port ${this.#port}, cannot listen on ${address}:${port}`);
      const wanted = this.#port || port;
      for (let attempt = 1; ; attempt++) {
        const udp = await bindUdp(address, wanted).catch((err) => {
          throw wrap(`cannot listen for DNS on udp ${address}:${wanted}`, err);
        });
        const chosen = udp.address().port;
        try {
          const tcp = await bindTcp(address, chosen);
          this.#serve(address, { udp, tcp, conns: new Set() });
          this.#port = chosen;
          return;
        } catch (err) {
          udp.close();
          // The port the kernel picked for UDP may be taken for TCP: pick another.
          const retry = wanted === 0 && attempt < 5 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
          if (!retry) throw wrap(`cannot listen for DNS on tcp ${address}:${chosen}`, err);
        }
      }
    });
  }

  /** Stops serving address (a no-op when not served); the port stays the same for later listens. */
  unlisten(address: string): Promise<void> {
    return this.#inTurn(() => this.#stop(address));
  }

  close(): Promise<void> {
    return this.#inTurn(async () => {
      this.#closed = true;
      for (const cancel of this.#cancels) cancel();
      await Promise.all([...this.#endpoints.keys()].map((a) => this.#stop(a)));
    });
  }

  #inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(fn, fn);
    this.#serial = run.catch(() => {});
    return run;
  }

  async #stop(address: string): Promise<void> {
    const ep = this.#endpoints.get(address);
    if (!ep) return;
    this.#endpoints.delete(address);
    for (const conn of ep.conns) conn.destroy();
    await Promise.all([
      new Promise<void>((resolve) => ep.udp.close(() => resolve())),
      new Promise<void>((resolve) => ep.tcp.close(() => resolve())),
    ]);
  }

  #serve(address: string, ep: Endpoint): void {
    this.#endpoints.set(address, ep);
    ep.udp.on('error', (err) => this.#log.warn('DNS udp socket error', { address, error: err.message }));
    ep.udp.on('message', (msg, peer) => {
      void this.#answer(msg, 'udp', peer.address, address).then((reply) => {
        if (!reply || this.#endpoints.get(address) !== ep) return;
        ep.udp.send(reply, peer.port, peer.address, (err) => {
          if (err) this.#log.debug('cannot send DNS reply', { client: peer.address, error: err.message });
        });
      });
    });
    ep.tcp.on('error', (err) => this.#log.warn('DNS tcp listener error', { address, error: err.message }));
    ep.tcp.on('connection', (conn) => this.#serveConnection(conn, ep, address));
  }

  #serveConnection(conn: net.Socket, ep: Endpoint, address: string): void {
    ep.conns.add(conn);
    const client = conn.remoteAddress ?? '';
    let pending = Buffer.alloc(0);
    conn.setTimeout(tcpIdleMs, () => conn.destroy());
    conn.on('error', (err) => this.#log.debug('DNS tcp connection error', { client, error: err.message }));
    conn.on('close', () => ep.conns.delete(conn));
    conn.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const msg = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + msg.length);
        void this.#answer(msg, 'tcp', client, address).then((reply) => {
          if (reply && !conn.destroyed) conn.write(frame(reply));
        });
      }
    });
  }

  /** The reply to one message, or null to drop it. Never rejects. */
  async #answer(msg: Buffer, transport: Transport, client: string, local: string): Promise<Buffer | null> {
    // Too short to answer, or itself a response: replying to responses could loop two servers forever.
    if (msg.length < HEADER || msg.readUInt16BE(2) & QR) return null;
    let q: DnsQuery;
    try {
      q = parseQuery(msg);
    } catch (err) {
      this.#log.debug('malformed DNS query', { client, error: errorMessage(err) });
      return headerOnlyResponse(msg, Rcode.FORMERR);
    }
    if (q.opcode !== 0) return buildResponse(q, Rcode.NOTIMP);
    if (q.qclass !== CLASS_IN) return buildResponse(q, Rcode.REFUSED);
    const limit =
      transport === 'tcp' ? 65535 : q.udpSize === undefined ? 512 : Math.min(Math.max(q.udpSize, 512), 4096);
    const type = typeNames[q.qtype] ?? `TYPE${q.qtype}`;
    try {
      const res = await this.#resolve({ name: q.name, type, client, local });
      if ('forward' in res) return await this.#forward(msg, q, res.forward, transport);
      if ('nxdomain' in res) return buildResponse(q, Rcode.NXDOMAIN);
      const records = res.answer.filter((a) => typeCodes[a.type] === q.qtype).map(answerRecord);
      return buildResponse(q, Rcode.NOERROR, records, limit);
    } catch (err) {
      this.#log.warn('cannot answer DNS query', { name: q.name, type, client, error: errorMessage(err) });
      return buildResponse(q, Rcode.SERVFAIL);
    }
  }

  /** Relays the query to each upstream in turn; one that fails (SERVFAIL, REFUSED) lets the next try. */
  async #forward(msg: Buffer, q: DnsQuery, upstreams: string[], transport: Transport): Promise<Buffer> {
    if (this.#forwarding >= maxForwarding) {
      this.#log.warn('too many concurrent forwarded DNS queries', { name: q.name, limit: maxForwarding });
      return buildResponse(q, Rcode.SERVFAIL);
    }
    this.#forwarding++;
    try {
      let failure: Buffer | undefined;
      for (const spec of upstreams) {
        const up = parseUpstream(spec);
        if (!up || (up.port === this.#port && this.#endpoints.has(up.host))) {
          this.#log.warn('skipping DNS upstream', {
            upstream: spec,
            reason: up ? 'is this server' : 'invalid',
          });
          continue;
        }
        try {
          let reply = await this.#exchange('udp', up, msg);
          if (transport === 'tcp' && reply.readUInt16BE(2) & TC) reply = await this.#exchange('tcp', up, msg);
          const rcode = reply[3] & 0x0f;
          if (rcode !== Rcode.SERVFAIL && rcode !== Rcode.REFUSED) return withId(reply, q.id);
          failure = reply;
        } catch (err) {
          this.#log.debug('DNS upstream did not answer', {
            upstream: spec,
            name: q.name,
            error: errorMessage(err),
          });
        }
      }
      return failure ? withId(failure, q.id) : buildResponse(q, Rcode.SERVFAIL);
    } finally {
      this.#forwarding--;
    }
  }

  /** One query to one upstream under a fresh random id, from a fresh port, accepting only its answer. */
  #exchange(transport: Transport, up: { host: string; port: number }, msg: Buffer): Promise<Buffer> {
    const id = randomInt(0x10000);
    const query = Buffer.from(msg);
    query.writeUInt16BE(id, 0);
    const isAnswer = (reply: Buffer) =>
      reply.length >= HEADER && reply.readUInt16BE(0) === id && !!(reply[2] & 0x80);
    return new Promise<Buffer>((resolve, reject) => {
      let release = () => {};
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const done = (err: Error | null, reply?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#cancels.delete(cancel);
        release();
        if (err || !reply) reject(err ?? new Error('no answer'));
        else resolve(reply);
      };
      const cancel = () => done(new Error('DNS server closed'));
      const ms = this.#forwardTimeoutMs;
      timer = setTimeout(() => done(new Error(`no answer within ${ms} ms`)), ms);
      this.#cancels.add(cancel);
      if (transport === 'udp') {
        const sock = dgram.createSocket(net.isIPv6(up.host) ? 'udp6' : 'udp4');
        release = () => sock.close();
        sock.on('error', (err) => done(err));
        // Connected, so the kernel drops datagrams from anyone else and reports an unreachable port at once.
        sock.on('message', (reply) => isAnswer(reply) && done(null, reply));
        sock.connect(up.port, up.host, () => sock.send(query));
      } else {
        const sock = net.connect({ host: up.host, port: up.port }, () => sock.write(frame(query)));
        release = () => sock.destroy();
        let pending = Buffer.alloc(0);
        sock.on('error', (err) => done(err));
        sock.on('close', () => done(new Error('connection closed before an answer')));
        sock.on('data', (chunk: Buffer) => {
          pending = Buffer.concat([pending, chunk]);
          if (pending.length < 2 || pending.length < 2 + pending.readUInt16BE(0)) return;
          const reply = pending.subarray(2, 2 + pending.readUInt16BE(0));
          done(isAnswer(reply) ? null : new Error('mismatched answer'), reply);
        });
      }
    });
  }
}

function withId(reply: Buffer, id: number): Buffer {
  const out = Buffer.from(reply);
  out.writeUInt16BE(id, 0);
  return out;
}

function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    sock.once('error', reject);
    sock.bind(port, address, () => {
      sock.off('error', reject);
      resolve(sock);
    });
  });
}

function bindTcp(address: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
