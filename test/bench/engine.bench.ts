// npm run bench: berthd against dockerd (Debian docker.io, when installed) in one run, same docker CLI.
//  - median of 20 × `docker run --rm busybox true` (end to end)
//  - median of 20 × create+start+wait+remove through dockerode (API level)
//  - idle RSS after start (dockerd counts with its containerd)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { scopeDockerdFirewall } from '../conformance/host-net.ts';
import { printComparison } from './table.ts';

const runs = Number(process.env.BENCH_RUNS ?? 20);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function treeRssKb(pid: number): number {
  const kids = spawnSync('pgrep', ['-P', String(pid)])
    .stdout.toString()
    .split('\n')
    .filter(Boolean)
    .map(Number);
  return rssKb(pid) + kids.reduce((a, k) => a + treeRssKb(k), 0);
}

async function measure(d: Daemon) {
  await new Promise((r) => setTimeout(r, 1000));
  const idleRss = treeRssKb(d.pid()) / 1024;
  await loadBusybox(d);
  // Warm up once so that first-run costs (page cache, layer mount paths) do not skew either side.
  d.docker(['run', '--rm', 'busybox', 'true']);
  const cli: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = d.docker(['run', '--rm', 'busybox', 'true']);
    cli.push(performance.now() - t0);
    if (r.code !== 0) throw new Error(`${d.kind}: docker run failed: ${r.stderr}`);
  }
  const docker = new Docker({ socketPath: d.socket });
  const api: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['true'] });
    await c.start();
    await c.wait();
    await c.remove();
    api.push(performance.now() - t0);
  }
  await new Promise((r) => setTimeout(r, 1000));
  return { cli: median(cli), api: median(api), idleRss, busyRss: treeRssKb(d.pid()) / 1024 };
}

const results: Record<string, { cli: number; api: number; idleRss: number; busyRss: number }> = {};
const berth = await startDaemon('berthd');
try {
  results.berthd = await measure(berth);
} finally {
  await stopDaemon(berth);
}
const hasDockerd = spawnSync('sh', ['-c', 'command -v dockerd']).status === 0;
if (hasDockerd) {
  console.log('starting Debian dockerd on a temporary root and socket for comparison');
  // With a default bridge (the test's own, never docker0) and iptables, as users run it, when that
  // leaves the host's own Docker alone: berthd's containers get the same.
  const firewall = scopeDockerdFirewall();
  if (!firewall.iptables) console.log(`reference dockerd without iptables: ${firewall.why}`);
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
    metric: `docker run --rm busybox true (median of ${runs})`,
    berthd: b.cli,
    dockerd: k?.cli,
    unit: 'ms',
    digits: 1,
    target: 'ratio <= 0.5',
  },
  {
    metric: 'dockerode create+start+wait+remove (median)',
    berthd: b.api,
    dockerd: k?.api,
    unit: 'ms',
    digits: 1,
    target: 'ratio <= 0.3',
  },
  {
    metric: 'idle RSS after start',
    berthd: b.idleRss,
    dockerd: k?.idleRss,
    unit: 'MB',
    digits: 1,
    target: 'berthd <= 60 MB',
  },
  {
    metric: 'RSS after the runs above',
    berthd: b.busyRss,
    dockerd: k?.busyRss,
    unit: 'MB',
    digits: 1,
    target: '(for information)',
  },
]);
