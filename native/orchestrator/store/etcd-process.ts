// Starts a private etcd (Debian's etcd-server) for the etcd backend's tests and benchmark: 127.0.0.1
// only, ports the kernel chose a moment ago, a data directory of its own removed at stop.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface EtcdProcess {
  endpoint: string;
  dataDir: string;
  log(): string;
  stop(): Promise<void>;
}

/** The etcd binary, or null when etcd-server is not installed (tests of the backend then skip). */
export function etcdBinary(): string | null {
  for (const p of ['/usr/bin/etcd', '/usr/local/bin/etcd']) {
    if (spawnSync(p, ['--version']).status === 0) return p;
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

export async function startEtcd(opts: { progressNotifyMs?: number } = {}): Promise<EtcdProcess> {
  const bin = etcdBinary();
  if (!bin) throw new Error('etcd is not installed (Debian package etcd-server)');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'berth-etcd-'));
  for (let attempt = 0; ; attempt++) {
    const [client, peer] = [await freePort(), await freePort()];
    const endpoint = `http://127.0.0.1:${client}`;
    let out = '';
    const child: ChildProcess = spawn(
      bin,
      [
        '--name=berth-test',
        `--data-dir=${path.join(dataDir, `member-${attempt}`)}`,
        `--listen-client-urls=${endpoint}`,
        `--advertise-client-urls=${endpoint}`,
        `--listen-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-cluster=berth-test=http://127.0.0.1:${peer}`,
        `--experimental-watch-progress-notify-interval=${opts.progressNotifyMs ?? 1000}ms`,
        '--log-level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const kill = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    };
    const stop = async () => {
      await kill();
      rmSync(dataDir, { recursive: true, force: true });
    };
    const deadline = Date.now() + 15_000;
    let up = false;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        const r = await fetch(`${endpoint}/health`);
        if (r.ok && ((await r.json()) as { health?: string }).health === 'true') {
          up = true;
          break;
        }
      } catch {}
      await new Promise((r) => setTimeout(r, 50));
    }
    if (up) return { endpoint, dataDir, log: () => out, stop };
    await kill();
    // A port taken between choosing and binding: choose again, a few times.
    if (attempt >= 2) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`etcd did not start:\n${out}`);
    }
  }
}
