// The Kubernetes side of the forward against a real berthd with its API server: the API port
// forwarded over SSH, and the host's kubeconfig given a `berth` context made from the guest's admin
// kubeconfig (read over SSH), which the real kubectl then uses through the forward.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../test/conformance/harness.ts';
import { HostForwarder } from './forwarder.ts';
import { freePort, startTestGuest, type TestGuest } from './test-guest.ts';

let guest: TestGuest;
let fwd: HostForwarder;
let tmp: string;
let hostPort: number;

function kubectl(args: string[], kubeconfig: string): Promise<{ code: number; out: string }> {
  // Never spawnSync: the forward runs in this process.
  const c = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig } });
  let out = '';
  c.stdout.on('data', (d) => {
    out += d;
  });
  c.stderr.on('data', (d) => {
    out += d;
  });
  return new Promise((resolve) => c.on('close', (code) => resolve({ code: code ?? 1, out })));
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'bf-kube-'));
  const guestPort = await freePort();
  guest = await startTestGuest(['--kubernetes', '--kube-api-port', String(guestPort)]);
  hostPort = await freePort();
  fwd = new HostForwarder({
    ssh: {
      port: guest.sshd.port,
      privateKey: guest.sshd.privateKey,
      knownHostFile: path.join(tmp, 'known_host'),
    },
    dockerSocket: path.join(tmp, 'run', 'docker.sock'),
    dockerGuest: { host: '127.0.0.1', port: guest.dockerPort },
    kubernetes: {
      hostIp: '127.0.0.1',
      hostPort,
      guest: { host: '127.0.0.1', port: guestPort },
      adminKubeconfig: path.join(guest.daemon.dataRoot, 'kubernetes', 'admin.kubeconfig'),
    },
  });
  await fwd.start();
  await fwd.link.whenConnected(30_000);
});

after(async () => {
  await fwd?.stop();
  await guest?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the Kubernetes API through the forward', { timeout: 300_000 }, () => {
  test('kubectl uses the berth context merged into the user’s kubeconfig, which keeps its current context', async () => {
    const file = path.join(tmp, 'kube', 'config');
    const mine = [
      '# the user’s own',
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- cluster:',
      '    server: https://prod.example:443',
      '  name: prod',
      'contexts:',
      '- context:',
      '    cluster: prod',
      '    user: me',
      '  name: prod',
      'current-context: prod',
      'users:',
      '- name: me',
      '  user:',
      '    token: abc',
      '',
    ].join('\n');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, mine);
    // The admin kubeconfig appears once the API server has made its certificates.
    await eventually(
      () =>
        fwd.writeKubeContext(file).then(
          () => true,
          () => false,
        ),
      120_000,
      'the guest’s admin kubeconfig',
    );
    const text = readFileSync(file, 'utf8');
    // The user's clusters come first, as they were; berth's entry follows theirs.
    assert.ok(text.startsWith(`${mine.slice(0, mine.indexOf('contexts:'))}- name: berth\n`), text);
    assert.match(text, new RegExp(`server: https://127\\.0\\.0\\.1:${hostPort}`));
    assert.equal((await kubectl(['config', 'current-context'], file)).out.trim(), 'prod');
    const ns = await eventually(
      async () => {
        const r = await kubectl(['--context', 'berth', 'get', 'namespaces', '-o', 'name'], file);
        return r.code === 0 ? r.out : '';
      },
      120_000,
      'kubectl through the forward',
    );
    assert.match(ns, /^namespace\/default$/m);
  });
});
