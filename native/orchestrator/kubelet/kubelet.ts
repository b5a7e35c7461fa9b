// The kubelet, in process: the cluster part that registers this machine as the Node and runs the pods
// bound to it (spec.nodeName) as engine containers, through the engine's container and image
// interfaces only (as a kubelet reaches its runtime through CRI). Pods come from the shared pod
// informer into a work queue, one pass per pod at a time (pod-sync.ts); an exit, a back-off or a probe
// queues the pod again. At start, containers of pods that still exist are adopted as they run (live
// restore) and those of pods that are gone are removed.

import path from 'node:path';
import type { ContainerInfo } from '../../services/containers/operations.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { registerStreaming } from '../apiserver/streaming/index.ts';
import { Kinds } from '../client/client.ts';
import { type Informer, keyOf } from '../client/informer.ts';
import { WorkQueue } from '../client/queue.ts';
import type { ClusterPart, PartEnv } from '../parts.ts';
import { EventRecorder } from './events.ts';
import { logHandler } from './logs.ts';
import { hostMemoryMounts, type MemoryMounts } from './memory-volumes.ts';
import { Label } from './names.ts';
import { type MachineInfo, machineInfo, NodeAgent } from './node.ts';
import { ensurePauseImage } from './pause.ts';
import { PodSyncer } from './pod-sync.ts';
import { engineProbeTransport, type ProbeTransport } from './probes.ts';
import { portForwardBackend, remoteCommandBackend } from './streaming.ts';
import { podDirs, removePodDir } from './volumes.ts';

/** Whether a pod's change is one the kubelet acts on (spec, deletion, identity), not only its status. */
function asksForSync(o: KubeObject, old: KubeObject): boolean {
  const m = o.metadata ?? {};
  const p = old.metadata ?? {};
  return (
    m.uid !== p.uid ||
    m.deletionTimestamp !== p.deletionTimestamp ||
    JSON.stringify(o.spec) !== JSON.stringify(old.spec) ||
    JSON.stringify(m.labels) !== JSON.stringify(p.labels) ||
    JSON.stringify(m.annotations) !== JSON.stringify(p.annotations)
  );
}

export interface KubeletOptions {
  /** The machine as the Node reports it (default: read from this host). */
  machine?: MachineInfo;
  probeTransport?: ProbeTransport;
  /** Pods worked on at once. */
  workers?: number;
  /** The host's mount table (default: the real one, through the part's Sys). */
  mounts?: MemoryMounts;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** Whether the pod has a volume made from the configMap or secret `name` (a projected one included). */
function usesSource(pod: KubeObject, kind: 'ConfigMap' | 'Secret', name: string): boolean {
  const named = (v: Obj) =>
    kind === 'ConfigMap' ? obj(v.configMap).name === name : obj(v.secret).name === name;
  return list(obj(pod.spec).volumes).some(
    (v) =>
      (kind === 'Secret' ? obj(v.secret).secretName === name : named(v)) ||
      list(obj(v.projected).sources).some(named),
  );
}

export class Kubelet implements ClusterPart {
  readonly name = 'kubelet';
  private node?: NodeAgent;
  private queue?: WorkQueue;
  private syncer?: PodSyncer;
  private pods?: Informer;
  private mounts?: MemoryMounts;
  recorder?: EventRecorder;

  constructor(private readonly opts: KubeletOptions = {}) {}

  get nodeName(): string | undefined {
    return this.node?.name;
  }

  async start(env: PartEnv): Promise<void> {
    if (!env.engine) {
      env.log.info('kubelet: no engine; the cluster runs no pods');
      return;
    }
    const { containers: ops, images } = env.engine;
    const mounts = this.opts.mounts ?? hostMemoryMounts(env.sys);
    this.mounts = mounts;
    const machine = this.opts.machine ?? (await machineInfo(path.dirname(env.dir)));
    const node = new NodeAgent({
      client: env.client,
      clock: env.clock,
      log: env.log,
      machine,
      runtimeVersion: `berth://${env.engine.version}`,
    });
    this.node = node;
    const becameReady = await node.start();
    const sandboxImage = await ensurePauseImage(images).then(
      () => 'berth.local/pause:3.10',
      (err) => {
        env.log.warn('kubelet: cannot make the pause image', { error: String(err) });
        return 'berth.local/pause:3.10';
      },
    );
    const recorder = new EventRecorder(env.client, env.clock, env.log, node.name);
    this.recorder = recorder;
    // What a kubelet says of its node as it starts, which `kubectl describe node` lists.
    const self: KubeObject = { kind: 'Node', metadata: { name: node.name } };
    const status = (s: string) => `Node ${node.name} status is now: ${s}`;
    recorder.event(self, 'Normal', 'Starting', 'Starting kubelet.');
    for (const s of ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID'])
      recorder.event(self, 'Normal', s, status(s));
    recorder.event(self, 'Normal', 'NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
    if (becameReady) recorder.event(self, 'Normal', 'NodeReady', status('NodeReady'));
    const pods = env.informers.for(Kinds.Pod);
    this.pods = pods;
    const queue = new WorkQueue('kubelet', (key) => this.sync(key), {
      clock: env.clock,
      log: env.log,
      workers: this.opts.workers ?? 4,
      baseDelayMs: 50,
      maxDelayMs: 10_000,
    });
    this.queue = queue;
    const endpoints = env.informers.for(Kinds.Endpoints);
    this.syncer = new PodSyncer({
      routedTo: (ip) =>
        endpoints
          .list()
          .some((e) => list(obj(e).subsets).some((sub) => list(sub.addresses).some((a) => a.ip === ip))),
      ops,
      images,
      client: env.client,
      clock: env.clock,
      log: env.log,
      recorder,
      nodeName: node.name,
      hostIP: machine.internalIP,
      allocatable: { cpu: machine.cpus, memory: machine.memoryBytes },
      root: env.dir,
      sandboxImage,
      clusterDNS: env.clusterDNS,
      tokens: env.tokens,
      probeTransport: this.opts.probeTransport ?? engineProbeTransport(ops),
      mounts,
      requeue: (key, ms) => (ms ? queue.addAfter(key, ms) : queue.add(key)),
    });
    env.registry.serveSubresource(
      '',
      'pods',
      'log',
      logHandler({ ops, clock: env.clock, pod: async (ns, name) => env.client.get(Kinds.Pod, ns, name) }),
    );
    registerStreaming(env.registry, {
      remoteCommand: remoteCommandBackend(ops),
      portForward: portForwardBackend,
    });
    const mine = (o: KubeObject) => (o.spec as { nodeName?: string } | undefined)?.nodeName === node.name;
    pods.on({
      add: (o) => mine(o) && queue.add(keyOf(o)),
      // The kubelet's own status writes come back here too: only what it acts on syncs the pod again.
      update: (o, old) => (mine(o) || mine(old)) && asksForSync(o, old) && queue.add(keyOf(o)),
      delete: (o) => mine(o) && queue.add(keyOf(o)),
    });
    // A configMap or secret that changes is written again into the volumes of the pods here that use
    // it (at once, where kubelet waits for its sync period and cache).
    for (const kind of ['ConfigMap', 'Secret'] as const) {
      const follow = (o: KubeObject) => {
        const ns = String(o.metadata?.namespace);
        const name = String(o.metadata?.name);
        for (const p of pods.list(ns)) if (mine(p) && usesSource(p, kind, name)) queue.add(keyOf(p));
      };
      env.informers.for(Kinds[kind]).on({ add: follow, update: follow, delete: follow });
    }
    await pods.synced;
    await this.restore(ops.list.bind(ops), env.dir);
  }

  /**
   * Live restore: every pod container the engine has is either its pod's (queued: the pass adopts
   * what runs, restarts nothing that runs) or an orphan's (queued too: the pass finds no pod and
   * removes it).
   */
  private async restore(list: () => Promise<ContainerInfo[]>, dir: string): Promise<void> {
    // Folders of pods that are gone (deleted while berthd was down), as kubelet's orphaned pod dirs.
    const folders = await podDirs(dir);
    const known = new Set((this.pods?.list() ?? []).map((p) => p.metadata?.uid));
    for (const uid of folders)
      if (!known.has(uid) && this.mounts) await removePodDir(dir, uid, this.mounts).catch(() => undefined);
    const keys = new Set<string>();
    for (const c of await list()) {
      const ns = c.Labels[Label.podNamespace];
      const name = c.Labels[Label.podName];
      if (ns && name && c.Labels[Label.type]) keys.add(`${ns}/${name}`);
    }
    for (const k of keys) this.queue?.add(k);
  }

  private async sync(key: string): Promise<void> {
    const [ns, name] = key.split('/') as [string, string];
    await this.syncer?.sync(key, this.pods?.get(ns, name));
  }

  /** Resolves when no pod is being worked on (tests). */
  idle(): Promise<void> {
    return this.queue?.idle() ?? Promise.resolve();
  }

  stop(): void {
    this.node?.stop();
    this.queue?.stop();
    this.syncer?.stop();
  }
}
