// npm run bench (networking): berthd against dockerd (Debian docker.io, when installed) in one run.
//  - time to start 50 containers on one user-defined network, each with a published port, until every
//    one answers HTTP on 127.0.0.1:<its port>
//  - TCP throughput host → container through a published port (512 MiB into `nc -l` in the container)
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { scopeDockerdFirewall } from '../conformance/host-net.ts';
import { printComparison } from './table.ts';

const count = Number(process.env.BENCH_CONTAINERS ?? 50);
const streamMiB = Number(process.env.BENCH_STREAM_MIB ?? 512);

function get(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/hostname', timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

async function reachable(port: number, deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs) {
    if (await get(port)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`port ${port} never answered`);
}

function ok(d: Daemon, args: string[]): string {
  const r = d.docker(args, { timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`${d.kind}: docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

async function startMany(d: Daemon): Promise<number> {
  const t0 = performance.now();
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    ok(d, [
      'run',
      '-d',
      '--name',
      `b${i}`,
      '--network',
      'benchnet',
      '-p',
      '127.0.0.1::80',
      'busybox',
      'httpd',
      '-f',
      '-p',
      '80',
      '-h',
      '/etc',
    ]);
    ports.push(
      Number(
        ok(d, ['port', `b${i}`, '80/tcp'])
          .split('\n')[0]
          .split(':')
          .pop(),
      ),
    );
  }
  const deadline = Date.now() + 60_000;
  await Promise.all(ports.map((p) => reachable(p, deadline)));
  const ms = performance.now() - t0;
  console.log(`${d.kind}: ${count} containers up and answering after ${ms.toFixed(0)} ms`);
  const t1 = performance.now();
  const rm = d.docker(['rm', '-f', ...Array.from({ length: count }, (_, i) => `b${i}`)], {
    timeoutMs: 300_000,
  });
  // Seen here: dockerd 20.10 with its userland proxy leaves docker-proxy zombies and hangs in rm.
  if (rm.code !== 0)
    console.log(
      `${d.kind}: rm -f of the ${count} containers failed or hung (${rm.code}) ${rm.stderr.trim()}`,
    );
  else console.log(`${d.kind}: removing them took ${(performance.now() - t1).toFixed(0)} ms`);
  d.docker(['network', 'rm', 'benchnet'], { timeoutMs: 60_000 });
  return ms;
}

async function throughput(d: Daemon): Promise<number> {
  // The sink is a Node process in the container's network namespace that counts what it receives:
  // busybox's nc is slower than either engine's path, and a short transfer must not pass for a fast one.
  ok(d, [
    'run',
    '-d',
    '--name',
    'sink',
    '--network',
    'benchnet',
    '-p',
    '127.0.0.1::5001',
    'busybox',
    'sleep',
    '600',
  ]);
  const port = Number(ok(d, ['port', 'sink', '5001/tcp']).split('\n')[0].split(':').pop());
  const key = ok(d, ['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', 'sink']);
  const server = spawn('nsenter', [
    `--net=${key}`,
    process.execPath,
    '-e',
    "let n=0;require('net').createServer(s=>{s.on('data',b=>{n+=b.length});s.on('end',()=>{console.log(n);process.exit(0)})}).listen(5001,()=>console.log('ready'))",
  ]);
  let out = '';
  server.stdout.on('data', (b) => {
    out += b;
  });
  await new Promise<void>((r) => server.stdout.once('data', () => r()));
  const counted = new Promise<number>((r) => server.on('close', () => r(Number(out.split('\n')[1]))));
  const chunk = Buffer.alloc(1024 * 1024, 7);
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let sent = 0;
    s.on('error', reject);
    s.on('connect', () => {
      const pump = () => {
        while (sent < streamMiB) {
          sent++;
          if (!s.write(chunk)) return void s.once('drain', pump);
        }
        s.end();
      };
      pump();
    });
    s.on('close', () => resolve());
  });
  const received = await counted;
  const seconds = (performance.now() - t0) / 1000;
  if (received !== streamMiB * 1024 * 1024) throw new Error(`${d.kind}: the sink received ${received} bytes`);
  d.docker(['rm', '-f', 'sink'], { timeoutMs: 120_000 });
  return (streamMiB * 8 * 1.048576) / seconds;
}

async function measure(d: Daemon) {
  await loadBusybox(d);
  ok(d, ['run', '--rm', 'busybox', 'true']);
  // A user-defined network for both parts (the reference dockerd runs without a default bridge).
  ok(d, ['network', 'create', 'benchnet']);
  const mbps = await throughput(d);
  console.log(`${d.kind}: ${mbps.toFixed(0)} Mbit/s host -> container`);
  const start = await startMany(d);
  console.log(`${d.kind}: start ${start.toFixed(0)} ms, ${mbps.toFixed(0)} Mbit/s`);
  return { start, mbps };
}

const results: Record<string, { start: number; mbps: number }> = {};
const berth = await startDaemon('berthd');
try {
  results.berthd = await measure(berth);
} finally {
  await stopDaemon(berth);
}
if (spawnSync('sh', ['-c', 'command -v dockerd']).status === 0) {
  console.log('starting Debian dockerd (with iptables and its userland proxy) for comparison');
  // dockerd may set the FORWARD policy to DROP and leaves its chains: the scope notes what it found
  // and removes only what this dockerd added (with iptables only if the host's own Docker is apart).
  const firewall = scopeDockerdFirewall();
  if (!firewall.iptables)
    console.log(`reference dockerd without iptables (ports through its proxy): ${firewall.why}`);
  const on = firewall.iptables;
  const dockerd = await startDaemon('dockerd', [`--iptables=${on}`, `--ip-forward=${on}`, `--ip-masq=${on}`]);
  try {
    results.dockerd = await measure(dockerd);
  } finally {
    await stopDaemon(dockerd);
    firewall.restore(dockerd.bridge ?? '');
  }
} else {
  console.log('dockerd is not installed (apt-get install docker.io): printing berthd figures only');
}

const b = results.berthd;
const k = results.dockerd;
printComparison([
  {
    metric: `start ${count} containers, one network, a port each`,
    berthd: b.start,
    dockerd: k?.start,
    unit: 'ms',
    target: 'ratio <= 0.5',
  },
  {
    metric: 'TCP host -> container via published port',
    berthd: b.mbps,
    dockerd: k?.mbps,
    unit: 'Mbit/s',
    target: 'ratio >= 1.0',
  },
]);
