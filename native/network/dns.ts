import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import type DnsPacket from 'dns-packet';
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

const HEADER = 12;
const QR = 0x8000;
/** UDP payload size this server advertises in its own OPT record. */
const ednsSize = 1232;
/** Docker's cap on concurrent forwarded queries: past it, a flood of lookups fails fast. */
const maxForwarding = 100;
const tcpIdleMs = 10_000;

type Codec = typeof DnsPacket;
let codec: Codec | undefined;

/**
 * The wire format is dns-packet's. It is evaluated with the first listener (or a test's call), not
 * when berthd starts: a daemon without user-defined networks never serves DNS, and evaluating the
 * codec costs about 4 ms of CPU (measured in isolation, bundled).
 */
export async function loadCodec(): Promise<Codec> {
  codec ??= (await import('dns-packet')).default;
  return codec;
}

function wire(): Codec {
  if (!codec) throw new Error('the DNS codec is not loaded (loadCodec)');
  return codec;
}

export class DnsFormatError extends Error {
  override name = 'DnsFormatError';
}

/** A query as this server needs it; the wire format itself is dns-packet's. */
export interface DnsQuery {
  id: number;
  opcode: number;
  rd: boolean;
  /** The question as sent (case preserved), so that the answer echoes it. */
  question: DnsPacket.Question;
  /** Presentation form, lowercased, a dot or odd byte inside a label escaped (`a\.b`, `\001`). */
  name: string;
  /** 'A', 'AAAA', 'PTR', other mnemonics ('MX', 'SRV'…), or 'TYPE<n>'. */
  type: string;
  /** The UDP payload size from the client's EDNS OPT record; undefined when it sent none. */
  udpSize: number | undefined;
}

export type AnswerRecord = DnsPacket.Answer;

/**
 * The question name for matching: dns-packet's own decoder in its `mail` mode keeps a dot inside a
 * label apart from the label boundaries (so `web.app` sent as one label never matches `web` on `app`);
 * names compare ASCII case-insensitively; control and non-ASCII characters are escaped.
 */
function presentName(msg: Buffer): string {
  const raw = wire().name.decode(msg, HEADER, { mail: true });
  let out = '';
  for (const ch of raw === '.' ? '' : raw) {
    const c = ch.charCodeAt(0);
    if (c >= 0x41 && c <= 0x5a) out += String.fromCharCode(c + 32);
    else if (c > 0x20 && c < 0x7f) out += ch;
    else for (const b of Buffer.from(ch)) out += `\\${String(b).padStart(3, '0')}`;
  }
  return out;
}

/** Parses a query; throws DnsFormatError on anything malformed. */
export function parseQuery(msg: Buffer): DnsQuery {
  let p: DnsPacket.DecodedPacket;
  try {
    p = wire().decode(msg);
  } catch (err) {
    throw new DnsFormatError(errorMessage(err));
  }
  if (p.questions?.length !== 1)
    throw new DnsFormatError(`${p.questions?.length ?? 0} questions, expected 1`);
  const opts = (p.additionals ?? []).filter((r) => r.type === 'OPT');
  const misplaced = [...(p.answers ?? []), ...(p.authorities ?? [])].some((r) => r.type === 'OPT');
  if (misplaced || opts.length > 1 || (opts[0] && opts[0].name !== '.'))
    throw new DnsFormatError('misplaced or repeated OPT record');
  const question = p.questions[0];
  const type = question.type.startsWith('UNKNOWN_') ? `TYPE${question.type.slice(8)}` : question.type;
  return {
    id: p.id ?? 0,
    opcode: ((p.flags ?? 0) >> 11) & 0x0f,
    rd: p.flag_rd,
    question,
    name: presentName(msg),
    type,
    udpSize: (opts[0] as DnsPacket.OptAnswer | undefined)?.udpPayloadSize,
  };
}

function flags(opcode: number, rd: boolean, rcode: number): number {
  return (opcode << 11) | (rd ? wire().RECURSION_DESIRED : 0) | wire().RECURSION_AVAILABLE | rcode;
}

/**
 * A response echoing the question. When it does not fit in maxSize, the answers are dropped and TC
 * set, so the client asks again over TCP.
 */
export function buildResponse(
  q: DnsQuery,
  rcode: number,
  answers: AnswerRecord[] = [],
  maxSize = 65535,
): Buffer {
  const additionals: DnsPacket.Answer[] =
    q.udpSize === undefined
      ? []
      : [
          {
            type: 'OPT',
            name: '.',
            udpPayloadSize: ednsSize,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ];
  const response = (answers: AnswerRecord[], tc: boolean): Buffer =>
    wire().encode({
      id: q.id,
      type: 'response',
      flags: flags(q.opcode, q.rd, rcode) | (tc ? wire().TRUNCATED_RESPONSE : 0),
      questions: [q.question],
      answers,
      additionals,
    });
  const full = response(answers, false);
  return full.length <= maxSize ? full : response([], true);
}

/** A response to a query whose question could not be read: the header alone, with its id and opcode. */
export function headerOnlyResponse(msg: Buffer, rcode: number): Buffer {
  const word = msg.readUInt16BE(2);
  return wire().encode({
    id: msg.readUInt16BE(0),
    type: 'response',
    flags: flags((word >> 11) & 0x0f, (word & wire().RECURSION_DESIRED) !== 0, rcode),
  });
}

/** An answer record of the question's name; the value is checked, since the resolver's data may be bad. */
export function answerRecord(
  q: Pick<DnsQuery, 'question'>,
  a: { type: RecordType; value: string; ttl?: number },
): AnswerRecord {
  const ttl = a.ttl ?? containerTtl;
  const name = q.question.name;
  if ((a.type === 'A' && net.isIPv4(a.value)) || (a.type === 'AAAA' && net.isIPv6(a.value)))
    return { type: a.type, name, ttl, class: 'IN', data: a.value.split('%')[0] };
  if (a.type === 'PTR') {
    const labels = a.value.replace(/\.$/, '').split('.');
    if (labels.some((l) => l.length === 0 || Buffer.byteLength(l) > 63) || Buffer.byteLength(a.value) > 253)
      throw invalid(`invalid DNS name ${a.value}`);
    return { type: 'PTR', name, ttl, class: 'IN', data: a.value };
  }
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
      await loadCodec();
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
    if (q.question.class !== 'IN') return buildResponse(q, Rcode.REFUSED);
    const limit =
      transport === 'tcp' ? 65535 : q.udpSize === undefined ? 512 : Math.min(Math.max(q.udpSize, 512), 4096);
    const type = q.type;
    try {
      const res = await this.#resolve({ name: q.name, type, client, local });
      if ('forward' in res) return await this.#forward(msg, q, res.forward, transport);
      if ('nxdomain' in res) return buildResponse(q, Rcode.NXDOMAIN);
      const records = res.answer.filter((a) => a.type === type).map((a) => answerRecord(q, a));
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
          if (transport === 'tcp' && reply.readUInt16BE(2) & wire().TRUNCATED_RESPONSE)
            reply = await this.#exchange('tcp', up, msg);
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
