// Decodes Kubernetes protobuf bodies (`application/vnd.kubernetes.protobuf`) into the JSON form:
// kubectl's typed clients (create namespace, create configmap, create deployment…) send them. The
// envelope is the 4-byte magic `k8s\0` and a runtime.Unknown {typeMeta, raw}; raw is the kind's
// message, read with the field table of messages.ts. Answers stay JSON, which those clients accept too.
import { badRequest } from '../status.ts';
import { type ProtoField, protoMessages } from './messages.ts';

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** The package a group's messages live in (messages.ts keys). */
const packageOfGroup: Record<string, string> = {
  '': 'core',
  apps: 'apps',
  batch: 'batch',
  'discovery.k8s.io': 'discovery',
  'storage.k8s.io': 'storage',
  'coordination.k8s.io': 'coordination',
  'events.k8s.io': 'events',
  autoscaling: 'autoscaling',
  'networking.k8s.io': 'networking',
  'authorization.k8s.io': 'authorization',
  'authentication.k8s.io': 'authentication',
  'rbac.authorization.k8s.io': 'rbac',
  'scheduling.k8s.io': 'scheduling',
  policy: 'policy',
  'meta.k8s.io': 'meta',
};

interface Raw {
  tag: number;
  wire: number;
  /** varint value, or the bytes of a length-delimited / fixed field. */
  value: bigint | Buffer;
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw badRequest('protobuf: truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw badRequest('protobuf: varint too long');
    }
  }

  bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw badRequest('protobuf: truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  field(): Raw {
    const key = Number(this.varint());
    const tag = key >>> 3;
    const wire = key & 7;
    switch (wire) {
      case 0:
        return { tag, wire, value: this.varint() };
      case 1:
        return { tag, wire, value: this.bytes(8) };
      case 2:
        return { tag, wire, value: this.bytes(Number(this.varint())) };
      case 5:
        return { tag, wire, value: this.bytes(4) };
      default:
        throw badRequest(`protobuf: unsupported wire type ${wire}`);
    }
  }
}

function fields(buf: Buffer): Raw[] {
  const r = new Reader(buf);
  const out: Raw[] = [];
  while (!r.done()) out.push(r.field());
  return out;
}

const asInt = (v: bigint | Buffer) => (typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : 0);
const asBuf = (v: bigint | Buffer) => (Buffer.isBuffer(v) ? v : Buffer.alloc(0));

function time(buf: Buffer): string | null {
  let seconds = 0;
  let nanos = 0;
  for (const f of fields(buf)) {
    if (f.tag === 1) seconds = asInt(f.value);
    if (f.tag === 2) nanos = asInt(f.value);
  }
  if (seconds === 0 && nanos === 0) return null;
  const iso = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  return nanos ? iso.replace('Z', `.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`) : iso;
}

function scalarMessage(type: string, buf: Buffer): unknown {
  const fs = fields(buf);
  const get = (tag: number) => fs.find((f) => f.tag === tag)?.value;
  switch (type) {
    case 'T':
      return time(buf);
    case 'Q':
      return asBuf(get(1) ?? Buffer.alloc(0)).toString('utf8');
    case 'I': {
      const kind = get(1);
      return kind !== undefined && asInt(kind) === 1
        ? asBuf(get(3) ?? Buffer.alloc(0)).toString('utf8')
        : asInt(get(2) ?? 0n);
    }
    case 'R': {
      const raw = asBuf(get(1) ?? Buffer.alloc(0)).toString('utf8');
      try {
        return raw ? JSON.parse(raw) : {};
      } catch {
        throw badRequest('protobuf: embedded object is not JSON');
      }
    }
    case 'D': {
      const ns = asInt(get(1) ?? 0n);
      return `${ns / 1e9}s`;
    }
  }
  return undefined;
}

/** One value of `type` from one occurrence of its field. */
function value(type: string, raw: Raw): unknown {
  switch (type) {
    case 's':
      return asBuf(raw.value).toString('utf8');
    case 'i':
    case 'l':
      return asInt(raw.value);
    case 'b':
      return typeof raw.value === 'bigint' && raw.value !== 0n;
    case 'f':
      return asBuf(raw.value).readDoubleLE(0);
    case 'y':
      return asBuf(raw.value).toString('base64');
    case 'T':
    case 'Q':
    case 'I':
    case 'R':
    case 'D':
      return scalarMessage(type, asBuf(raw.value));
  }
  if (type.startsWith('m:')) return message(type.slice(2), asBuf(raw.value));
  throw badRequest(`protobuf: cannot decode a field of type ${type}`);
}

const isZero = (v: unknown) => v === '' || v === 0 || v === false || v === null;

function message(name: string, buf: Buffer): Record<string, unknown> {
  const table = protoMessages[name];
  if (!table) throw badRequest(`protobuf: no decoder for ${name}`);
  const byTag = new Map<number, ProtoField>(table.map((f) => [f[0], f]));
  const out: Record<string, unknown> = {};
  for (const raw of fields(buf)) {
    const def = byTag.get(raw.tag);
    if (!def) continue; // a field newer than this table: not one kubectl's generators set
    const [, json, type, flags] = def;
    if (type.startsWith('[]')) {
      const elem = type.slice(2);
      const list = (out[json] as unknown[] | undefined) ?? [];
      // Packed scalars arrive as one length-delimited run of varints.
      if (raw.wire === 2 && (elem === 'i' || elem === 'l' || elem === 'b')) {
        const r = new Reader(asBuf(raw.value));
        while (!r.done()) list.push(value(elem, { tag: raw.tag, wire: 0, value: r.varint() }));
      } else list.push(value(elem, raw));
      out[json] = list;
    } else if (type.startsWith('map:')) {
      const entry = fields(asBuf(raw.value));
      const key = entry.find((f) => f.tag === 1);
      const val = entry.find((f) => f.tag === 2);
      const map = (out[json] as Record<string, unknown> | undefined) ?? {};
      const vt = type.slice(4);
      map[key ? asBuf(key.value).toString('utf8') : ''] = val
        ? value(vt, val)
        : vt === 's' || vt === 'y'
          ? ''
          : {};
      out[json] = map;
    } else if (flags & 4) {
      Object.assign(out, value(type, raw));
    } else out[json] = value(type, raw);
  }
  // Go writes every non-pointer field; JSON leaves out the zero ones marked omitempty.
  for (const [, json, type, flags] of table) {
    if (!(json in out)) continue;
    if (out[json] === null || ((flags & 3) === 2 && isZero(out[json]) && !type.startsWith('m:')))
      delete out[json];
  }
  return out;
}

export const protobufContentType = 'application/vnd.kubernetes.protobuf';

export function decodeKubeProtobuf(buf: Buffer): Record<string, unknown> {
  if (buf.length < 4 || !buf.subarray(0, 4).equals(magic))
    throw badRequest('protobuf: missing the k8s envelope');
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  for (const f of fields(buf.subarray(4))) {
    if (f.tag === 1) {
      for (const t of fields(asBuf(f.value))) {
        if (t.tag === 1) apiVersion = asBuf(t.value).toString('utf8');
        if (t.tag === 2) kind = asBuf(t.value).toString('utf8');
      }
    } else if (f.tag === 2) raw = asBuf(f.value);
  }
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const pkg = kind === 'DeleteOptions' ? 'meta' : packageOfGroup[group];
  if (!pkg || !protoMessages[`${pkg}.${kind}`])
    throw badRequest(`protobuf: no decoder for ${apiVersion || '(no version)'} ${kind || '(no kind)'}`);
  return { apiVersion, kind, ...message(`${pkg}.${kind}`, raw) };
}
