// The gRPC probe against real node:http2 servers on 127.0.0.1: a health service that answers per
// service name, servers that answer with gRPC errors or not as gRPC at all, servers that never answer,
// and a refused port. The server side frames and encodes its messages by hand, apart from the client's
// own codec, so that a wrong encoding on either side shows.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, test } from 'node:test';
import { ManualClock } from '../../core/manual-clock.ts';
import { goDuration, grpcHealthProbe } from './grpc-health.ts';
import { ContainerProber, type ProbeTransport } from './probes.ts';

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, service: string) => void;

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
});

/** The service name from a framed HealthCheckRequest (field 1, one-byte length: names here are short). */
function serviceOf(frame: Buffer): string {
  assert.equal(frame[0], 0, 'uncompressed');
  const len = frame.readUInt32BE(1);
  assert.equal(frame.length, 5 + len, 'one whole message');
  if (len === 0) return '';
  assert.equal(frame[5], 0x0a, 'field 1, length-delimited');
  assert.equal(frame[6], len - 2);
  return frame.subarray(7).toString('utf8');
}

/** A framed HealthCheckResponse{status}: field 1 varint. */
const statusFrame = (status: number) => Buffer.from([0, 0, 0, 0, 2, 0x08, status]);

async function h2Server(handler: Handler): Promise<{ port: number; seen: http2.IncomingHttpHeaders[] }> {
  const seen: http2.IncomingHttpHeaders[] = [];
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    seen.push(headers);
    stream.on('error', () => {});
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => handler(stream, headers, serviceOf(Buffer.concat(chunks))));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => {
    for (const s of sessions) s.destroy();
    await new Promise((r) => server.close(r));
  });
  return { port: (server.address() as net.AddressInfo).port, seen };
}

/** A health service as grpc-go's answers: a status per registered service, trailers after the message. */
function health(statuses: Record<string, number>): Handler {
  return (stream, _headers, service) => {
    const status = statuses[service];
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () =>
      stream.sendTrailers(
        status === undefined
          ? { 'grpc-status': '5', 'grpc-message': 'unknown%20service' }
          : { 'grpc-status': '0' },
      ),
    );
    stream.end(status === undefined ? undefined : statusFrame(status));
  };
}

const timed = async <T>(p: Promise<T>): Promise<[T, number]> => {
  const t0 = Date.now();
  const r = await p;
  return [r, Date.now() - t0];
};

test('SERVING passes; NOT_SERVING and SERVICE_UNKNOWN fail with the status named; the service is asked for', async () => {
  const { port, seen } = await h2Server(health({ '': 1, 'app.v1.Orders': 1, db: 2, cache: 3, old: 7 }));
  assert.deepEqual(await grpcHealthProbe('127.0.0.1', port, '', 1000), {
    ok: true,
    output: 'service healthy',
  });
  assert.deepEqual(await grpcHealthProbe('127.0.0.1', port, 'app.v1.Orders', 1000), {
    ok: true,
    output: 'service healthy',
  });
  assert.deepEqual(await grpcHealthProbe('127.0.0.1', port, 'db', 1000), {
    ok: false,
    output: 'service unhealthy (responded with "NOT_SERVING")',
  });
  assert.deepEqual(await grpcHealthProbe('127.0.0.1', port, 'cache', 1000), {
    ok: false,
    output: 'service unhealthy (responded with "SERVICE_UNKNOWN")',
  });
  assert.deepEqual(await grpcHealthProbe('127.0.0.1', port, 'old', 1000), {
    ok: false,
    output: 'service unhealthy (responded with "7")',
  });
  const h = seen[0]!;
  assert.equal(h[':method'], 'POST');
  assert.equal(h[':path'], '/grpc.health.v1.Health/Check');
  assert.equal(h['content-type'], 'application/grpc');
  assert.equal(h.te, 'trailers');
  assert.equal(h['user-agent'], 'kube-probe/1.32');
  assert.match(String(h['grpc-timeout']), /^\d+m$/);
  assert.ok(Number.parseInt(String(h['grpc-timeout']), 10) <= 1000);
});

test('gRPC errors: an unregistered service, an unimplemented health service, a server-side deadline', async () => {
  const { port } = await h2Server((stream, _h, service) => {
    if (service === 'late') {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '4' },
        { endStream: true },
      );
      return;
    }
    if (service === 'missing') return health({})(stream, _h, service);
    // Trailers-only, as a gRPC server without the health service answers.
    stream.respond(
      {
        ':status': 200,
        'content-type': 'application/grpc',
        'grpc-status': '12',
        'grpc-message': 'unknown service grpc.health.v1.Health',
      },
      { endStream: true },
    );
  });
  assert.deepEqual(await grpcHealthProbe('127.0.0.1', port, 'missing', 1000), {
    ok: false,
    output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service',
  });
  assert.deepEqual(await grpcHealthProbe('127.0.0.1', port, '', 1000), {
    ok: false,
    output:
      'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): unknown service grpc.health.v1.Health',
  });
  assert.deepEqual(await grpcHealthProbe('127.0.0.1', port, 'late', 2000), {
    ok: false,
    output: 'timeout: health rpc did not complete within 2s',
  });
});

test('a stream the server resets is an error with the HTTP/2 code named', async () => {
  const { port } = await h2Server((stream) => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM));
  assert.deepEqual(await grpcHealthProbe('127.0.0.1', port, '', 1000), {
    ok: false,
    output:
      'error: health rpc probe failed: rpc error: code = Unavailable desc = stream terminated by RST_STREAM with error code: REFUSED_STREAM',
  });
});

test('an HTTP/2 server that is not gRPC: its HTTP status and content-type are the error', async () => {
  const { port } = await h2Server((stream) => {
    stream.respond({ ':status': 404, 'content-type': 'text/plain' });
    stream.end('not found');
  });
  assert.deepEqual(await grpcHealthProbe('127.0.0.1', port, '', 1000), {
    ok: false,
    output:
      'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): unexpected HTTP status code received from server: 404 (Not Found); transport: received unexpected content-type "text/plain"',
  });
});

test('a server that takes the call and never answers times out at timeoutSeconds', async () => {
  const { port, seen } = await h2Server(() => {});
  const [r, ms] = await timed(grpcHealthProbe('127.0.0.1', port, 'app', 1000));
  assert.deepEqual(r, { ok: false, output: 'timeout: health rpc did not complete within 1s' });
  assert.equal(seen.length, 1, 'the call reached the server');
  assert.ok(ms >= 950 && ms < 2500, `took ${ms}ms`);
});

test('a listener that never speaks HTTP/2 fails to connect within the timeout', async () => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });
  const port = (server.address() as net.AddressInfo).port;
  const [r, ms] = await timed(grpcHealthProbe('127.0.0.1', port, '', 1000));
  assert.deepEqual(r, {
    ok: false,
    output: `timeout: failed to connect service "127.0.0.1:${port}" within 1s: context deadline exceeded`,
  });
  assert.equal(sockets.size, 1, 'the TCP connection was made');
  assert.ok(ms >= 950 && ms < 2500, `took ${ms}ms`);
});

/** A port nothing listens on: one a listener just let go. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('a refused port keeps being redialled until the deadline, then fails as a connect timeout', async () => {
  const port = await closedPort();
  const [r, ms] = await timed(grpcHealthProbe('127.0.0.1', port, '', 1000));
  assert.deepEqual(r, {
    ok: false,
    output: `timeout: failed to connect service "127.0.0.1:${port}" within 1s: context deadline exceeded`,
  });
  assert.ok(ms >= 950 && ms < 2500, `took ${ms}ms`);
});

test('no host to dial (a pod IP not known yet) fails as the connect timeout, as in kubelet', async () => {
  const [r, ms] = await timed(grpcHealthProbe('', 32, '', 1000));
  assert.deepEqual(r, {
    ok: false,
    output: 'timeout: failed to connect service ":32" within 1s: context deadline exceeded',
  });
  assert.ok(ms >= 950 && ms < 2500, `took ${ms}ms`);
});

test('a server that starts listening within the timeout is reached by a redial', async () => {
  const port = await closedPort();
  const probe = grpcHealthProbe('127.0.0.1', port, '', 3000);
  await new Promise((r) => setTimeout(r, 300));
  const server = http2.createServer();
  server.on('stream', (stream) => health({ '': 1 })(stream, {}, ''));
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  assert.deepEqual(await probe, { ok: true, output: 'service healthy' });
});

test('timeouts print as Go prints a time.Duration', () => {
  assert.equal(goDuration(1000), '1s');
  assert.equal(goDuration(1500), '1.5s');
  assert.equal(goDuration(60_000), '1m0s');
  assert.equal(goDuration(90_000), '1m30s');
  assert.equal(goDuration(3_600_000), '1h0m0s');
  assert.equal(goDuration(500), '500ms');
});

test('a readiness probe against a real health server: NOT_SERVING takes the container out of ready, SERVING brings it back', async () => {
  let status = 1;
  const { port } = await h2Server((stream, headers, service) =>
    health({ app: status })(stream, headers, service),
  );
  const clock = new ManualClock(0);
  const events: string[] = [];
  let calls = 0;
  const unused = async () => ({ ok: false, output: 'not this probe' });
  const transport: ProbeTransport = {
    exec: unused,
    http: unused,
    tcp: unused,
    async grpc(host, p, service, timeoutMs) {
      const r = await grpcHealthProbe(host, p, service, timeoutMs);
      calls++;
      return r;
    },
  };
  const prober = new ContainerProber(
    'c1',
    {
      name: 'app',
      readinessProbe: { grpc: { port, service: 'app' }, periodSeconds: 5, failureThreshold: 1 },
    },
    () => '127.0.0.1',
    clock,
    transport,
    { changed: () => events.push('changed'), unhealthy: (_k, m) => events.push(m), kill: () => {} },
  );
  /** Moves the clock to the next probe and waits for its real round trip. */
  const probeAfter = async (ms: number) => {
    const n = calls;
    await clock.advance(ms);
    while (calls === n) await new Promise((r) => setTimeout(r, 5));
    await clock.advance(0);
  };
  assert.equal(prober.ready, false);
  await probeAfter(0);
  assert.equal(prober.ready, true);
  status = 2;
  await probeAfter(5000);
  assert.equal(prober.ready, false);
  status = 1;
  await probeAfter(5000);
  assert.equal(prober.ready, true);
  prober.stop();
  assert.deepEqual(events, [
    'changed',
    'Readiness probe failed: service unhealthy (responded with "NOT_SERVING")',
    'changed',
    'changed',
  ]);
});
