// The real kubectl 1.32 against the API server (test-server.ts, plain HTTP, a bearer token) with the
// streaming subresources served by the host backend: exec (output, exit codes, stdin, a tty), cp,
// attach and port-forward (SPDY tunnelled in a WebSocket), and the errors kubectl shows.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer, testToken } from '../test-server.ts';
import { HostBackend } from './host-backend.ts';
import { registerStreaming } from './index.ts';
import { makePod } from './test-pods.ts';

let s: TestServer;
let home: string;
let kubeconfig: string;
const backend = new HostBackend();

before(async () => {
  s = await startTestServer({
    configure: (r) => registerStreaming(r, { remoteCommand: backend, portForward: backend }),
    tls: true,
  });
  home = mkdtempSync(path.join(os.tmpdir(), 'berth-kubectl-home-'));
  kubeconfig = path.join(home, 'config');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: t, cluster: {server: "${s.url}", certificate-authority-data: ${Buffer.from(s.caCert!).toString('base64')}}}]`,
      `users: [{name: t, user: {token: ${testToken}}}]`,
      'contexts: [{name: t, context: {cluster: t, user: t, namespace: default}}]',
      'current-context: t',
      '',
    ].join('\n'),
  );
  await makePod(s, 'box');
  await makePod(s, 'pending', { phase: 'Pending' });
  await makePod(s, 'pair', {
    containers: [
      { name: 'first', image: 'busybox' },
      { name: 'second', image: 'busybox' },
    ],
  });
  await makePod(s, 'echo', {
    containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'read line; echo "got $line"'] }],
  });
});
after(async () => {
  await s.close();
  backend.cleanup();
  rmSync(home, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** kubectl as a child (never spawnSync: the server it talks to runs in this process). */
function kubectl(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      env: { ...process.env, HOME: home, KUBECONFIG: '' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubectl ${args.join(' ')} timed out: ${Buffer.concat(err)}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
    child.stdin.end(opts.input ?? '');
  });
}

test('kubectl exec: stdout and stderr apart, and the command’s exit code as kubectl’s', async () => {
  const r = await kubectl(['exec', 'box', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, 'out\n');
  assert.match(r.stderr, /^err\n/);
  assert.match(r.stderr, /command terminated with exit code 3/);
  const ok = await kubectl(['exec', 'box', '--', 'sh', '-c', 'printf "%s" "$0"', 'arg zero']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'arg zero');
  assert.equal(ok.stderr, '');
});

test('kubectl exec -i: piped stdin reaches the command and its end closes it (v5 close)', async () => {
  const input = Buffer.alloc(300_000, 'abcdefghij\n');
  const r = await kubectl(['exec', '-i', 'box', '--', 'sh', '-c', 'tr a-z A-Z | wc -c; echo done'], {
    input,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split(/\s+/).join(' '), `${input.length} done`);
});

test('kubectl exec -it: a terminal of the client’s size, resized through channel 4', async () => {
  const pty = await import('@lydell/node-pty');
  const term = pty.spawn(
    'kubectl',
    [
      '--kubeconfig',
      kubeconfig,
      'exec',
      '-it',
      'box',
      '--',
      'sh',
      '-c',
      'while [ "$(stty size)" = "24 80" ]; do sleep 0.05; done; stty size; tty; exit 7',
    ],
    { cols: 101, rows: 33, env: { ...process.env, HOME: home, KUBECONFIG: '' } as Record<string, string> },
  );
  let out = '';
  term.onData((d) => {
    out += d;
  });
  const code = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no exit: ${out}`)), 20_000);
    term.onExit(({ exitCode }) => {
      clearTimeout(t);
      resolve(exitCode);
    });
  });
  assert.match(out, /33 101/);
  assert.match(out, /\/dev\/pts\/\d+/);
  assert.equal(code, 7, out);
  assert.ok(backend.calls.some((c) => c.kind === 'exec' && c.tty));
});

test('kubectl cp copies a file into the pod and back out (tar over exec)', async () => {
  const local = mkdtempSync(path.join(os.tmpdir(), 'berth-cp-'));
  try {
    const body = Buffer.alloc(200_000, 'payload-');
    writeFileSync(path.join(local, 'in.txt'), body);
    const put = await kubectl(['cp', path.join(local, 'in.txt'), 'box:copied.txt']);
    assert.equal(put.code, 0, put.stderr);
    assert.deepEqual(readFileSync(path.join(backend.podDir('default/box'), 'copied.txt')), body);
    writeFileSync(path.join(backend.podDir('default/box'), 'made-in-pod.txt'), 'from the pod\n');
    const get = await kubectl(['cp', 'box:made-in-pod.txt', path.join(local, 'out.txt')]);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(readFileSync(path.join(local, 'out.txt'), 'utf8'), 'from the pod\n');
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
});

test('kubectl attach -i: stdin to the container’s process, its output back', async () => {
  const r = await kubectl(['attach', '-i', 'echo'], { input: 'hello\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /got hello/);
});

test('errors answer the upgrade, in kube-apiserver’s and the kubelet’s words', async () => {
  const missing = await kubectl(['exec', 'nope', '--', 'true']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Error from server \(NotFound\): pods "nope" not found/);
  const badContainer = await kubectl(['exec', 'box', '-c', 'other', '--', 'true']);
  assert.equal(badContainer.code, 1);
  assert.match(badContainer.stderr, /container other is not valid for pod box/);
  const pending = await kubectl(['exec', 'pending', '--', 'true']);
  assert.equal(pending.code, 1);
  assert.match(pending.stderr, /container not found \("main"\)/);
  const notThere = await kubectl(['exec', 'box', '--', 'no-such-command-here']);
  assert.notEqual(notThere.code, 0);
  assert.match(notThere.stderr, /executable file not found in \$PATH/);
});

test('kubectl exec picks the first container of two (and says so)', async () => {
  const r = await kubectl(['exec', 'pair', '--', 'true']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Defaulted container "first"/);
  assert.equal(backend.calls.at(-1)?.container, 'first');
});

test('kubectl port-forward (SPDY in a WebSocket): TCP round trips, two connections at once', async () => {
  const server = net.createServer((c) => {
    c.on('data', (d) => c.write(`echo:${d}`));
    c.on('end', () => c.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const remote = (server.address() as net.AddressInfo).port;
  const child = spawn('kubectl', ['--kubeconfig', kubeconfig, 'port-forward', 'pod/box', `:${remote}`], {
    env: { ...process.env, HOME: home, KUBECONFIG: '' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c;
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c;
  });
  try {
    const local = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`kubectl port-forward did not start: ${out} ${err}`)),
        15_000,
      );
      const check = () => {
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(Number(m[1]));
        } else setTimeout(check, 50);
      };
      check();
    });
    const roundTrip = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const c = net.connect(local, '127.0.0.1');
        let got = '';
        c.on('data', (d) => {
          got += d;
          if (got.length >= `echo:${text}`.length) c.end();
        });
        c.on('close', () => resolve(got));
        c.on('error', reject);
        c.write(text);
      });
    const [a, b] = await Promise.all([roundTrip('first'), roundTrip('second')]);
    assert.equal(a, 'echo:first');
    assert.equal(b, 'echo:second');
    assert.equal(await roundTrip('third'), 'echo:third');
    assert.equal(child.exitCode, null, err);
  } finally {
    child.kill();
    server.close();
  }
});
