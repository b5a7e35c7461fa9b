// Host → container throughput through a forwarded port against the engine's own published port:
//   node --import tsx vm/forward/bench.ts [MiB=512] [dropbear -W window bytes]
// A container counts what it receives (`wc -c`) and answers with the count; a client in a process of
// its own sends MiB, half-closes, and stops the clock at the count, which must be all it sent. "direct" goes to the engine's published port; "forwarded" to the forwarder's
// listener, then SSH (ssh2 → dropbear) to that same published port.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually, loadBusybox, startDaemon, stopDaemon } from '../../test/conformance/harness.ts';
import { HostForwarder } from './forwarder.ts';
import { freePort, TestSshd } from './test-guest.ts';

const mib = Number(process.argv[2] ?? 512);
const window = process.argv[3];

const client = `
const net = require('node:net');
const [host, port, mib] = process.argv.slice(1);
const chunk = Buffer.alloc(1 << 20, 1);
const t0 = process.hrtime.bigint();
const s = net.connect(Number(port), host, () => {
  let left = Number(mib);
  const more = () => { while (left > 0) { left--; if (!s.write(chunk)) return s.once('drain', more); } s.end(); };
  more();
});
let reply = '';
s.on('data', (d) => { reply += d; });
s.on('close', () => {
  if (Number(reply.trim()) !== Number(mib) * chunk.length) { console.error('short: ' + reply); process.exit(1); }
  console.log(Number(process.hrtime.bigint() - t0) / 1e9);
});
s.on('error', (e) => { console.error(e.message); process.exit(1); });
`;

function send(host: string, port: number): Promise<number> {
  const c = spawn(process.execPath, ['-e', client, host, String(port), String(mib)]);
  let out = '';
  c.stdout.on('data', (d) => {
    out += d;
  });
  c.stderr.pipe(process.stderr);
  return new Promise((resolve, reject) =>
    c.on('close', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`client exit ${code}`)))),
  );
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'bf-bench-'));
const sshd = new TestSshd(window ? ['-W', window] : []);
await sshd.start();
const dockerPort = await freePort();
const daemon = await startDaemon('berthd', ['-H', `tcp://127.0.0.1:${dockerPort}`]);
const enginePort = await freePort('127.0.0.2');
const hostPort = await freePort('127.0.0.3');
const fwd = new HostForwarder({
  ssh: { port: sshd.port, privateKey: sshd.privateKey, knownHostFile: path.join(tmp, 'known') },
  dockerSocket: path.join(tmp, 'docker.sock'),
  dockerGuest: { host: '127.0.0.1', port: dockerPort },
  ports: { listenAddress: (p) => ({ host: '127.0.0.3', port: p.port === enginePort ? hostPort : p.port }) },
});
try {
  await loadBusybox(daemon);
  await fwd.start();
  await fwd.link.whenConnected(20_000);
  const r = daemon.docker([
    'run',
    '-d',
    '-p',
    `127.0.0.2:${enginePort}:80`,
    'busybox',
    'nc',
    '-ll',
    '-p',
    '80',
    '-e',
    'wc',
    '-c',
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
  await eventually(() => fwd.ports.listening().size > 0, 20_000, 'the forward');
  await new Promise((res) => setTimeout(res, 500));
  for (const round of [1, 2]) {
    const direct = await send('127.0.0.2', enginePort);
    const forwarded = await send('127.0.0.3', hostPort);
    console.log(
      `round ${round}: ${mib} MiB direct ${(mib / direct).toFixed(0)} MiB/s (${direct.toFixed(2)} s), ` +
        `forwarded ${(mib / forwarded).toFixed(0)} MiB/s (${forwarded.toFixed(2)} s)` +
        (window ? `, dropbear -W ${window}` : ', dropbear default window'),
    );
  }
} finally {
  await fwd.stop();
  await stopDaemon(daemon);
  await sshd.close();
  rmSync(tmp, { recursive: true, force: true });
}
