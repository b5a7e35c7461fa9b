// Pods: defaulting, validation, the STATUS a real cluster prints, and the field selectors the kubelet
// and kubectl use (spec.nodeName, status.phase).
import type { KubeObject, ResourceDef } from '../registry.ts';
import { bindingHandler } from '../rest/binding.ts';
import { evictionHandler } from '../rest/eviction.ts';
import { fieldPath } from '../selectors.ts';
import { ageColumn, column, nameColumn, since } from '../table.ts';
import { validateEphemeralContainers } from './ephemeral.ts';
import { validatePodUpdate } from './pod-update.ts';
import { asList, asObj, defaultPodSpec, validatePodSpec } from './podspec.ts';

type Obj = Record<string, unknown>;

interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** READY, STATUS and RESTARTS as kubectl's pod printer works them out. */
export function summarizePod(pod: KubeObject, now: number): PodSummary {
  const spec = asObj(pod.spec);
  const status = asObj(pod.status);
  let restarts = 0;
  let lastRestart = 0;
  let ready = 0;
  // Sidecars (init containers with restartPolicy Always) count among the pod's containers.
  const sidecars = new Set(
    asList(spec.initContainers)
      .filter((c) => c.restartPolicy === 'Always')
      .map((c) => String(c.name)),
  );
  const total = asList(spec.containers).length + sidecars.size;
  let sidecarRestarts = 0;
  let sidecarLastRestart = 0;
  let reason = String(status.reason || status.phase || 'Pending');
  const noteRestart = (cs: Obj) => {
    restarts += Number(cs.restartCount ?? 0);
    const finished = asObj(asObj(asObj(cs.lastState).terminated)).finishedAt;
    if (typeof finished === 'string') lastRestart = Math.max(lastRestart, Date.parse(finished) || 0);
  };
  let initializing = false;
  const inits = asList(status.initContainerStatuses);
  for (const [i, cs] of inits.entries()) {
    noteRestart(cs);
    if (sidecars.has(String(cs.name))) {
      sidecarRestarts += Number(cs.restartCount ?? 0);
      const finished = asObj(asObj(cs.lastState).terminated).finishedAt;
      if (typeof finished === 'string')
        sidecarLastRestart = Math.max(sidecarLastRestart, Date.parse(finished) || 0);
      if (cs.started === true && cs.ready === true) ready++;
      continue;
    }
    const st = asObj(cs.state);
    const term = st.terminated ? asObj(st.terminated) : undefined;
    const wait = st.waiting ? asObj(st.waiting) : undefined;
    if (term && term.exitCode === 0) continue;
    initializing = true;
    if (term) {
      reason = term.reason
        ? `Init:${term.reason}`
        : term.signal
          ? `Init:Signal:${term.signal}`
          : `Init:ExitCode:${term.exitCode}`;
    } else if (wait?.reason && wait.reason !== 'PodInitializing') reason = `Init:${wait.reason}`;
    else reason = `Init:${i}/${asList(spec.initContainers).length}`;
    break;
  }
  const initialized = asList(status.conditions).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = sidecarLastRestart;
    let hasRunning = false;
    for (const cs of [...asList(status.containerStatuses)].reverse()) {
      noteRestart(cs);
      const st = asObj(cs.state);
      const wait = st.waiting ? asObj(st.waiting) : undefined;
      const term = st.terminated ? asObj(st.terminated) : undefined;
      if (wait?.reason) reason = String(wait.reason);
      else if (term?.reason) reason = String(term.reason);
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (cs.ready && st.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const readyCond = asList(status.conditions).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = readyCond ? 'Running' : 'NotReady';
    }
  }
  const meta = pod.metadata ?? {};
  if (meta.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  const restartText = lastRestart
    ? `${restarts} (${since(new Date(lastRestart).toISOString(), now)} ago)`
    : String(restarts);
  return { ready: `${ready}/${total}`, status: reason, restarts: restartText };
}

function qosClass(spec: Obj): string {
  const containers = [...asList(spec.containers), ...asList(spec.initContainers)];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const r = asObj(c.resources);
    const req = asObj(r.requests);
    const lim = asObj(r.limits);
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const res of ['cpu', 'memory']) {
      if (lim[res] === undefined || (req[res] !== undefined && req[res] !== lim[res])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export const podDef: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  subresources: { status: true },
  handlers: { binding: bindingHandler, eviction: evictionHandler },
  fieldSelectors: {
    'spec.nodeName': fieldPath('spec.nodeName'),
    'spec.restartPolicy': fieldPath('spec.restartPolicy'),
    'spec.schedulerName': fieldPath('spec.schedulerName'),
    'spec.serviceAccountName': fieldPath('spec.serviceAccountName'),
    'spec.hostNetwork': (o) => String(asObj(o.spec).hostNetwork === true),
    'status.phase': fieldPath('status.phase'),
    'status.podIP': fieldPath('status.podIP'),
    'status.nominatedNodeName': fieldPath('status.nominatedNodeName'),
  },
  table: [
    nameColumn,
    column(
      'Ready',
      (o, now) => summarizePod(o, now).ready,
      'The aggregate readiness state of this pod for accepting traffic.',
    ),
    column(
      'Status',
      (o, now) => summarizePod(o, now).status,
      'The aggregate status of the containers in this pod.',
    ),
    column(
      'Restarts',
      (o, now) => summarizePod(o, now).restarts,
      'How often the containers restarted, and when last.',
    ),
    ageColumn,
    column('IP', (o) => String(asObj(o.status).podIP || '<none>'), 'The address of the pod.', { wide: true }),
    column('Node', (o) => String(asObj(o.spec).nodeName || '<none>'), 'The node the pod runs on.', {
      wide: true,
    }),
    column(
      'Nominated Node',
      (o) => String(asObj(o.status).nominatedNodeName || '<none>'),
      'The node a preempting pod waits for.',
      { wide: true },
    ),
    column(
      'Readiness Gates',
      (o) => {
        const gates = asList(asObj(o.spec).readinessGates);
        if (!gates.length) return '<none>';
        const conds = asList(asObj(o.status).conditions);
        const met = gates.filter((g) =>
          conds.some((c) => c.type === g.conditionType && c.status === 'True'),
        ).length;
        return `${met}/${gates.length}`;
      },
      'Readiness gates met of those the pod has.',
      { wide: true },
    ),
  ],
  strategy: {
    defaults: (o) => {
      o.spec ??= {};
      defaultPodSpec(o.spec);
      // Set on pods only (templates stay without them), as the API server does; priority and
      // preemptionPolicy come from the Priority admission plugin (admission.ts).
      o.spec.enableServiceLinks ??= true;
    },
    validate: (o, old, subresource) => [
      ...validatePodSpec(o.spec, 'spec'),
      ...(old && !subresource ? validatePodUpdate(o, old) : []),
      ...(!old || subresource === 'ephemeralcontainers' ? validateEphemeralContainers(o, old) : []),
    ],
    initialStatus: (o) => ({ phase: 'Pending', qosClass: qosClass(asObj(o.spec)) }),
    gracePeriod: (o, requested) => {
      const spec = asObj(o.spec);
      const phase = asObj(o.status).phase;
      // A pod no kubelet runs (unscheduled, or finished) has nothing to stop: it goes at once.
      if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
      return requested ?? Number(spec.terminationGracePeriodSeconds ?? 30);
    },
  },
};
