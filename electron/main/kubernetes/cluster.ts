// Berth's own cluster as the app sees it: on or off (the machine's `kubernetes` setting: berthd's
// --kubernetes), its state from the API itself (/readyz, /version on the `berth` context), a reset that
// wipes its state while the engine is stopped, and the merge of the `berth` context into the user's
// kubeconfig (current-context left alone).
//
// Where the engine's data root is on this machine (the native provider: berthd on the host), reset and
// merge work on its files: `<data-root>/kubernetes` (state.db, pods/, certificates, admin.kubeconfig).
// In a VM that folder is the guest's: the agent writes the `berth` context when it connects, and a
// reset is the agent's, which has the guest wipe it while berthd is held down.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeEntriesFromAdmin, userKubeconfigPath, writeKubeconfig } from '../../../vm/forward/contexts.ts';
import type { KubeClusterView } from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';
import { hasContext } from './context-config.ts';
import { connectionError, kubeRequest } from './kube-request.ts';
import { berthContext, kubeconfigPrecedence } from './kubeconfig-files.ts';

/** The engine that runs the cluster: the seam between this module and the machine (or a test's). */
export interface ClusterEngine {
  /** Whether the cluster is turned on in the settings that start the engine. */
  enabled(): Promise<boolean>;
  /** Turns it on or off and restarts a running engine so that it applies; null: cannot from here. */
  setEnabled: ((on: boolean) => Promise<void>) | null;
  /** The engine is on its way up (the API may not answer yet). */
  starting(): boolean;
  /** Resets the cluster's state by itself (a VM's agent, in the guest); else whileStopped and dataRoot. */
  resetState?: () => Promise<void>;
  /** Stops and starts the engine around `work` (a reset); null: not from here. */
  whileStopped: ((work: () => Promise<void>) => Promise<void>) | null;
  /** The engine's data root, when it is on this machine's filesystem. */
  dataRoot: string | null;
  /** Why `setEnabled` / `whileStopped` are null, in the words the screen shows. */
  why?: string;
}

export interface ClusterOptions {
  engine: ClusterEngine;
  env?: NodeJS.ProcessEnv;
  /** The KubeConfig of the `berth` context (the user's kubeconfig, else the admin one). */
  configFor: (context: string) => KubeConfig;
}

/** What a reset keeps in `<data-root>/kubernetes`: the certificates, so merged kubeconfigs stay valid. */
export const keptOnReset = (name: string) => /\.(crt|key|pem)$/.test(name) || name === 'admin.kubeconfig';

const run = promisify(execFile);

/** Unmounts what is mounted under `dir` (the pods' memory volumes), deepest first. */
async function unmountUnder(dir: string): Promise<void> {
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const points = info
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p && (p === dir || p.startsWith(`${dir}/`)))
    .map((p) => p.replace(/\\040/g, ' '))
    .sort((a, b) => b.length - a.length);
  for (const p of points) await run('umount', ['-l', p]).catch(() => undefined);
}

/** Wipes the cluster's state: everything in `dir` but the certificates. Answers what it removed. */
export async function wipeClusterState(dir: string): Promise<string[]> {
  await unmountUnder(dir);
  const names = await fs.readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const removed = names.filter((n) => !keptOnReset(n));
  for (const n of removed) await fs.rm(path.join(dir, n), { recursive: true, force: true });
  return removed;
}

export class BerthCluster {
  constructor(private readonly o: ClusterOptions) {}

  private get env() {
    return this.o.env ?? process.env;
  }

  private adminKubeconfig(): string | null {
    return this.o.engine.dataRoot
      ? path.join(this.o.engine.dataRoot, 'kubernetes', 'admin.kubeconfig')
      : null;
  }

  /** The user's kubeconfig names the `berth` context. */
  merged(): boolean {
    try {
      return hasContext(berthContext, this.env);
    } catch {
      return false;
    }
  }

  async view(): Promise<KubeClusterView> {
    const enabled = await this.o.engine.enabled();
    const merged = this.merged();
    if (!enabled) return { enabled, state: 'off', merged };
    let kc: KubeConfig;
    try {
      kc = this.o.configFor(berthContext);
    } catch (err) {
      if (this.o.engine.starting()) return { enabled, state: 'starting', merged };
      return { enabled, state: 'error', reason: (err as Error).message, merged };
    }
    try {
      const ready = await kubeRequest(kc, { path: '/readyz', timeoutMs: 5000 });
      if (ready.status !== 200)
        return { enabled, state: 'starting', reason: ready.text.trim().split('\n').pop(), merged };
      const version = await kubeRequest(kc, { path: '/version', timeoutMs: 5000 });
      const git = (version.body as { gitVersion?: string } | null)?.gitVersion;
      return { enabled, state: 'running', ...(git ? { version: git } : {}), merged };
    } catch (err) {
      if (this.o.engine.starting()) return { enabled, state: 'starting', merged };
      const e =
        err instanceof HandlerError ? err : connectionError(err, kc.getCurrentCluster()?.server ?? '');
      return { enabled, state: 'error', reason: e.message, merged };
    }
  }

  async setEnabled(on: boolean): Promise<KubeClusterView> {
    if (typeof on !== 'boolean')
      throw new HandlerError('invalid_argument', 'kube.bad_request', 'enabled must be true or false');
    if (!this.o.engine.setEnabled) throw this.unsupported('turned on or off');
    await this.o.engine.setEnabled(on);
    return this.view();
  }

  /** Stops the engine, wipes `<data-root>/kubernetes` but its certificates, starts it again. */
  async reset(): Promise<KubeClusterView> {
    if (this.o.engine.resetState) {
      await this.o.engine.resetState();
      return this.view();
    }
    const root = this.o.engine.dataRoot;
    if (!this.o.engine.whileStopped || !root) throw this.unsupported('reset');
    // Pod containers left in the engine are orphans to the new cluster: its kubelet removes them at start.
    await this.o.engine.whileStopped(async () => {
      await wipeClusterState(path.join(root, 'kubernetes'));
    });
    return this.view();
  }

  async mergeKubeconfig(): Promise<{ file: string; context: string; changed: boolean }> {
    const file = userKubeconfigPath(this.env);
    const admin = this.adminKubeconfig();
    if (!admin) {
      if (this.merged())
        return { file: kubeconfigPrecedence(this.env)[0], context: berthContext, changed: false };
      throw this.unsupported(
        'merged from here (the machine’s agent writes the berth context when it connects)',
      );
    }
    const text = await fs.readFile(admin, 'utf8').catch(() => {
      throw new HandlerError(
        'not_found',
        'kube.no_admin_kubeconfig',
        `no admin kubeconfig at ${admin}: turn the cluster on and start the engine first`,
      );
    });
    const server = /server:\s*(\S+)/.exec(text)?.[1] ?? 'https://127.0.0.1:6443';
    const changed = await writeKubeconfig(file, kubeEntriesFromAdmin(text, server), { use: false });
    return { file, context: berthContext, changed };
  }

  private unsupported(what: string): HandlerError {
    return new HandlerError(
      'unsupported',
      'kube.cluster_unsupported',
      `Berth's cluster cannot be ${what}${this.o.engine.why ? `: ${this.o.engine.why}` : ''}`,
    );
  }
}
