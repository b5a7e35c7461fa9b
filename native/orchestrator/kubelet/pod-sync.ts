// One pass of the kubelet over one pod (its SyncPod): make the engine's containers what the pod asks
// for, then write what they are to the pod's status. A sandbox first (a container holding the pod's
// network and IPC namespaces, with no process unless the pod shares its PID namespace), init
// containers one at a time in order, then the app containers; exited containers restart by the
// restart policy after the CrashLoopBackOff delay; a pod being
// deleted has its containers stopped with its grace period and is then deleted for good. Everything
// that happens later (an exit, a back-off running out, a probe) comes back as another pass.
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { ContainerInfo, ContainerOperations } from '../../services/containers/operations.ts';
import type { ImageOperations } from '../../services/images/operations.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { ApiError } from '../apiserver/status.ts';
import { Kinds, type KubeClient } from '../client/client.ts';
import type { PartEnv } from '../parts.ts';
import { Backoff, goDuration } from './backoff.ts';
import { containerConfig, sandboxConfig } from './container-config.ts';
import { ContainerConfigError, containerEnv } from './env.ts';
import type { Recorder } from './events.ts';
import { runHook } from './hooks.ts';
import type { MemoryMounts } from './memory-volumes.ts';
import {
  appLabels,
  attemptOf,
  type ContainerRole,
  containerName,
  Label,
  type PodRef,
  podRef,
  roleField,
  roleOf,
  sandboxContainerName,
  sandboxLabels,
} from './names.ts';
import { ContainerProber, type ProbeTransport } from './probes.ts';
import { seccompOption } from './seccomp.ts';
import { attemptsOf, hasExited, isSidecar, podStatus, type Waiting } from './status.ts';
import { terminationBind, terminationMessage } from './termination-message.ts';
import { bindsFor, type PreparedVolumes, prepareVolumes, removePodDir } from './volumes.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export interface SyncDeps {
  ops: ContainerOperations;
  images: ImageOperations;
  client: KubeClient;
  clock: Clock;
  log: Logger;
  recorder: Recorder;
  nodeName: string;
  hostIP: string;
  allocatable: { cpu: number; memory: number };
  /** `<data-root>/kubernetes`: pods' volumes live under pods/<uid>/. */
  root: string;
  sandboxImage: string;
  /** Issues service-account tokens for kube-api-access volumes (absent: pods that mount one wait). */
  tokens?: PartEnv['tokens'];
  /** Where ClusterFirst pods resolve names (absent: the engine's resolv.conf, the host's). */
  clusterDNS?: { ip: string; domain: string };
  probeTransport: ProbeTransport;
  /** The host's mount table, for memory-backed volumes. */
  mounts: MemoryMounts;
  /** Sync the pod of `key` again (after `ms`). */
  requeue(key: string, ms?: number): void;
  /**
   * Whether a Service still sends new connections to this pod address: a ready address of some
   * Endpoints, which the service proxy serves (absent: no Service is waited for).
   */
  routedTo?(ip: string): boolean;
}

/** What the kubelet keeps of a pod between passes (lost on restart, rebuilt from the engine). */
interface PodState {
  uid: string;
  startTime: string;
  waiting: Map<string, Waiting>;
  volumes?: PreparedVolumes;
  /** Service-account tokens in its projected volumes, by audience and lifetime, kept until 80% of it. */
  tokens: Map<string, { token: string; issued: number }>;
  /** Termination messages of exited containers, by ID: read once (an exited container writes no more). */
  messages: Map<string, string>;
}

class ImagePullError extends Error {}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const isRunning = (c: ContainerInfo) => c.State.Status === 'running' || c.State.Status === 'paused';

export class PodSyncer {
  private readonly pods = new Map<string, PodState>();
  private readonly probers = new Map<string, ContainerProber>();
  private readonly watched = new Set<string>();
  private readonly terminating = new Set<string>();
  /** Containers whose postStart hook runs: not Running yet, and the pod's next containers wait. */
  private readonly postStarting = new Set<string>();
  readonly backoff: Backoff;
  private readonly pullBackoff: Backoff;

  constructor(private readonly d: SyncDeps) {
    this.backoff = new Backoff(d.clock);
    this.pullBackoff = new Backoff(d.clock);
  }

  /** Probe results of a container, for the pod's status. */
  probeState(id: string): { ready: boolean; started: boolean } | undefined {
    const p = this.probers.get(id);
    return p && { ready: p.ready, started: p.started };
  }

  stop(): void {
    for (const p of this.probers.values()) p.stop();
    this.probers.clear();
  }

  /** The pod's containers in the engine: by its namespace and name (every incarnation of the name). */
  private async containersOf(namespace: string, name: string): Promise<ContainerInfo[]> {
    return this.d.ops.list({ labels: { [Label.podNamespace]: namespace, [Label.podName]: name } });
  }

  /** A pass over the pod `key`; `pod` is the informer's object, undefined when it is gone. */
  async sync(key: string, pod: KubeObject | undefined): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    if (this.terminating.has(key)) return;
    const all = await this.containersOf(namespace, name);
    if (!pod || obj(pod.spec).nodeName !== this.d.nodeName) {
      // Gone (or moved): nothing of it may keep running.
      await this.removeContainers(all);
      const state = this.pods.get(key);
      if (state) await this.forget(key, state.uid);
      // A pod deleted while berthd was down: its folder (and memory volumes) go with its containers.
      for (const uid of new Set(all.map((c) => c.Labels[Label.podUid])))
        if (uid && uid !== state?.uid)
          await removePodDir(this.d.root, uid, this.d.mounts).catch(() => undefined);
      return;
    }
    const ref = podRef(pod);
    // Containers of an earlier pod of the same name go.
    const stale = all.filter((c) => c.Labels[Label.podUid] !== ref.uid);
    if (stale.length) await this.removeContainers(stale);
    const mine = all.filter((c) => c.Labels[Label.podUid] === ref.uid);
    let state = this.pods.get(key);
    if (!state || state.uid !== ref.uid) {
      if (state) await this.forget(key, state.uid);
      state = {
        uid: ref.uid,
        startTime: String(obj(pod.status).startTime ?? iso(this.d.clock.now())),
        waiting: new Map(),
        tokens: new Map(),
        messages: new Map(),
      };
      this.pods.set(key, state);
    }
    if (pod.metadata?.deletionTimestamp) {
      this.terminate(key, pod, mine);
      return;
    }
    const phase = obj(pod.status).phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      await this.stopAll(pod, mine, 0);
      return;
    }
    await this.run(key, pod, ref, state, mine);
    const after = (await this.containersOf(namespace, name)).filter(
      (c) => c.Labels[Label.podUid] === ref.uid,
    );
    const status = await this.writeStatus(pod, state, after);
    // Over (its app containers done): what still runs is sidecars, stopped with the pod's grace period.
    if (status.phase === 'Succeeded' || status.phase === 'Failed')
      await this.stopAll(pod, after, Number(obj(pod.spec).terminationGracePeriodSeconds ?? 30));
  }

  private async run(key: string, pod: KubeObject, ref: PodRef, state: PodState, mine: ContainerInfo[]) {
    const spec = obj(pod.spec);
    const policy = String(spec.restartPolicy ?? 'Always');
    const sandboxes = mine
      .filter((c) => c.Labels[Label.type] === 'podsandbox')
      .sort((a, b) => attemptOf(b.Labels) - attemptOf(a.Labels));
    let sandbox = sandboxes[0];
    for (const c of mine) if (isRunning(c)) this.watchExit(key, c.Id);
    if (!sandbox || !isRunning(sandbox)) {
      const ranBefore = mine.some((c) => c.Labels[Label.type] === 'container');
      // A sandbox that died took its pod's network with it: what still runs in it stops too.
      await this.stopAll(
        pod,
        mine.filter((c) => c.Labels[Label.type] === 'container'),
        0,
      );
      if (sandbox && ranBefore && policy === 'Never') return;
      state.volumes = undefined;
      const attempt = sandbox ? attemptOf(sandbox.Labels) + 1 : 0;
      const made = await this.startSandbox(pod, ref, state, attempt);
      if (!made) return;
      sandbox = made;
      for (const old of sandboxes) await this.d.ops.remove(old.Id, { force: true }).catch(() => undefined);
    }
    if (!state.volumes) {
      try {
        state.volumes = await prepareVolumes(this.d.root, pod, await this.sources(pod, sandbox, state), {
          mounts: this.d.mounts,
        });
      } catch (err) {
        if (!(err instanceof ContainerConfigError)) throw err;
        for (const c of [...list(spec.initContainers), ...list(spec.containers)])
          state.waiting.set(String(c.name), { reason: 'CreateContainerConfigError', message: err.message });
        this.d.recorder.event(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed: ${err.message}`);
        this.d.requeue(key, err.retryMs);
        return;
      }
    } else await this.refreshVolumes(pod, sandbox, state);
    const inSandbox = mine.filter((c) => c.Labels[Label.sandboxId] === sandbox.Id);
    // Once an app container has run, init containers are done with: sidecars alone still matter.
    const appsStarted = list(spec.containers).some((c) => attemptsOf(inSandbox, String(c.name), 'app')[0]);
    // A pod that does not restart its app containers is over when they all are: its sidecars stop.
    const appsFinished =
      policy !== 'Always' &&
      list(spec.containers).every((c) => {
        const latest = attemptsOf(inSandbox, String(c.name), 'app')[0];
        return (
          !!latest &&
          hasExited(latest) &&
          (policy === 'Never' || (latest.State.ExitCode === 0 && latest.State.Status === 'exited'))
        );
      });
    // Ephemeral (debug) containers first, as the kubelet starts them: a pod whose init containers
    // fail can still be debugged. Each runs once, in the pod's namespaces, and is never restarted.
    for (const c of list(spec.ephemeralContainers)) {
      const cname = String(c.name);
      if (attemptsOf(mine, cname, 'ephemeral')[0]) continue;
      const targetName = String(c.targetContainerName ?? '');
      const targetRole = targetName ? roleOf(pod, targetName) : undefined;
      const target = targetRole ? attemptsOf(inSandbox, targetName, targetRole).find(isRunning) : undefined;
      await this.startContainer(key, pod, ref, state, sandbox, c, 'ephemeral', 0, target?.Id);
    }
    for (const c of list(spec.initContainers)) {
      const cname = String(c.name);
      const latest = attemptsOf(inSandbox, cname, 'init')[0];
      if (isSidecar(c)) {
        // A sidecar (restartPolicy Always): started in its turn, the next one waits until it has
        // started (its startup probe passed); it runs beside the app containers and is restarted
        // whenever it exits, whatever the pod's policy, until the app containers are done.
        if (appsFinished) continue;
        if (!latest) {
          const holds = await this.startContainer(
            key,
            pod,
            ref,
            state,
            sandbox,
            c,
            'init',
            this.nextAttempt(mine, cname, 'init'),
          );
          // Started with no startup probe to wait for: the next container may start now.
          if (holds || c.startupProbe || state.waiting.has(cname)) return;
          continue;
        }
        if (this.postStarting.has(latest.Id)) return;
        if (isRunning(latest)) {
          state.waiting.delete(cname);
          this.ensureProber(key, pod, latest, c, sandbox, 'init');
          if (!appsStarted && this.probeState(latest.Id)?.started === false) return;
          continue;
        }
        if (!hasExited(latest)) return;
        await this.restart(key, pod, ref, state, sandbox, c, 'init', latest, mine);
        if (appsStarted) continue;
        return;
      }
      if (appsStarted && latest && hasExited(latest)) continue;
      if (!latest) {
        await this.startContainer(
          key,
          pod,
          ref,
          state,
          sandbox,
          c,
          'init',
          this.nextAttempt(mine, cname, 'init'),
        );
        return;
      }
      if (isRunning(latest) || (latest.State.Status === 'created' && !latest.State.Error)) return;
      if (this.postStarting.has(latest.Id)) return;
      if (latest.State.ExitCode === 0 && latest.State.Status === 'exited') continue;
      if (policy === 'Never') return;
      await this.restart(key, pod, ref, state, sandbox, c, 'init', latest, mine);
      return;
    }
    for (const c of list(spec.containers)) {
      const cname = String(c.name);
      const latest = attemptsOf(inSandbox, cname, 'app')[0];
      if (!latest) {
        const holds = await this.startContainer(
          key,
          pod,
          ref,
          state,
          sandbox,
          c,
          'app',
          this.nextAttempt(mine, cname, 'app'),
        );
        if (holds) return;
        continue;
      }
      // As kubelet's SyncPod blocks on a postStart hook, the containers after this one wait for it.
      if (this.postStarting.has(latest.Id)) return;
      if (isRunning(latest)) {
        state.waiting.delete(cname);
        this.ensureProber(key, pod, latest, c, sandbox);
        continue;
      }
      if (!hasExited(latest)) continue;
      const failed = latest.State.ExitCode !== 0 || latest.State.Status !== 'exited';
      if (policy === 'Always' || (policy === 'OnFailure' && failed))
        await this.restart(key, pod, ref, state, sandbox, c, 'app', latest, mine);
      else state.waiting.delete(cname);
    }
    await this.pruneDead(mine);
  }

  /**
   * Writes again the volumes that follow their sources (a configMap or secret changed, the pod's
   * labels or annotations did): running containers see the new files through `..data`. A source that
   * is gone now leaves the files as they were, as kubelet does (its return is an informer event that
   * syncs the pod again).
   */
  private async refreshVolumes(pod: KubeObject, sandbox: ContainerInfo, state: PodState) {
    try {
      await prepareVolumes(this.d.root, pod, await this.sources(pod, sandbox, state), {
        mounts: this.d.mounts,
        refresh: true,
      });
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err;
      this.d.recorder.event(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed: ${err.message}`);
    }
  }

  private nextAttempt(mine: ContainerInfo[], name: string, role: ContainerRole): number {
    const latest = attemptsOf(mine, name, role)[0];
    return latest ? attemptOf(latest.Labels) + 1 : 0;
  }

  /** Keeps the newest two containers of each name (the current and the previous, for `logs -p`). */
  private async pruneDead(mine: ContainerInfo[]): Promise<void> {
    const names = new Set(mine.map((c) => `${c.Labels[Label.role]}/${c.Labels[Label.containerName]}`));
    for (const n of names) {
      const [role, name] = n.split('/') as [ContainerRole, string];
      if (name === sandboxContainerName) continue;
      for (const old of attemptsOf(mine, name, role).slice(2))
        if (!isRunning(old)) await this.d.ops.remove(old.Id, { force: true }).catch(() => undefined);
    }
  }

  private async restart(
    key: string,
    pod: KubeObject,
    ref: PodRef,
    state: PodState,
    sandbox: ContainerInfo,
    c: Obj,
    role: 'init' | 'app',
    latest: ContainerInfo,
    mine: ContainerInfo[],
  ): Promise<void> {
    const cname = String(c.name);
    const bkey = `${ref.uid}/${role}/${cname}`;
    const finished = Date.parse(latest.State.FinishedAt) || this.d.clock.now();
    const left = this.backoff.remaining(bkey, finished);
    if (left > 0) {
      const delay = goDuration(this.backoff.delay(bkey));
      state.waiting.set(cname, {
        reason: 'CrashLoopBackOff',
        message: `back-off ${delay} restarting failed container=${cname} pod=${ref.name}_${ref.namespace}(${ref.uid})`,
      });
      this.d.recorder.event(
        pod,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${cname} in pod ${ref.name}_${ref.namespace}(${ref.uid})`,
        `spec.${role === 'init' ? 'initContainers' : 'containers'}{${cname}}`,
      );
      this.d.requeue(key, left);
      return;
    }
    this.backoff.next(bkey, finished);
    await this.startContainer(key, pod, ref, state, sandbox, c, role, this.nextAttempt(mine, cname, role));
  }

  private async sources(pod: KubeObject, sandbox: ContainerInfo | undefined, state?: PodState) {
    const namespace = String(pod.metadata?.namespace);
    const hostNetwork = obj(pod.spec).hostNetwork === true;
    const ip = sandbox ? (await this.d.ops.inspect(sandbox.Id).catch(() => sandbox)).IPAddress : '';
    return {
      lookup: (kind: 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim' | 'PersistentVolume', name: string) =>
        this.d.client.get(Kinds[kind], kind === 'PersistentVolume' ? undefined : namespace, name),
      serviceAccountToken: this.d.tokens
        ? (audience: string | undefined, seconds: number) => {
            // The same token until 80% of its life is over (kubelet's rotation), not one per pass.
            const tkey = `${audience ?? ''}/${seconds}`;
            const now = this.d.clock.now();
            const kept = state?.tokens.get(tkey);
            if (kept && now - kept.issued < seconds * 800) return kept.token;
            const { token } = this.d.tokens!.issue({
              namespace,
              serviceAccount: { name: String(obj(pod.spec).serviceAccountName ?? 'default') },
              pod: { name: String(pod.metadata?.name), uid: pod.metadata?.uid },
              audiences: audience ? [audience] : undefined,
              expirationSeconds: seconds,
            });
            state?.tokens.set(tkey, { token, issued: now });
            if (state) this.d.requeue(`${namespace}/${pod.metadata?.name}`, seconds * 800 + 1000);
            return token;
          }
        : undefined,
      services: async (links: boolean) => {
        const own = links ? (await this.d.client.list(Kinds.Service, { namespace })).items : [];
        const api = own.some((s) => s.metadata?.name === 'kubernetes' && namespace === 'default')
          ? undefined
          : await this.d.client.get(Kinds.Service, 'default', 'kubernetes');
        return api ? [...own, api] : own;
      },
      podIP: hostNetwork ? this.d.hostIP : ip,
      hostIP: this.d.hostIP,
      allocatable: this.d.allocatable,
    };
  }

  private async startSandbox(
    pod: KubeObject,
    ref: PodRef,
    state: PodState,
    attempt: number,
  ): Promise<ContainerInfo | undefined> {
    const labels = sandboxLabels(ref, attempt, pod.metadata?.labels ?? {});
    const { Id } = await this.d.ops.create({
      name: containerName(ref, sandboxContainerName, attempt),
      config: sandboxConfig(pod, this.d.sandboxImage, labels, this.d.clusterDNS),
    });
    try {
      await this.d.ops.start(Id);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.d.recorder.event(
        pod,
        'Warning',
        'FailedCreatePodSandBox',
        `Failed to create pod sandbox: ${message}`,
      );
      await this.d.ops.remove(Id, { force: true }).catch(() => undefined);
      throw err;
    }
    this.watchExit(`${ref.namespace}/${ref.name}`, Id);
    state.waiting.clear();
    return this.d.ops.inspect(Id);
  }

  /** Makes sure the image is there, by the pull policy; an image the engine has is used as it is. */
  private async ensureImage(pod: KubeObject, ref: PodRef, c: Obj, fieldPath: string): Promise<void> {
    const image = String(c.image);
    const policy = String(c.imagePullPolicy ?? 'IfNotPresent');
    const have = await this.d.images.find(image);
    // Built or loaded here (no registry it came from): there is nothing to pull it from.
    if (have && (policy !== 'Always' || have.repoDigests.length === 0)) {
      this.d.recorder.event(
        pod,
        'Normal',
        'Pulled',
        `Container image "${image}" already present on machine`,
        fieldPath,
      );
      return;
    }
    if (policy === 'Never') {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      this.d.recorder.event(pod, 'Warning', 'ErrImageNeverPull', message, fieldPath);
      throw new ImagePullError(message);
    }
    const bkey = `${ref.uid}/pull/${c.name}`;
    if (this.pullBackoff.remaining(bkey, this.d.clock.now()) > 0 && !have)
      throw new ImagePullError(`Back-off pulling image "${image}"`);
    this.d.recorder.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, fieldPath);
    const t0 = this.d.clock.now();
    try {
      await this.d.images.pull(image);
      this.pullBackoff.reset(bkey);
      const took = ((this.d.clock.now() - t0) / 1000).toFixed(3);
      this.d.recorder.event(
        pod,
        'Normal',
        'Pulled',
        `Successfully pulled image "${image}" in ${took}s`,
        fieldPath,
      );
    } catch (err) {
      if (have) return; // Offline with the image at hand: run what is here.
      this.pullBackoff.next(bkey);
      const message = `Failed to pull image "${image}": ${err instanceof Error ? err.message : String(err)}`;
      this.d.recorder.event(pod, 'Warning', 'Failed', message, fieldPath);
      throw new ImagePullError(message);
    }
  }

  private async startContainer(
    key: string,
    pod: KubeObject,
    ref: PodRef,
    state: PodState,
    sandbox: ContainerInfo,
    c: Obj,
    role: ContainerRole,
    attempt: number,
    /** An ephemeral container's target: the engine container whose PID namespace it joins. */
    pidTarget?: string,
  ): Promise<boolean> {
    const cname = String(c.name);
    const fieldPath = `spec.${roleField[role]}{${cname}}`;
    try {
      await this.ensureImage(pod, ref, c, fieldPath);
    } catch (err) {
      if (!(err instanceof ImagePullError)) throw err;
      const backingOff =
        err.message.startsWith('Back-off') || state.waiting.get(cname)?.reason === 'ErrImagePull';
      const reason = err.message.includes('pull policy of Never')
        ? 'ErrImageNeverPull'
        : backingOff
          ? 'ImagePullBackOff'
          : 'ErrImagePull';
      state.waiting.set(cname, { reason, message: err.message });
      if (reason === 'ImagePullBackOff')
        this.d.recorder.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`, fieldPath);
      // As the kubelet says it after each try, beside the try's own event.
      this.d.recorder.event(pod, 'Warning', 'Failed', `Error: ${reason}`, fieldPath);
      // ErrImagePull shows for a moment, then ImagePullBackOff until the back-off lets a pull try again.
      const left = this.pullBackoff.remaining(`${ref.uid}/pull/${cname}`, this.d.clock.now());
      this.d.requeue(key, reason === 'ErrImagePull' ? 1000 : Math.max(1000, left));
      return false;
    }
    let id: string;
    try {
      const src = await this.sources(pod, sandbox);
      const env = await containerEnv(pod, c, src);
      const binds = await bindsFor(this.d.root, ref.uid, c, state.volumes ?? new Map());
      const message = await terminationBind(this.d.root, ref.uid, c, attempt);
      if (message) binds.push(message);
      const seccomp = await seccompOption(this.d.root, pod, c);
      const config = containerConfig({
        seccomp,
        pod,
        container: c,
        sandboxId: sandbox.Id,
        env,
        binds,
        labels: appLabels(ref, cname, attempt, sandbox.Id, role),
        pidTarget,
      });
      const name = containerName(ref, cname, attempt);
      await this.d.ops.remove(name, { force: true }).catch(() => undefined);
      id = (await this.d.ops.create({ name, config })).Id;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const reason = err instanceof ContainerConfigError ? err.reason : 'CreateContainerError';
      state.waiting.set(cname, { reason, message });
      this.d.recorder.event(pod, 'Warning', 'Failed', `Error: ${message}`, fieldPath);
      this.d.requeue(key, 10_000);
      return false;
    }
    state.waiting.delete(cname);
    this.d.recorder.event(pod, 'Normal', 'Created', `Created container ${cname}`, fieldPath);
    try {
      await this.d.ops.start(id);
    } catch (err) {
      // The engine keeps the container with its error: the status shows it as StartError.
      this.d.recorder.event(
        pod,
        'Warning',
        'Failed',
        `Error: ${err instanceof Error ? err.message : err}`,
        fieldPath,
      );
      this.d.requeue(key);
      return false;
    }
    this.d.recorder.event(pod, 'Normal', 'Started', `Started container ${cname}`, fieldPath);
    this.watchExit(key, id);
    const postStart = obj(obj(c.lifecycle).postStart);
    if (Object.keys(postStart).length) {
      this.postStart(key, pod, state, sandbox, c, id, postStart, fieldPath);
      return true;
    }
    if (role === 'app' || isSidecar(c))
      this.ensureProber(key, pod, await this.d.ops.inspect(id), c, sandbox, role);
    return false;
  }

  /**
   * Runs the container's postStart hook in the background (a long hook holds no worker): until it
   * ends, the container shows as ContainerCreating and the pod's later containers wait. A failed hook
   * kills the container (its preStop runs first, as kubelet's killContainer does) and leaves it
   * waiting with PostStartHookError until the restart policy and back-off bring it back.
   */
  private postStart(
    key: string,
    pod: KubeObject,
    state: PodState,
    sandbox: ContainerInfo,
    c: Obj,
    id: string,
    handler: Obj,
    fieldPath: string,
  ): void {
    const cname = String(c.name);
    this.postStarting.add(id);
    state.waiting.set(cname, { reason: 'ContainerCreating' });
    void (async () => {
      const failure = await runHook(handler, {
        ops: this.d.ops,
        clock: this.d.clock,
        pod,
        container: c,
        containerId: id,
        podIP: await this.podIP(pod, sandbox),
      }).catch((err) => String(err));
      this.postStarting.delete(id);
      if (this.terminating.has(key) || this.pods.get(key) !== state) return;
      if (failure === undefined) {
        if (state.waiting.get(cname)?.reason === 'ContainerCreating') state.waiting.delete(cname);
        return;
      }
      this.d.recorder.event(pod, 'Warning', 'FailedPostStartHook', 'PostStartHook failed', fieldPath);
      const info = await this.d.ops.inspect(id).catch(() => undefined);
      if (info && isRunning(info)) {
        this.d.recorder.event(pod, 'Normal', 'Killing', 'FailedPostStartHook', fieldPath);
        await this.killContainer(pod, info, c, this.graceOf(pod));
      }
      state.waiting.set(cname, { reason: 'PostStartHookError', message: failure });
    })()
      .catch((err) => this.d.log.warn('a postStart hook went wrong', { id, error: String(err) }))
      .finally(() => this.d.requeue(key));
  }

  private async podIP(pod: KubeObject, sandbox: ContainerInfo): Promise<string> {
    if (obj(pod.spec).hostNetwork === true) return this.d.hostIP;
    return (await this.d.ops.inspect(sandbox.Id).catch(() => sandbox)).IPAddress;
  }

  /** The pod's grace period: the deletion's when it is being deleted, else its spec's. */
  private graceOf(pod: KubeObject): number {
    return Number(
      pod.metadata?.deletionGracePeriodSeconds ?? obj(pod.spec).terminationGracePeriodSeconds ?? 30,
    );
  }

  /**
   * kubelet's killContainer: the preStop hook first, inside the grace period (its time counts against
   * it; a hook still running when the grace is spent is left behind), then SIGTERM with what is left
   * of the grace (never under 2 s once a hook ran), then SIGKILL.
   */
  private async killContainer(pod: KubeObject, info: ContainerInfo, c: Obj | undefined, graceS: number) {
    let grace = graceS;
    const preStop = obj(obj(c?.lifecycle).preStop);
    if (c && grace > 0 && Object.keys(preStop).length) {
      const t0 = this.d.clock.now();
      const sandboxId = info.Labels[Label.sandboxId];
      const sandbox = sandboxId ? await this.d.ops.inspect(sandboxId).catch(() => undefined) : undefined;
      const hook = runHook(preStop, {
        ops: this.d.ops,
        clock: this.d.clock,
        pod,
        container: c,
        containerId: info.Id,
        podIP: sandbox ? await this.podIP(pod, sandbox) : '',
      })
        .catch((err) => String(err))
        .then((failure) => {
          if (failure !== undefined)
            this.d.recorder.event(pod, 'Warning', 'FailedPreStopHook', failure, `spec.containers{${c.name}}`);
        });
      let timer: { cancel(): void } | undefined;
      await Promise.race([
        hook,
        new Promise<void>((resolve) => {
          timer = this.d.clock.setTimeout(resolve, grace * 1000);
        }),
      ]);
      timer?.cancel();
      grace = Math.max(2, grace - Math.floor((this.d.clock.now() - t0) / 1000));
    }
    await this.d.ops.stop(info.Id, { timeoutS: grace }).catch(() => undefined);
  }

  /** The spec of a pod's container, by the engine container's labels. */
  private specOf(pod: KubeObject, info: ContainerInfo): Obj | undefined {
    const role = (info.Labels[Label.role] ?? 'app') as ContainerRole;
    return list(obj(pod.spec)[roleField[role] ?? 'containers']).find(
      (x) => x.name === info.Labels[Label.containerName],
    );
  }

  private ensureProber(
    key: string,
    pod: KubeObject,
    info: ContainerInfo,
    c: Obj,
    sandbox: ContainerInfo,
    role: ContainerRole = 'app',
  ): void {
    if (this.probers.has(info.Id)) return;
    if (!c.livenessProbe && !c.readinessProbe && !c.startupProbe) return;
    const cname = String(c.name);
    const fieldPath = `spec.${role === 'init' ? 'initContainers' : 'containers'}{${cname}}`;
    let ip = '';
    void this.d.ops.inspect(sandbox.Id).then(
      (s) => {
        ip = s.IPAddress;
      },
      () => undefined,
    );
    const hostNetwork = obj(pod.spec).hostNetwork === true;
    const prober = new ContainerProber(
      info.Id,
      c,
      () => (hostNetwork ? this.d.hostIP : ip || sandbox.IPAddress),
      this.d.clock,
      this.d.probeTransport,
      {
        changed: () => this.d.requeue(key),
        unhealthy: (_kind, message) => this.d.recorder.event(pod, 'Warning', 'Unhealthy', message, fieldPath),
        kill: (kind, message) => {
          prober.stop();
          this.probers.delete(info.Id);
          this.d.recorder.event(pod, 'Normal', 'Killing', message, fieldPath);
          // A liveness or startup probe's own terminationGracePeriodSeconds wins over the pod's.
          const grace = Number(
            obj(c[`${kind}Probe`]).terminationGracePeriodSeconds ??
              obj(pod.spec).terminationGracePeriodSeconds ??
              30,
          );
          void this.killContainer(pod, info, c, grace).catch((err) =>
            this.d.log.warn('cannot stop a container', { id: info.Id, error: String(err) }),
          );
        },
      },
    );
    this.probers.set(info.Id, prober);
  }

  /** Syncs the pod again when the container exits (each container watched once). */
  private watchExit(key: string, id: string): void {
    if (this.watched.has(id)) return;
    this.watched.add(id);
    void this.d.ops
      .wait(id, 'not-running')
      .then((w) => w.exited)
      .catch(() => undefined)
      .then(() => {
        this.watched.delete(id);
        this.probers.get(id)?.stop();
        this.probers.delete(id);
        this.d.requeue(key);
      });
  }

  private async writeStatus(pod: KubeObject, state: PodState, containers: ContainerInfo[]): Promise<Obj> {
    const sandbox = containers
      .filter((c) => c.Labels[Label.type] === 'podsandbox')
      .sort((a, b) => attemptOf(b.Labels) - attemptOf(a.Labels))[0];
    const hostNetwork = obj(pod.spec).hostNetwork === true;
    const imageIDs = new Map<string, string>();
    for (const c of containers) {
      if (imageIDs.has(c.Image)) continue;
      const img = await this.d.images.find(c.Image).catch(() => undefined);
      imageIDs.set(
        c.Image,
        img?.repoDigests[0] ? `docker-pullable://${img.repoDigests[0]}` : `docker://${c.Image}`,
      );
    }
    const probes = new Map<string, { ready: boolean; started: boolean }>();
    for (const c of containers) {
      const p = this.probeState(c.Id);
      if (p) probes.set(c.Id, p);
    }
    const messages = new Map<string, string>();
    for (const c of containers) {
      if (c.Labels[Label.type] !== 'container' || !hasExited(c)) continue;
      let message = state.messages.get(c.Id);
      if (message === undefined) {
        const spec = this.specOf(pod, c);
        message = spec ? await terminationMessage(this.d.ops, this.d.root, c, spec) : '';
        // Nothing found is asked again: a log the engine is still flushing may show it next pass.
        if (message) state.messages.set(c.Id, message);
      }
      if (message) messages.set(c.Id, message);
    }
    for (const id of state.messages.keys())
      if (!containers.some((c) => c.Id === id)) state.messages.delete(id);
    const status = podStatus({
      messages,
      pod,
      containers,
      sandbox,
      podIP: sandbox && isRunning(sandbox) ? (hostNetwork ? this.d.hostIP : sandbox.IPAddress) : '',
      hostIP: this.d.hostIP,
      waiting: state.waiting,
      probes,
      imageIDs,
      now: iso(this.d.clock.now()),
      startTime: state.startTime,
    });
    if (JSON.stringify(status) !== JSON.stringify(pod.status ?? {})) {
      await this.d.client.updateStatus(Kinds.Pod, { ...pod, status });
    }
    return status;
  }

  /** Stops what runs of the pod: the app containers, then its sidecars in reverse order, the sandbox last. */
  private async stopAll(pod: KubeObject, containers: ContainerInfo[], graceS: number, events = false) {
    const running = containers.filter(isRunning);
    const all = running.filter((c) => c.Labels[Label.type] === 'container');
    const sidecarOrder = list(obj(pod.spec).initContainers)
      .filter(isSidecar)
      .map((c) => String(c.name))
      .reverse();
    const isInit = (c: ContainerInfo) => c.Labels[Label.role] === 'init';
    await this.stopContainers(
      pod,
      all.filter((c) => !isInit(c)),
      graceS,
      events,
    );
    for (const name of sidecarOrder)
      await this.stopContainers(
        pod,
        all.filter((c) => isInit(c) && c.Labels[Label.containerName] === name),
        graceS,
        events,
      );
    await this.stopContainers(
      pod,
      all.filter((c) => isInit(c) && !sidecarOrder.includes(c.Labels[Label.containerName])),
      graceS,
      events,
    );
    for (const c of running.filter((x) => x.Labels[Label.type] === 'podsandbox'))
      await this.d.ops.stop(c.Id, { timeoutS: 0 }).catch(() => undefined);
  }

  private async stopContainers(pod: KubeObject, apps: ContainerInfo[], graceS: number, events: boolean) {
    await Promise.all(
      apps.map(async (c) => {
        const cname = c.Labels[Label.containerName];
        if (events)
          this.d.recorder.event(
            pod,
            'Normal',
            'Killing',
            `Stopping container ${cname}`,
            `spec.${c.Labels[Label.role] === 'init' ? 'initContainers' : 'containers'}{${cname}}`,
          );
        this.probers.get(c.Id)?.stop();
        this.probers.delete(c.Id);
        await this.killContainer(pod, c, this.specOf(pod, c), graceS);
      }),
    );
  }

  private async removeContainers(containers: ContainerInfo[]): Promise<void> {
    const order = [...containers].sort((a) => (a.Labels[Label.type] === 'podsandbox' ? 1 : -1));
    for (const c of order) {
      this.probers.get(c.Id)?.stop();
      this.probers.delete(c.Id);
      await this.d.ops.remove(c.Id, { force: true }).catch(() => undefined);
    }
  }

  /**
   * Graceful deletion: SIGTERM, the grace period, SIGKILL for each container (in the background: a
   * long grace period holds no worker), the sandbox, then the pod object itself with grace 0, as a
   * kubelet finishes a deletion the API server only marked.
   */
  private terminate(key: string, pod: KubeObject, mine: ContainerInfo[]): void {
    this.terminating.add(key);
    const meta = pod.metadata ?? {};
    const grace = Number(
      meta.deletionGracePeriodSeconds ?? obj(pod.spec).terminationGracePeriodSeconds ?? 30,
    );
    void (async () => {
      try {
        await this.unrouted(pod, grace);
        await this.stopAll(pod, mine, grace, true);
        await this.removeContainers(mine);
        await this.d.client.delete(Kinds.Pod, String(meta.namespace), String(meta.name), {
          gracePeriodSeconds: 0,
          preconditions: { uid: String(meta.uid) },
        });
      } catch (err) {
        if (!(err instanceof ApiError && err.reason === 'Conflict'))
          this.d.log.warn('cannot finish deleting a pod', { pod: key, error: String(err) });
      } finally {
        this.terminating.delete(key);
        await this.forget(key, String(meta.uid));
        this.d.requeue(key);
      }
    })();
  }

  /**
   * Before a deleted pod's containers get their SIGTERM: the moment its Services stop sending it new
   * connections. The endpoints controller drops a terminating pod from its Services' ready addresses,
   * and the service proxy follows. On a cluster those run beside the kubelet's kill, and a connection
   * routed in between meets a process on its way out (hence the `preStop: sleep` many Deployments
   * carry). Here the kubelet waits for the withdrawal, up to a second and never past the grace period.
   */
  private async unrouted(pod: KubeObject, graceS: number): Promise<void> {
    const ip = String(obj(pod.status).podIP ?? '');
    const routed = this.d.routedTo;
    if (!ip || !routed || !(graceS > 0)) return;
    const until = this.d.clock.now() + Math.min(1000, graceS * 1000);
    while (routed(ip) && this.d.clock.now() < until)
      await new Promise<void>((resolve) => this.d.clock.setTimeout(resolve, 20));
    // The proxy applies an Endpoints change from its own queue, a turn of the event loop later.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private async forget(key: string, uid: string): Promise<void> {
    const state = this.pods.get(key);
    if (state?.uid === uid) this.pods.delete(key);
    this.backoff.forget(`${uid}/`);
    this.pullBackoff.forget(`${uid}/`);
    await removePodDir(this.d.root, uid, this.d.mounts).catch((err) =>
      this.d.log.warn("cannot remove a pod's volumes", { uid, error: String(err) }),
    );
  }
}
