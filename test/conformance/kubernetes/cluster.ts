// A real berthd with --kubernetes on a free port, and the real kubectl against its admin kubeconfig
// (each test file its own HOME, so that kubectl's discovery cache starts empty). The store is berthd's
// default (SQLite) unless asked, or BERTH_KUBE_STORE=etcd|memory says otherwise (etcd: a private
// etcd-server for the cluster).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type EtcdProcess, startEtcd } from '../../../native/orchestrator/store/etcd-process.ts';
import type { StoreKind } from '../../../native/orchestrator/store/open.ts';
import { type Daemon, type RunResult, startDaemon, stopDaemon } from '../harness.ts';
import { freePort } from '../net.ts';

export interface Cluster {
  daemon: Daemon;
  port: number;
  store: StoreKind;
  /** With the etcd store: the etcd berthd uses. */
  etcd?: EtcdProcess;
  kubeconfig: string;
  home: string;
  /** berthd's flags for this cluster (for a restart with other ones). */
  args: string[];
  /** Waits until the Kubernetes API answers (after a restart). */
  ready(): Promise<void>;
  kubectl(args: string[], opts?: { input?: string; home?: string }): RunResult;
  /** kubectl that must succeed: its stdout, or the test fails with its stderr. */
  ok(args: string[], input?: string): string;
  /** Starts kubectl and returns it with its output so far. */
  kubectlAsync(args: string[]): { stdout: () => string; stderr: () => string; stop: () => Promise<void> };
  stop(): Promise<void>;
}

export async function startCluster(opts: { store?: StoreKind } = {}): Promise<Cluster> {
  const port = await freePort();
  const store = opts.store ?? ((process.env.BERTH_KUBE_STORE || 'sqlite') as StoreKind);
  const etcd = store === 'etcd' ? await startEtcd() : undefined;
  const storeArgs = etcd ? [`--kube-etcd-endpoint=${etcd.endpoint}`] : [`--kube-store=${store}`];
  const args = ['--kubernetes', '--kube-api-port', String(port), ...storeArgs];
  const daemon = await startDaemon('berthd', args).catch(async (err) => {
    await etcd?.stop();
    throw err;
  });
  const kubeconfig = path.join(daemon.dataRoot, 'kubernetes', 'admin.kubeconfig');
  const home = mkdtempSync('/tmp/bt-kube-home-');
  const kubectl: Cluster['kubectl'] = (args, opts = {}) => {
    const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      env: { ...process.env, HOME: opts.home ?? home, KUBECONFIG: '' },
      input: opts.input,
      timeout: 60_000,
    });
    return { code: r.status ?? 1, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '' };
  };
  // The Kubernetes API comes up just after the Docker API berthd's readiness is checked on.
  const ready = async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (existsSync(kubeconfig) && kubectl(['get', '--raw', '/readyz']).code === 0) break;
      if (Date.now() > deadline) throw new Error(`the Kubernetes API did not come up:\n${daemon.log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await ready();
  return {
    daemon,
    port,
    store,
    etcd,
    kubeconfig,
    home,
    args,
    ready,
    kubectl,
    ok(args, input) {
      const r = kubectl(args, { input });
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    },
    kubectlAsync(args) {
      const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], {
        env: { ...process.env, HOME: home, KUBECONFIG: '' },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      return {
        stdout: () => out,
        stderr: () => err,
        stop: async () => {
          if (child.exitCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        },
      };
    },
    async stop() {
      await stopDaemon(daemon);
      await etcd?.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true or `ms` pass. */
export async function eventually(check: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
