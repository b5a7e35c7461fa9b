// A pod's status as the kubelet reports it, from what the engine has (its containers, newest attempt
// first) and what the kubelet knows besides (why a container waits, what its probes say): container
// statuses with state, lastState, restartCount, ready and started; the phase by the kubelet's own
// rules (getPhase); the conditions with their transition times kept while they hold.
import type { ContainerInfo } from '../../services/containers/operations.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { attemptOf, type ContainerRole, Label } from './names.ts';
import { maxPodMessageBytes, truncateBytes } from './termination-message.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export interface Waiting {
  reason: string;
  message?: string;
}

export interface StatusInput {
  pod: KubeObject;
  /** The pod's containers (any attempt, any sandbox), as the engine lists them. */
  containers: ContainerInfo[];
  /** The sandbox now in use, if one runs. */
  sandbox?: ContainerInfo;
  podIP: string;
  hostIP: string;
  /** Why a container is not running, when the engine's state does not say it (by container name). */
  waiting: Map<string, Waiting>;
  /** Readiness and started from the probes, by container ID (absent: no probes, both true). */
  probes: Map<string, { ready: boolean; started: boolean }>;
  /** imageID of an image ID: `docker-pullable://name@sha256:…` or `docker://sha256:…`. */
  imageIDs: Map<string, string>;
  now: string;
  /** The time the kubelet first saw the pod (status.startTime). */
  startTime: string;
  /** Termination messages of exited containers, by container ID (termination-message.ts). */
  messages?: Map<string, string>;
}

const zero = '0001-01-01T00:00:00Z';
const time = (t: string) => (t && t !== zero ? t.replace(/\.\d+Z$/, 'Z') : null);

/** The containers of one name, newest attempt first. */
export function attemptsOf(containers: ContainerInfo[], name: string, role: ContainerRole): ContainerInfo[] {
  return containers
    .filter(
      (c) =>
        c.Labels[Label.type] === 'container' &&
        c.Labels[Label.containerName] === name &&
        (c.Labels[Label.role] ?? 'app') === role,
    )
    .sort((a, b) => attemptOf(b.Labels) - attemptOf(a.Labels));
}

/** A container that failed to start (its process never ran) reports as exited with 128, as Docker's do. */
export function hasExited(c: ContainerInfo): boolean {
  return (
    c.State.Status === 'exited' ||
    c.State.Status === 'dead' ||
    (c.State.Status === 'created' && !!c.State.Error)
  );
}

/**
 * The terminated state of an exited container; `message` (its termination message) follows the
 * engine's error, as kubelet appends it (`<error>: <message>`), cut to `maxMessage` bytes.
 */
export function terminatedState(c: ContainerInfo, message = '', maxMessage = maxPodMessageBytes): Obj {
  const s = c.State;
  const full = [s.Error, message].filter(Boolean).join(': ');
  const neverRan = s.Status === 'created' || (!time(s.StartedAt) && !!s.Error);
  const exitCode = neverRan ? 128 : s.ExitCode;
  const reason = neverRan ? 'StartError' : s.OOMKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
  return {
    terminated: {
      exitCode,
      reason,
      ...(full ? { message: truncateBytes(full, maxMessage) } : {}),
      startedAt: time(s.StartedAt) ?? time(c.Created),
      finishedAt: time(s.FinishedAt) ?? time(c.Created),
      containerID: `docker://${c.Id}`,
    },
  };
}

/** A restartable init container (restartPolicy Always): a sidecar that runs beside the app containers. */
export const isSidecar = (c: Obj) => c.restartPolicy === 'Always';

function containerStatus(input: StatusInput, spec: Obj, role: ContainerRole, initDone: boolean): Obj {
  const name = String(spec.name);
  const sidecar = role === 'init' && isSidecar(spec);
  const spec0 = obj(input.pod.spec);
  // Each container's share of the pod's 12 KiB of messages.
  const share = Math.floor(
    maxPodMessageBytes / Math.max(1, list(spec0.containers).length + list(spec0.initContainers).length),
  );
  const terminatedOf = (c: ContainerInfo) => terminatedState(c, input.messages?.get(c.Id), share);
  const all = attemptsOf(input.containers, name, role);
  const latest = all[0];
  const previous = all[1];
  const wait = input.waiting.get(name);
  let state: Obj;
  let lastState: Obj = previous && hasExited(previous) ? terminatedOf(previous) : {};
  let ready = false;
  let started = false;
  if (latest && latest.State.Status === 'running' && !wait) {
    const p = input.probes.get(latest.Id) ?? { ready: true, started: true };
    state = { running: { startedAt: time(latest.State.StartedAt) } };
    ready = p.ready && p.started;
    started = p.started;
    if ((role === 'init' && !sidecar) || role === 'ephemeral') ready = false;
  } else if (wait) {
    state = { waiting: { reason: wait.reason, ...(wait.message ? { message: wait.message } : {}) } };
    if (latest && hasExited(latest)) lastState = terminatedOf(latest);
  } else if (latest && hasExited(latest)) {
    state = terminatedOf(latest);
    if (role === 'init' && !sidecar && obj(state.terminated).exitCode === 0) ready = true;
  } else {
    state = { waiting: { reason: role === 'app' && !initDone ? 'PodInitializing' : 'ContainerCreating' } };
  }
  return {
    name,
    state,
    lastState,
    ready,
    restartCount: latest ? attemptOf(latest.Labels) : 0,
    image: String(spec.image),
    imageID: latest ? (input.imageIDs.get(latest.Image) ?? `docker://${latest.Image}`) : '',
    ...(latest ? { containerID: `docker://${latest.Id}` } : {}),
    started,
  };
}

/** Whether every init container has succeeded, and every sidecar runs (the app containers may start). */
export function initsDone(pod: KubeObject, containers: ContainerInfo[]): boolean {
  return list(obj(pod.spec).initContainers).every((c) => {
    const latest = attemptsOf(containers, String(c.name), 'init')[0];
    if (isSidecar(c)) return !!latest && (latest.State.Status === 'running' || hasExited(latest));
    return latest && latest.State.Status === 'exited' && latest.State.ExitCode === 0;
  });
}

/** The kubelet's getPhase over the statuses. */
export function phaseOf(pod: KubeObject, allInits: Obj[], apps: Obj[]): string {
  const policy = String(obj(pod.spec).restartPolicy ?? 'Always');
  const sidecars = new Set(
    list(obj(pod.spec).initContainers)
      .filter(isSidecar)
      .map((c) => String(c.name)),
  );
  const inits = allInits.filter((s) => !sidecars.has(String(s.name)));
  const initFailed = inits.some((s) => {
    const t = obj(obj(s.state).terminated);
    return t.exitCode !== undefined && t.exitCode !== 0;
  });
  const initPending = inits.some((s) => obj(obj(s.state).terminated).exitCode !== 0);
  if (initPending) return initFailed && policy === 'Never' ? 'Failed' : 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of apps) {
    const st = obj(s.state);
    if (st.running) running++;
    else if (st.terminated) {
      stopped++;
      if (obj(st.terminated).exitCode === 0) succeeded++;
    } else if (st.waiting) {
      const last = obj(obj(s.lastState).terminated);
      if (last.exitCode !== undefined) {
        stopped++;
        if (last.exitCode === 0) succeeded++;
      } else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'OnFailure') return 'Running';
    return 'Failed';
  }
  return 'Pending';
}

/** The pod's status, with the conditions' lastTransitionTime kept from `old` while they hold. */
export function podStatus(input: StatusInput): Obj {
  const { pod } = input;
  const spec = obj(pod.spec);
  const old = obj(pod.status);
  const initDone = initsDone(pod, input.containers);
  const inits = list(spec.initContainers).map((c) => containerStatus(input, c, 'init', initDone));
  const apps = list(spec.containers).map((c) => containerStatus(input, c, 'app', initDone));
  // Ephemeral (debug) containers: reported, never part of the phase or readiness.
  const ephemerals = list(spec.ephemeralContainers).map((c) =>
    containerStatus(input, c, 'ephemeral', initDone),
  );
  const phase = phaseOf(pod, inits, apps);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const oldConds = list(old.conditions);
  const cond = (type: string, ok: boolean, reason?: string, message?: string): Obj => {
    const status = ok ? 'True' : 'False';
    const prior = oldConds.find((c) => c.type === type);
    return {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: prior && prior.status === status ? prior.lastTransitionTime : input.now,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    };
  };
  const sidecars = new Set(
    list(spec.initContainers)
      .filter(isSidecar)
      .map((c) => String(c.name)),
  );
  const unready = [...inits.filter((s) => sidecars.has(String(s.name))), ...apps]
    .filter((s) => !s.ready)
    .map((s) => String(s.name));
  const incompleteInits = inits
    .filter((s) => (sidecars.has(String(s.name)) ? !s.started : obj(obj(s.state).terminated).exitCode !== 0))
    .map((s) => String(s.name));
  const sandboxUp = !!input.sandbox && input.sandbox.State.Status === 'running';
  const readyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const conditions = [
    cond('PodReadyToStartContainers', sandboxUp),
    cond(
      'Initialized',
      incompleteInits.length === 0,
      incompleteInits.length ? 'ContainersNotInitialized' : undefined,
      incompleteInits.length
        ? `containers with incomplete status: [${incompleteInits.join(' ')}]`
        : undefined,
    ),
    cond(
      'Ready',
      !unready.length && !terminal,
      unready.length || terminal ? readyReason : undefined,
      unready.length ? readyMessage : undefined,
    ),
    cond(
      'ContainersReady',
      !unready.length && !terminal,
      unready.length || terminal ? readyReason : undefined,
      unready.length ? readyMessage : undefined,
    ),
    oldConds.find((c) => c.type === 'PodScheduled') ?? cond('PodScheduled', true),
  ];
  const podIP = terminal ? (old.podIP as string | undefined) : input.podIP || undefined;
  return {
    ...old,
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : { podIP: undefined, podIPs: undefined }),
    startTime: old.startTime ?? input.startTime,
    ...(inits.length ? { initContainerStatuses: inits } : {}),
    containerStatuses: apps,
    ...(ephemerals.length ? { ephemeralContainerStatuses: ephemerals } : {}),
  };
}
