// The forwarder against a real SSH server (Debian's dropbear, as in the guest) and a real berthd, with
// the real docker CLI on the host socket. The "guest" is this host, where the engine already holds
// the ports it publishes: the forwarder listens on 127.0.0.3 instead (listenAddress), so an answer
// there can only have come through the forward.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually, loadBusybox } from '../../test/conformance/harness.ts';
import { type ForwarderEvent, HostForwarder } from './forwarder.ts';
import type { PortEvent } from './port-forwarder.ts';
import { freePort, startTestGuest, type TestGuest } from './test-guest.ts';

const relayScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'guest', 'udp-relay.mjs');
const listenHost = '127.0.0.3';

let guest: TestGuest;
let fwd: HostForwarder;
let tmp: string;
let sock: string;
const events: ForwarderEvent[] = [];
/** Host ports the forwarder listens on, by the engine's port (the engine holds the same one here). */
const hostPortFor = new Map<number, number>();

/**
 * The docker CLI on the forwarded socket. Never spawnSync: the forwarder runs in this process, and a
 * blocked event loop would forward nothing.
 */
function docker(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = spawn('docker', args, {
    env: { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: path.join(tmp, 'docker') },
  });
  let stdout = '';
  let stderr = '';
  c.stdout.on('data', (d) => {
    stdout += d;
  });
  c.stderr.on('data', (d) => {
    stderr += d;
  });
  c.stdin.end(input);
  const t = setTimeout(() => c.kill(), 120_000);
  return new Promise((resolve) =>
    c.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? 1, stdout, stderr });
    }),
  );
}
async function ok(args: string[], input?: string): Promise<string> {
  const r = await docker(args, input);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

const portEvents = () =>
  events.filter((e): e is { kind: 'port'; event: PortEvent } => e.kind === 'port').map((e) => e.event);
async function waitPort<K extends PortEvent['kind']>(
  kind: K,
  proto: string,
  port: number,
): Promise<Extract<PortEvent, { kind: K }>> {
  const found = await eventually(
    () => portEvents().find((e) => e.kind === kind && e.port?.proto === proto && e.port?.port === port),
    30_000,
    `${kind} ${proto} ${port}`,
  );
  return found as Extract<PortEvent, { kind: K }>;
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, host);
    c.once('connect', () => {
      c.destroy();
      resolve(false);
    });
    c.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

/** Publishes container port `inner` at the engine's 127.0.0.2:<free>; the forward listens at 127.0.0.3:<other free>. */
async function mapping(): Promise<number> {
  const enginePort = await freePort('127.0.0.2');
  hostPortFor.set(enginePort, await freePort(listenHost));
  return enginePort;
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'bf-fwd-'));
  sock = path.join(tmp, 'run', 'docker.sock');
  guest = await startTestGuest();
  await loadBusybox(guest.daemon);
  fwd = new HostForwarder({
    ssh: {
      port: guest.sshd.port,
      privateKey: guest.sshd.privateKey,
      knownHostFile: path.join(tmp, 'machine', 'ssh_host_key'),
      keepaliveMs: 1000,
      minBackoffMs: 100,
      maxBackoffMs: 1000,
    },
    dockerSocket: sock,
    dockerGuest: { host: '127.0.0.1', port: guest.dockerPort },
    // The engine's API stands in for the Kubernetes API: what is tested is the port's forward.
    kubernetes: {
      hostIp: listenHost,
      hostPort: await freePort(listenHost),
      guest: { host: '127.0.0.1', port: guest.dockerPort },
    },
    ports: {
      listenAddress: (p) => ({ host: listenHost, port: hostPortFor.get(p.port) ?? p.port }),
      udp: { relayCommand: (port, host) => `exec ${process.execPath} ${relayScript} ${port} ${host}` },
    },
  });
  fwd.on('event', (e) => events.push(e));
  await fwd.start();
  await fwd.link.whenConnected(30_000);
});

after(async () => {
  await fwd?.stop();
  await guest?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('forwarding to the guest over SSH', { timeout: 600_000 }, () => {
  test('connects, says so, and pins the guest’s host key', () => {
    const states = events
      .filter((e) => e.kind === 'link')
      .map((e) => (e.kind === 'link' ? e.state.state : ''));
    assert.deepEqual(states.slice(0, 2), ['connecting', 'connected']);
    const pinned = readFileSync(path.join(tmp, 'machine', 'ssh_host_key'), 'utf8').trim();
    const pub = spawnSync('dropbearkey', ['-y', '-f', guest.sshd.hostKey], { encoding: 'utf8' }).stdout;
    assert.match(pub, new RegExp(`^ssh-ed25519 ${pinned.replace(/[+/]/g, '\\$&')} `, 'm'));
  });

  test('the Docker socket is 0600 in a 0700 directory, and the docker CLI works through it', async () => {
    assert.equal(statSync(sock).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(sock)).mode & 0o777, 0o700);
    const v = JSON.parse(await ok(['version', '--format', '{{json .Server}}']));
    assert.ok(v.ApiVersion, 'the server answered');
    assert.equal(await ok(['run', '--rm', 'busybox', 'echo', 'hi']), 'hi');
    // stdin's EOF crosses the forward (half-close) and the output still comes back.
    assert.equal(
      await ok(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done'], 'from the host\n'),
      'from the host\ndone',
    );
    const id = await ok(['run', '-d', 'busybox', 'sleep', '300']);
    assert.equal(await ok(['exec', '-i', id, 'wc', '-c'], 'twelve bytes'), '12');
    await ok(['rm', '-f', id]);
  });

  test('the Kubernetes API port is forwarded', async () => {
    const k = events.find(
      (e) => e.kind === 'port' && e.event.kind === 'opened' && e.event.port.guestPort === guest.dockerPort,
    );
    assert.ok(k && k.kind === 'port' && k.event.kind === 'opened');
    assert.equal(await get(`http://${k.event.address}/_ping`), 'OK');
  });

  test('a published TCP port answers on the host through the forward, and closes with its container', async () => {
    const p = await mapping();
    const id = await ok([
      'run',
      '-d',
      '-p',
      `127.0.0.2:${p}:80`,
      'busybox',
      'httpd',
      '-f',
      '-p',
      '80',
      '-h',
      '/etc',
    ]);
    const opened = await waitPort('opened', 'tcp', p);
    assert.equal(opened.address, `${listenHost}:${hostPortFor.get(p)}`);
    const hostname = await eventually(
      () => get(`http://${listenHost}:${hostPortFor.get(p)}/hostname`).catch(() => ''),
      10_000,
      'httpd through the forward',
    );
    assert.equal(hostname.trim(), id.slice(0, 12));
    await ok(['stop', '-t', '1', id]);
    await waitPort('closed', 'tcp', p);
    assert.ok(await refused(listenHost, hostPortFor.get(p) ?? 0));
    await ok(['rm', '-f', id]);
  });

  test('a port published on a user network is forwarded too; a host port taken is reported and the rest work', async () => {
    await ok(['network', 'create', 'bfnet']);
    const p = await mapping();
    const q = await mapping();
    const blocker = net.createServer().listen(hostPortFor.get(q), listenHost);
    await new Promise((r) => blocker.once('listening', r));
    try {
      const a = await ok([
        'run',
        '-d',
        '--network',
        'bfnet',
        '-p',
        `127.0.0.2:${p}:80`,
        'busybox',
        'httpd',
        '-f',
        '-p',
        '80',
        '-h',
        '/etc',
      ]);
      const b = await ok([
        'run',
        '-d',
        '-p',
        `127.0.0.2:${q}:80`,
        'busybox',
        'httpd',
        '-f',
        '-p',
        '80',
        '-h',
        '/etc',
      ]);
      const conflict = await waitPort('conflict', 'tcp', q);
      assert.deepEqual(conflict.owner, { command: 'node', pid: process.pid });
      assert.match(
        conflict.message,
        new RegExp(
          `port ${hostPortFor.get(q)}: ${listenHost}:\\d+ is taken by node \\(pid ${process.pid}\\)`,
        ),
      );
      await waitPort('opened', 'tcp', p);
      const got = await eventually(
        () => get(`http://${listenHost}:${hostPortFor.get(p)}/hostname`).catch(() => ''),
        10_000,
      );
      assert.equal(got.trim(), a.slice(0, 12));
      // Once the port is free again, a retry takes it.
      await new Promise((r) => blocker.close(r));
      await fwd.ports.retryFailed();
      await waitPort('opened', 'tcp', q);
      const gotB = await eventually(
        () => get(`http://${listenHost}:${hostPortFor.get(q)}/hostname`).catch(() => ''),
        10_000,
      );
      assert.equal(gotB.trim(), b.slice(0, 12));
      await ok(['rm', '-f', a, b]);
      await waitPort('closed', 'tcp', p);
    } finally {
      blocker.close();
      await docker(['network', 'rm', 'bfnet']);
    }
  });

  test('a published UDP port answers each host client through the relay, across a reconnection', async () => {
    const p = await mapping();
    const id = await ok(['run', '-d', '-p', `127.0.0.2:${p}:9999/udp`, 'busybox', 'sleep', '300']);
    // busybox has no UDP server: an echo server runs in the container's network namespace.
    const key = await ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', id]);
    const echo = spawn('nsenter', [
      `--net=${key}`,
      process.execPath,
      '-e',
      "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(Buffer.concat([Buffer.from('echo:'),m]),r.port,r.address));s.bind(9999,()=>console.log('ready'))",
    ]);
    try {
      await new Promise((r) => echo.stdout.once('data', r));
      await waitPort('opened', 'udp', p);
      const ask = async (msg: string) => {
        const c = dgram.createSocket('udp4');
        try {
          return await eventually(
            () =>
              new Promise<string>((resolve) => {
                const t = setTimeout(() => resolve(''), 1000);
                c.once('message', (m) => {
                  clearTimeout(t);
                  resolve(m.toString());
                });
                c.send(msg, hostPortFor.get(p) ?? 0, listenHost);
              }),
            15_000,
            `udp reply to ${msg}`,
          );
        } finally {
          c.close();
        }
      };
      const [one, two] = await Promise.all([ask('one'), ask('two')]);
      assert.deepEqual([one, two], ['echo:one', 'echo:two']);
      // The relay goes with the SSH connection; the next datagram after reconnecting starts a new one.
      await guest.sshd.kill();
      await eventually(() => fwd.link.state.state === 'reconnecting', 30_000, 'reconnecting');
      await guest.sshd.start();
      assert.equal(await ask('three'), 'echo:three');
    } finally {
      echo.kill();
      await ok(['rm', '-f', id]);
    }
    await waitPort('closed', 'udp', p);
  });

  test('another source of ports (the seam Services will use) gets its own forward, at bulk speed', async () => {
    // A sink in a process of its own answers with the byte count once the sender half-closes.
    const sink = spawn(process.execPath, [
      '-e',
      "const s=require('net').createServer({allowHalfOpen:true},(c)=>{let n=0;c.on('data',(d)=>{n+=d.length});c.on('end',()=>c.end(String(n)))});s.listen(0,'127.0.0.1',()=>console.log(s.address().port))",
    ]);
    try {
      const sinkPort = Number(
        await new Promise<string>((r) => sink.stdout.once('data', (d) => r(String(d)))),
      );
      const hostPort = await freePort(listenHost);
      hostPortFor.set(hostPort, hostPort);
      await fwd.ports.setWanted('test-services', [
        { proto: 'tcp', hostIp: listenHost, port: hostPort, guestHost: '127.0.0.1', guestPort: sinkPort },
      ]);
      const mib = 32;
      const t0 = Date.now();
      const count = await new Promise<string>((resolve, reject) => {
        const c = net.connect(hostPort, listenHost, () => c.end(Buffer.alloc(mib << 20, 1)));
        let reply = '';
        c.on('data', (d) => {
          reply += d;
        });
        c.on('close', () => resolve(reply));
        c.on('error', reject);
      });
      const seconds = (Date.now() - t0) / 1000;
      assert.equal(Number(count), mib << 20);
      // Nagle against delayed ACKs at each SSH window made this take a minute; it takes about a second.
      assert.ok(seconds < 20, `${mib} MiB took ${seconds} s`);
      await fwd.ports.setWanted('test-services', []);
      await waitPort('closed', 'tcp', hostPort);
    } finally {
      sink.kill();
    }
  });

  test('heals after the guest’s SSH server goes away and comes back; ports follow what changed meanwhile', async () => {
    const p = await mapping();
    const before = events.length;
    await guest.sshd.kill();
    const down = await eventually(
      () => events.slice(before).find((e) => e.kind === 'link' && e.state.state === 'reconnecting'),
      30_000,
      'reconnecting',
    );
    assert.ok(down?.kind === 'link' && down.state.state === 'reconnecting' && down.state.reason.length > 0);
    // While the link is down, a container starts in the guest (through the engine's own socket).
    const id = guest.daemon
      .docker(['run', '-d', '-p', `127.0.0.2:${p}:80`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc'])
      .stdout.trim();
    assert.ok(id);
    await guest.sshd.start();
    await eventually(
      () => events.slice(before).find((e) => e.kind === 'link' && e.state.state === 'connected'),
      30_000,
      'connected again',
    );
    assert.ok(await ok(['version', '--format', '{{.Server.Version}}']));
    await waitPort('opened', 'tcp', p);
    const got = await eventually(
      () => get(`http://${listenHost}:${hostPortFor.get(p)}/hostname`).catch(() => ''),
      10_000,
    );
    assert.equal(got.trim(), id.slice(0, 12));
    await ok(['rm', '-f', id]);
    await waitPort('closed', 'tcp', p);
  });

  test('follows the engine again when it restarts in the guest while SSH stays up', async () => {
    const before = portEvents().length;
    await guest.daemon.stop();
    await eventually(
      () => events.some((e) => e.kind === 'error' && /cannot follow the engine's events/.test(e.message)),
      30_000,
      'the lost event stream reported',
    );
    await guest.daemon.restart();
    const p = await mapping();
    const id = await ok([
      'run',
      '-d',
      '-p',
      `127.0.0.2:${p}:80`,
      'busybox',
      'httpd',
      '-f',
      '-p',
      '80',
      '-h',
      '/etc',
    ]);
    await waitPort('opened', 'tcp', p);
    const got = await eventually(
      () => get(`http://${listenHost}:${hostPortFor.get(p)}/hostname`).catch(() => ''),
      10_000,
    );
    assert.equal(got.trim(), id.slice(0, 12));
    await ok(['rm', '-f', id]);
    await waitPort('closed', 'tcp', p);
    assert.ok(portEvents().length > before);
  });

  test('stopping removes the socket and closes every listener', async () => {
    const listening = [...fwd.ports.listening().values()];
    assert.ok(listening.length >= 1, 'the Kubernetes API port at least');
    await fwd.stop();
    assert.throws(() => statSync(sock));
    for (const a of listening) {
      const [h, port] = a.split(':');
      assert.ok(await refused(h, Number(port)), `${a} closed`);
    }
  });
});
