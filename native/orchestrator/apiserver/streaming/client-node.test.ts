// @kubernetes/client-node 1.4's Exec and PortForward against the API server with the host backend:
// v5 exec with a status callback, and port-forward over `v4.channel.k8s.io` channels.
import assert from 'node:assert/strict';
import net from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { Exec, KubeConfig, PortForward, type V1Status } from '@kubernetes/client-node';
import { startTestServer, type TestServer, testToken } from '../test-server.ts';
import { HostBackend } from './host-backend.ts';
import { registerStreaming } from './index.ts';
import { makePod } from './test-pods.ts';

let s: TestServer;
let kc: KubeConfig;
const backend = new HostBackend();

before(async () => {
  s = await startTestServer({
    configure: (r) => registerStreaming(r, { remoteCommand: backend, portForward: backend }),
    tls: true,
  });
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 't', server: s.url, caData: Buffer.from(s.caCert!).toString('base64') }],
    users: [{ name: 't', token: testToken }],
    contexts: [{ name: 't', cluster: 't', user: 't' }],
    currentContext: 't',
  });
  await makePod(s, 'box');
});
after(async () => {
  await s.close();
  backend.cleanup();
});

const collect = () => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c) => {
    text += c;
  });
  return { stream, text: () => text };
};

test('Exec (v5): stdout, stderr, stdin to its end, and the exit code in the status', async () => {
  const out = collect();
  const err = collect();
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(kc)
      .exec(
        'default',
        'box',
        'main',
        ['sh', '-c', 'cat; echo oops >&2; exit 4'],
        out.stream,
        err.stream,
        Readable.from([Buffer.from('from stdin\n')]),
        false,
        resolve,
      )
      .then((ws) => ws.on('error', reject), reject);
  });
  assert.equal(out.text(), 'from stdin\n');
  assert.equal(err.text(), 'oops\n');
  assert.equal(status.status, 'Failure');
  assert.equal(status.reason, 'NonZeroExitCode');
  assert.deepEqual(status.details?.causes, [{ reason: 'ExitCode', message: '4' }]);
});

test('Exec: a missing pod fails the connection itself (no socket that opens and dies)', async () => {
  await assert.rejects(
    new Exec(kc).exec('default', 'nope', 'main', ['true'], null, null, null, false),
    (e: { message?: string }) => /Unexpected server response: 404/.test(String(e.message)),
  );
});

test('PortForward (v4 channels): one TCP connection per WebSocket, a round trip', async () => {
  const target = net.createServer((c) => {
    c.on('data', (d) => c.write(`pong:${d}`));
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const remote = (target.address() as net.AddressInfo).port;
  const forward = new PortForward(kc);
  const local = net.createServer((socket) => {
    void forward.portForward('default', 'box', [remote], socket, null, socket);
  });
  await new Promise<void>((r) => local.listen(0, '127.0.0.1', r));
  try {
    const reply = await new Promise<string>((resolve, reject) => {
      const c = net.connect((local.address() as net.AddressInfo).port, '127.0.0.1');
      let got = '';
      c.on('data', (d) => {
        got += d;
        if (got.includes('pong:ping')) {
          c.end();
          resolve(got);
        }
      });
      c.on('error', reject);
      setTimeout(() => reject(new Error(`no reply: ${JSON.stringify(got)}`)), 10_000);
      c.write('ping');
    });
    // The two-byte port prefix on the data channel is client-node's to strip: nothing else comes first.
    assert.equal(reply, 'pong:ping');
  } finally {
    local.close();
    target.close();
  }
});
