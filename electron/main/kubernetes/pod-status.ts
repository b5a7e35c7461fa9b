// kubectl's pod columns, computed as `kubectl get pods` prints them (printPod in kubectl's printers):
// STATUS (Init:0/1, PodInitializing, ContainerCreating, CrashLoopBackOff, Completed, Error,
// Terminating…), READY (sidecar init containers count), RESTARTS with the time of the last one.

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: {
    reason?: string;
    exitCode?: number;
    signal?: number;
    finishedAt?: string;
    startedAt?: string;
  };
}

export interface RawContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  image?: string;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface RawContainer {
  name: string;
  image?: string;
  restartPolicy?: string;
  ports?: { containerPort: number; protocol?: string; name?: string }[];
}

export interface RawCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface RawPod {
  metadata: { deletionTimestamp?: string };
  spec?: { containers?: RawContainer[]; initContainers?: RawContainer[]; nodeName?: string };
  status?: {
    phase?: string;
    reason?: string;
    podIP?: string;
    conditions?: RawCondition[];
    initContainerStatuses?: RawContainerStatus[];
    containerStatuses?: RawContainerStatus[];
  };
}

export interface PodColumns {
  status: string;
  ready: number;
  total: number;
  restarts: number;
  /** ISO 8601 of the last restart's end (the previous run's finishedAt). */
  lastRestartAt?: string;
}

/** A sidecar: an init container that keeps running beside the others (restartPolicy Always). */
const restartable = (c: RawContainer | undefined) => c?.restartPolicy === 'Always';

const later = (a: string | undefined, b: string | undefined) => {
  if (!b) return a;
  if (!a) return b;
  return Date.parse(b) > Date.parse(a) ? b : a;
};

export function podColumns(pod: RawPod): PodColumns {
  const spec = pod.spec ?? {};
  const st = pod.status ?? {};
  const initSpecs = spec.initContainers ?? [];
  let total = (spec.containers ?? []).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: string | undefined;
  let lastSidecarRestart: string | undefined;
  const phase = st.phase ?? '';
  let reason = st.reason || phase;
  if ((st.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }
  const initByName = new Map(initSpecs.map((c) => [c.name, c]));
  for (const c of initSpecs) if (restartable(c)) total++;

  let initializing = false;
  const inits = st.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i];
    restarts += c.restartCount ?? 0;
    const finished = c.lastState?.terminated?.finishedAt;
    lastRestart = later(lastRestart, finished);
    const sidecar = restartable(initByName.get(c.name));
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, finished);
    }
    const t = c.state?.terminated;
    const w = c.state?.waiting;
    if (t && (t.exitCode ?? 0) === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (t) {
      if (!t.reason) reason = t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode ?? 0}`;
      else reason = `Init:${t.reason}`;
    } else if (w?.reason && w.reason !== 'PodInitializing') {
      reason = `Init:${w.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  const initialized = (st.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const cs = st.containerStatuses ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i];
      restarts += c.restartCount ?? 0;
      lastRestart = later(lastRestart, c.lastState?.terminated?.finishedAt);
      const w = c.state?.waiting;
      const t = c.state?.terminated;
      if (w?.reason) reason = w.reason;
      else if (t?.reason) reason = t.reason;
      else if (t) reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode ?? 0}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = (st.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && st.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed')
    reason = 'Terminating';

  return {
    status: reason,
    ready,
    total,
    restarts,
    ...(restarts !== 0 && lastRestart ? { lastRestartAt: lastRestart } : {}),
  };
}
