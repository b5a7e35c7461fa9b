// The kubelet's gRPC probe: one `grpc.health.v1.Health/Check` call over HTTP/2 cleartext (prior
// knowledge), as kubelet 1.32 makes it with grpc-go: a blocking dial that keeps retrying until the
// probe's timeout, then the unary call under the same deadline. Results and their words follow
// pkg/probe/grpc, since they end up in the pod's Unhealthy events and users search for them. The two
// protobuf messages are tiny (one string, one enum), so they are written and read by hand here.
import { STATUS_CODES } from 'node:http';
import http2 from 'node:http2';

export interface GrpcProbeResult {
  ok: boolean;
  output: string;
}

const CHECK_PATH = '/grpc.health.v1.Health/Check';
const USER_AGENT = 'kube-probe/1.32';

/** HealthCheckResponse.ServingStatus names, as Go's generated String() prints them. */
const servingStatus: Record<number, string> = {
  0: 'UNKNOWN',
  1: 'SERVING',
  2: 'NOT_SERVING',
  3: 'SERVICE_UNKNOWN',
};

/** grpc codes.Code names, as grpc-go's Code.String() prints them. */
const codeNames = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];
const codeName = (c: number) => codeNames[c] ?? `Code(${c})`;
const UNKNOWN = 2;
const DEADLINE_EXCEEDED = 4;
const UNIMPLEMENTED = 12;
const INTERNAL = 13;
const UNAVAILABLE = 14;

/** The code grpc-go gives an answer that is not gRPC's, from its HTTP status (its HTTPStatusConvTab). */
function codeOfHttpStatus(status: number): number {
  if (status === 400) return INTERNAL;
  if (status === 401) return 16;
  if (status === 403) return 7;
  if (status === 404) return UNIMPLEMENTED;
  if (status === 429 || status === 502 || status === 503 || status === 504) return UNAVAILABLE;
  return UNKNOWN;
}

/** A time.Duration as Go's %v prints it ("1s", "1.5s", "2m0s", "500ms"). */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** HealthCheckRequest{string service = 1}: field 1, wire type 2, omitted when empty (proto3). */
export function encodeCheckRequest(service: string): Buffer {
  const value = Buffer.from(service, 'utf8');
  const parts: number[] = [];
  if (value.length > 0) {
    parts.push(0x0a);
    for (let n = value.length; ; n >>>= 7) {
      if (n < 0x80) {
        parts.push(n);
        break;
      }
      parts.push((n & 0x7f) | 0x80);
    }
  }
  const body = Buffer.concat([Buffer.from(parts), value]);
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(body.length, 1);
  return Buffer.concat([frame, body]);
}

/** HealthCheckResponse{ServingStatus status = 1}: the status, skipping any field a newer server adds. */
export function decodeCheckResponse(msg: Buffer): number {
  let status = 0;
  let i = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      if (i >= msg.length) throw new Error('unexpected EOF');
      const b = msg[i++] as number;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      if (shift > 63) throw new Error('variable length integer overflow');
    }
  };
  while (i < msg.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      const v = varint();
      if (field === 1) status = v;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) i += varint();
    else throw new Error(`cannot parse invalid wire-format data`);
    if (i > msg.length) throw new Error('unexpected EOF');
  }
  return status;
}

/** grpc-message is percent-encoded on the wire. */
function decodeGrpcMessage(v: unknown): string {
  const s = typeof v === 'string' ? v : '';
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

type Answer = { code: number; message: string; body: Buffer };

/**
 * The call's outcome from its headers, data and trailers, as grpc-go's transport reads them: an HTTP
 * status other than 200 or a content-type other than application/grpc[+…|;…] ends the call whatever
 * grpc-status says.
 */
function answerOf(
  headers: http2.IncomingHttpHeaders,
  trailers: http2.IncomingHttpHeaders,
  body: Buffer,
): Answer {
  // Node gives :status as a number, whatever its typings say.
  const httpStatus = headers[':status'] === undefined ? undefined : Number(headers[':status']);
  const contentType = headers['content-type'];
  const errs: string[] = [];
  if (httpStatus !== undefined && httpStatus !== 200)
    errs.push(
      `unexpected HTTP status code received from server: ${httpStatus} (${STATUS_CODES[httpStatus] ?? ''})`,
    );
  const isGrpc = typeof contentType === 'string' && /^application\/grpc($|[+;])/.test(contentType);
  if (contentType !== undefined && !isGrpc)
    errs.push(`transport: received unexpected content-type "${String(contentType)}"`);
  if (!isGrpc || errs.length > 0) {
    const code = httpStatus === undefined ? INTERNAL : codeOfHttpStatus(httpStatus);
    return { code, message: errs.join('; '), body };
  }
  const statusFrom = trailers['grpc-status'] ?? headers['grpc-status'];
  if (statusFrom === undefined)
    return { code: INTERNAL, message: 'server closed the stream without sending trailers', body };
  const message = decodeGrpcMessage(trailers['grpc-message'] ?? headers['grpc-message']);
  return { code: Number(statusFrom), message, body };
}

/**
 * Connects to a server that speaks HTTP/2 (its SETTINGS came: grpc-go's READY). A refused, reset or
 * non-HTTP/2 connection is redialled after a jittered backoff, as grpc-go's blocking dial does, so
 * only the deadline ends the attempts.
 */
function dial(authority: string, deadline: number): Promise<http2.ClientHttp2Session | 'timeout'> {
  return new Promise((resolve) => {
    let backoff = 1000;
    let done = false;
    let current: http2.ClientHttp2Session | undefined;
    let redial: NodeJS.Timeout | undefined;
    const finish = (r: http2.ClientHttp2Session | 'timeout') => {
      if (done) return;
      done = true;
      clearTimeout(overall);
      clearTimeout(redial);
      if (r === 'timeout') current?.destroy();
      resolve(r);
    };
    const overall = setTimeout(() => finish('timeout'), Math.max(0, deadline - Date.now()));
    const again = () => {
      if (done) return;
      redial = setTimeout(attempt, backoff * (0.8 + Math.random() * 0.4));
      backoff *= 1.6;
    };
    const attempt = () => {
      let session: http2.ClientHttp2Session;
      try {
        session = http2.connect(`http://${authority}`);
      } catch {
        // No address to dial (a pod without its IP yet): grpc-go's resolver fails the same way, and
        // waits out the deadline as well.
        return again();
      }
      current = session;
      session.on('error', () => {});
      session.once('close', again);
      session.once('remoteSettings', () => {
        session.removeListener('close', again);
        finish(session);
      });
    };
    attempt();
  });
}

/** One Health/Check call against host:port for `service`, all of it within timeoutMs. */
export async function grpcHealthProbe(
  host: string,
  port: number,
  service: string,
  timeoutMs: number,
): Promise<GrpcProbeResult> {
  const addr = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const within = goDuration(timeoutMs);
  const deadline = Date.now() + timeoutMs;
  const session = await dial(addr, deadline);
  if (session === 'timeout')
    return {
      ok: false,
      output: `timeout: failed to connect service "${addr}" within ${within}: context deadline exceeded`,
    };
  const call = new Promise<Answer | 'timeout'>((resolve) => {
    const left = Math.max(1, deadline - Date.now());
    const stream = session.request({
      ':method': 'POST',
      ':path': CHECK_PATH,
      ':scheme': 'http',
      ':authority': addr,
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': USER_AGENT,
      'grpc-timeout': `${left}m`,
    });
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => resolve('timeout'), left);
    const settle = (a: Answer) => {
      clearTimeout(timer);
      resolve(a);
    };
    stream.on('response', (h) => {
      headers = h;
    });
    stream.on('trailers', (t) => {
      trailers = t;
    });
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('error', () => {});
    stream.on('close', () => {
      const rst = stream.rstCode ?? 0;
      if (rst !== http2.constants.NGHTTP2_NO_ERROR)
        return settle({
          code: codeOfRstStream(rst),
          message: `stream terminated by RST_STREAM with error code: ${rstName(rst)}`,
          body: Buffer.alloc(0),
        });
      if (headers[':status'] === undefined)
        return settle({
          code: UNAVAILABLE,
          message: 'error reading from server: EOF',
          body: Buffer.alloc(0),
        });
      settle(answerOf(headers, trailers, Buffer.concat(chunks)));
    });
    stream.end(encodeCheckRequest(service));
  });
  // A session the server closed just after its SETTINGS refuses new streams at once.
  const answer = await call
    .catch((err: Error): Answer => ({ code: UNAVAILABLE, message: err.message, body: Buffer.alloc(0) }))
    .finally(() => session.destroy());
  if (answer === 'timeout')
    return { ok: false, output: `timeout: health rpc did not complete within ${within}` };
  const failed = (code: number, message: string): GrpcProbeResult => {
    if (code === UNIMPLEMENTED)
      return {
        ok: false,
        output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${message}`,
      };
    if (code === DEADLINE_EXCEEDED)
      return { ok: false, output: `timeout: health rpc did not complete within ${within}` };
    return {
      ok: false,
      output: `error: health rpc probe failed: rpc error: code = ${codeName(code)} desc = ${message}`,
    };
  };
  if (answer.code !== 0) return failed(answer.code, answer.message);
  const body = answer.body;
  if (body.length < 5) return failed(INTERNAL, 'unexpected EOF');
  if (body[0] !== 0) return failed(INTERNAL, 'grpc: compressed flag set with identity or empty encoding');
  const length = body.readUInt32BE(1);
  if (body.length < 5 + length) return failed(INTERNAL, 'unexpected EOF');
  let status: number;
  try {
    status = decodeCheckResponse(body.subarray(5, 5 + length));
  } catch (err) {
    return failed(INTERNAL, `grpc: failed to unmarshal the received message: ${(err as Error).message}`);
  }
  if (status !== 1)
    return { ok: false, output: `service unhealthy (responded with "${servingStatus[status] ?? status}")` };
  return { ok: true, output: 'service healthy' };
}

const rstNames = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
];

/** HTTP/2 error code names, as Go's http2.ErrCode prints them. */
const rstName = (code: number) => rstNames[code] ?? `unknown error code 0x${code.toString(16)}`;

/** The code grpc-go gives a stream the server reset (its http2ErrConvTab). */
function codeOfRstStream(code: number): number {
  const name = rstNames[code];
  if (name === 'REFUSED_STREAM') return UNAVAILABLE;
  if (name === 'CANCEL') return 1;
  if (name === 'FLOW_CONTROL_ERROR' || name === 'ENHANCE_YOUR_CALM') return 8;
  if (name === 'INADEQUATE_SECURITY') return 7;
  return name === undefined ? UNKNOWN : INTERNAL;
}
