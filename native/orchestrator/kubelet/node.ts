// The Node this kubelet is: registered at start with what the machine has (capacity and allocatable,
// nodeInfo, addresses, the control-plane role), its conditions reported every five minutes (as a
// kubelet's nodeStatusReportFrequency) and its heartbeat a Lease in kube-node-lease renewed every
// 10 s, both on the Clock seam: the heartbeat is a timer of the kubelet, never a poll of the store.
import { promises as fs, statfsSync } from 'node:fs';
import os from 'node:os';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { ApiError } from '../apiserver/status.ts';
import { Kinds, type KubeClient } from '../client/client.ts';

export const kubeletVersion = 'v1.32.0-berth';
export const maxPods = 110;
export const leaseRenewMs = 10_000;
export const statusReportMs = 5 * 60_000;

/** What the node reports of its machine; `machineInfo()` reads it, tests give their own. */
export interface MachineInfo {
  hostname: string;
  cpus: number;
  memoryBytes: number;
  /** The filesystem of the data root. */
  storageBytes: number;
  internalIP: string;
  osImage: string;
  kernelVersion: string;
  /** GOARCH words: amd64, arm64. */
  arch: string;
  machineID: string;
  bootID: string;
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The node's name: the host's name lowercased, as a kubelet registers it; `berth` when that is not a
 * DNS subdomain (a name with `_`, or longer than 253), which the API would refuse.
 */
export function nodeNameFor(hostname: string): string {
  const name = hostname.toLowerCase();
  return name.length <= 253 && dnsSubdomain.test(name) ? name : 'berth';
}

const read = (f: string) => fs.readFile(f, 'utf8').catch(() => '');

/** The first non-internal IPv4 address of the host, or loopback on a host without one. */
function primaryIPv4(): string {
  for (const addrs of Object.values(os.networkInterfaces()))
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

export async function machineInfo(dataRoot: string): Promise<MachineInfo> {
  const release = await read('/etc/os-release');
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)?.[1] ?? 'Linux';
  let storageBytes = 0;
  try {
    const st = statfsSync(dataRoot);
    storageBytes = st.blocks * st.bsize;
  } catch {}
  return {
    hostname: os.hostname(),
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    memoryBytes: os.totalmem(),
    storageBytes,
    internalIP: primaryIPv4(),
    osImage: pretty,
    kernelVersion: os.release(),
    arch: process.arch === 'x64' ? 'amd64' : process.arch,
    machineID: (await read('/etc/machine-id')).trim(),
    bootID: (await read('/proc/sys/kernel/random/boot_id')).trim(),
  };
}

/** Allocatable as a single-node cluster leaves it: all of the machine (no reserved system slices). */
export function capacityOf(m: MachineInfo): Record<string, string> {
  return {
    cpu: String(m.cpus),
    memory: `${Math.floor(m.memoryBytes / 1024)}Ki`,
    'ephemeral-storage': `${Math.floor(m.storageBytes / 1024)}Ki`,
    pods: String(maxPods),
    'hugepages-2Mi': '0',
  };
}

export interface NodeAgentOptions {
  client: KubeClient;
  clock: Clock;
  log: Logger;
  machine: MachineInfo;
  /** `berth://<engine version>`. */
  runtimeVersion: string;
}

export class NodeAgent {
  readonly name: string;
  private uid = '';
  private timers: { cancel(): void }[] = [];
  private stopped = false;
  private readyTransition = '';

  constructor(private readonly opts: NodeAgentOptions) {
    this.name = nodeNameFor(opts.machine.hostname);
  }

  private now(): string {
    return new Date(this.opts.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  }

  labels(): Record<string, string> {
    const m = this.opts.machine;
    return {
      'beta.kubernetes.io/arch': m.arch,
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': m.arch,
      'kubernetes.io/hostname': this.name,
      'kubernetes.io/os': 'linux',
      'node-role.kubernetes.io/control-plane': '',
    };
  }

  status(): Record<string, unknown> {
    const m = this.opts.machine;
    const now = this.now();
    this.readyTransition ||= now;
    const cond = (type: string, status: string, reason: string, message: string) => ({
      type,
      status,
      lastHeartbeatTime: now,
      lastTransitionTime: this.readyTransition,
      reason,
      message,
    });
    const capacity = capacityOf(m);
    return {
      capacity,
      allocatable: { ...capacity },
      conditions: [
        cond(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: m.internalIP },
        { type: 'Hostname', address: this.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: m.machineID,
        systemUUID: m.machineID,
        bootID: m.bootID,
        kernelVersion: m.kernelVersion,
        osImage: m.osImage,
        containerRuntimeVersion: this.opts.runtimeVersion,
        kubeletVersion,
        kubeProxyVersion: kubeletVersion,
        operatingSystem: 'linux',
        architecture: m.arch,
      },
    };
  }

  /**
   * Registers (or refreshes) the Node and its Lease, then keeps both current. Resolves to whether the
   * node becomes Ready by it (new, or not Ready before): the kubelet says NodeReady then.
   */
  async start(): Promise<boolean> {
    const wasReady = await this.register();
    await this.renewLease();
    this.schedule(leaseRenewMs, () => this.renewLease());
    this.schedule(statusReportMs, () => this.reportStatus());
    return !wasReady;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  private schedule(ms: number, fn: () => Promise<void>): void {
    const tick = () => {
      if (this.stopped) return;
      fn()
        .catch((err) => this.opts.log.warn('node heartbeat failed', { node: this.name, error: String(err) }))
        .finally(() => {
          if (!this.stopped) this.timers.push(this.opts.clock.setTimeout(tick, ms));
        });
    };
    this.timers.push(this.opts.clock.setTimeout(tick, ms));
  }

  /** Resolves to whether the Node was Ready before (false for a new one). */
  private async register(): Promise<boolean> {
    const { client } = this.opts;
    let node = await client.get(Kinds.Node, undefined, this.name);
    const wasReady = ((node?.status?.conditions ?? []) as { type?: string; status?: string }[]).some(
      (c) => c.type === 'Ready' && c.status === 'True',
    );
    if (!node) {
      try {
        node = await client.create(Kinds.Node, {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: {
            name: this.name,
            labels: this.labels(),
            annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
          },
          spec: {},
        });
      } catch (err) {
        if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
        node = (await client.get(Kinds.Node, undefined, this.name))!;
      }
    } else {
      const labels = { ...(node.metadata?.labels ?? {}), ...this.labels() };
      node = await client.update(Kinds.Node, { ...node, metadata: { ...node.metadata, labels } });
    }
    this.uid = String(node.metadata?.uid);
    await this.reportStatus(node);
    return wasReady;
  }

  private async reportStatus(current?: KubeObject): Promise<void> {
    const { client } = this.opts;
    for (let i = 0; i < 5; i++) {
      const node = current ?? (await client.get(Kinds.Node, undefined, this.name));
      current = undefined;
      if (!node) {
        await this.register();
        return;
      }
      try {
        await client.updateStatus(Kinds.Node, {
          ...node,
          status: { ...(node.status as object), ...this.status() },
        });
        return;
      } catch (err) {
        if (!(err instanceof ApiError && err.reason === 'Conflict')) throw err;
      }
    }
  }

  private async renewLease(): Promise<void> {
    const { client } = this.opts;
    const renewTime = new Date(this.opts.clock.now()).toISOString().replace('Z', '000Z');
    const lease = await client.get(Kinds.Lease, 'kube-node-lease', this.name);
    const spec = { holderIdentity: this.name, leaseDurationSeconds: 40, renewTime };
    if (lease) {
      await client.update(Kinds.Lease, { ...lease, spec: { ...(lease.spec as object), ...spec } });
      return;
    }
    await client.create(Kinds.Lease, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.name,
        namespace: 'kube-node-lease',
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.name, uid: this.uid }],
      },
      spec,
    });
  }
}
