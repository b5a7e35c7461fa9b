import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../test/conformance/harness.ts';
import { backoffDelay, type LinkState, SshLink } from './ssh-link.ts';
import { TestSshd } from './test-guest.ts';

let sshd: TestSshd;
let tmp: string;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'bf-link-'));
  sshd = new TestSshd();
  await sshd.start();
});
after(async () => {
  await sshd?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the SSH link', { timeout: 120_000 }, () => {
  test('back-off doubles from its minimum up to its maximum', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, 250, 10_000)),
      [250, 500, 1000, 2000, 4000, 8000, 10_000],
    );
  });

  test('runs commands in the guest and pins its key on first use', async () => {
    const known = path.join(tmp, 'first', 'key');
    const link = new SshLink({ port: sshd.port, privateKey: sshd.privateKey, knownHostFile: known });
    link.start();
    try {
      await link.whenConnected(20_000);
      const r = await link.run('echo out; echo err >&2; exit 3');
      assert.deepEqual([r.code, r.stdout.toString(), r.stderr], [3, 'out\n', 'err\n']);
      // The exit status also comes in band (dropbear 2022.83 sometimes sends none): none of it shows.
      const partial = await link.run("printf 'no newline' >&2; (exit 7)");
      assert.deepEqual([partial.code, partial.stderr], [7, 'no newline']);
      // Many in a row: each has its code, also on a busy host.
      const codes: number[] = [];
      for (let i = 0; i < 20; i++) codes.push((await link.run(`exit ${i}`)).code);
      assert.deepEqual(codes, [...Array(20).keys()]);
      assert.ok(readFileSync(known, 'utf8').trim().length > 40);
    } finally {
      link.stop();
    }
  });

  test('refuses a guest whose host key is not the pinned one, says why, and keeps retrying with back-off', async () => {
    const known = path.join(tmp, 'other-key');
    // The key of another machine.
    writeFileSync(known, `${Buffer.from('not this guest').toString('base64')}\n`);
    const link = new SshLink({
      port: sshd.port,
      privateKey: sshd.privateKey,
      knownHostFile: known,
      minBackoffMs: 50,
      maxBackoffMs: 200,
    });
    const states: LinkState[] = [];
    link.on('state', (s) => states.push(s));
    link.start();
    try {
      await eventually(() => states.filter((s) => s.state === 'reconnecting').length >= 4, 20_000, 'retries');
      await assert.rejects(
        link.whenConnected(100),
        /not reachable over SSH: the guest's host key is not the one pinned/,
      );
      assert.ok(!states.some((s) => s.state === 'connected'));
      const waits = states.flatMap((s) => (s.state === 'reconnecting' ? [s.retryInMs] : []));
      assert.deepEqual(waits.slice(0, 4), [50, 100, 200, 200]);
    } finally {
      link.stop();
    }
    assert.equal(link.state.state, 'stopped');
  });

  test('before it was first up, a guest whose SSH server is not there yet is tried again soon, then with back-off', async () => {
    const port = await freePort();
    const link = new SshLink({
      port,
      privateKey: sshd.privateKey,
      knownHostFile: path.join(tmp, 'starting', 'key'),
      minBackoffMs: 50,
      maxBackoffMs: 200,
      startupRetryMs: 30,
      startupRetries: 3,
    });
    const states: LinkState[] = [];
    link.on('state', (s) => states.push(s));
    link.start();
    try {
      await eventually(() => states.filter((s) => s.state === 'reconnecting').length >= 5, 20_000, 'retries');
      const waits = states.flatMap((s) => (s.state === 'reconnecting' ? [s.retryInMs] : []));
      assert.deepEqual(waits.slice(0, 5), [30, 30, 30, 200, 200]);
    } finally {
      link.stop();
    }
  });
});

/** A port of 127.0.0.1 that nothing listens on (it was free a moment ago). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
