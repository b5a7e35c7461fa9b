// One object for its detail view (`kube.get`): its YAML as `kubectl get -o yaml` prints it (keys sorted,
// sequences flush with their key, managedFields left out), its conditions, and its containers with
// their state, readiness, restarts and ports (a workload's: its pod template's).
import { stringify } from 'yaml';
import {
  hiddenSecretValue,
  type KubeCondition,
  type KubeContainerView,
  type KubeObjectRef,
  type KubeObjectView,
} from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';
import type { KubeContexts } from './contexts.ts';
import type { RawCondition, RawContainer, RawContainerStatus } from './pod-status.ts';
import { kubeCall } from './problems.ts';
import { isKubeKind, kubeResources, objectPath } from './resources.ts';
import type { RawObject } from './rows.ts';

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, sortKeys(o[k])]),
    );
  }
  return v;
}

/** kubectl's `-o yaml`: Go's YAML encoder sorts map keys and does not indent a list under its key. */
export function objectYaml(o: RawObject): string {
  const copy = { ...o, metadata: { ...o.metadata } } as RawObject & { metadata: { managedFields?: unknown } };
  delete copy.metadata.managedFields;
  // YAML 1.1's schema, as Go's encoder: strings that read as timestamps or booleans (yes, on) are quoted.
  return stringify(sortKeys(copy), { indentSeq: false, lineWidth: 0, version: '1.1' });
}

function stateText(s: RawContainerStatus['state']): string {
  if (s?.running) return 'Running';
  if (s?.waiting) return s.waiting.reason ? `Waiting: ${s.waiting.reason}` : 'Waiting';
  if (s?.terminated) {
    const t = s.terminated;
    return `Terminated: ${t.reason || (t.signal ? `Signal ${t.signal}` : 'Exited')} (exit code ${t.exitCode ?? 0})`;
  }
  return '';
}

const portsOf = (c: RawContainer) =>
  (c.ports ?? []).map((p) => `${p.name ? `${p.name} ` : ''}${p.containerPort}/${p.protocol ?? 'TCP'}`);

export function containersOf(kind: string, o: RawObject): KubeContainerView[] {
  const podSpec =
    kind === 'pods'
      ? o.spec
      : kind === 'cronjobs'
        ? o.spec?.jobTemplate?.spec?.template?.spec
        : o.spec?.template?.spec;
  if (!podSpec) return [];
  const statuses = kind === 'pods' ? o.status : undefined;
  const view = (c: RawContainer, init: boolean): KubeContainerView => {
    const list = (init ? statuses?.initContainerStatuses : statuses?.containerStatuses) as
      | RawContainerStatus[]
      | undefined;
    const st = list?.find((s) => s.name === c.name);
    return {
      name: c.name,
      init,
      image: c.image ?? '',
      state: stateText(st?.state),
      ready: st?.ready === true,
      restarts: st?.restartCount ?? 0,
      ports: portsOf(c),
    };
  };
  return [
    ...((podSpec.initContainers ?? []) as RawContainer[]).map((c) => view(c, true)),
    ...((podSpec.containers ?? []) as RawContainer[]).map((c) => view(c, false)),
  ];
}

export function conditionsOf(o: RawObject): KubeCondition[] {
  return ((o.status?.conditions ?? []) as RawCondition[]).map((c) => ({
    type: c.type,
    status: c.status,
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
    ...(c.lastTransitionTime ? { lastTransitionTime: c.lastTransitionTime } : {}),
  }));
}

const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * A Secret with its values left out, before it leaves the main process: every key of `data` and
 * `stringData` keeps its name, and kubectl's last-applied annotation (which holds the data too) its key.
 */
export function withoutSecretValues(o: RawObject): RawObject {
  const hide = (m: unknown) =>
    m && typeof m === 'object' ? Object.fromEntries(Object.keys(m).map((k) => [k, hiddenSecretValue])) : m;
  const copy = { ...o, metadata: { ...o.metadata } } as RawObject & Record<string, unknown>;
  if ('data' in copy) copy.data = hide(copy.data);
  if ('stringData' in copy) copy.stringData = hide(copy.stringData);
  const annotations = copy.metadata.annotations as Record<string, string> | undefined;
  if (annotations?.[lastApplied] !== undefined)
    copy.metadata.annotations = { ...annotations, [lastApplied]: hiddenSecretValue };
  return copy;
}

export function objectView(ref: KubeObjectRef, o: RawObject): KubeObjectView {
  return {
    ref,
    uid: o.metadata.uid ?? '',
    yaml: objectYaml(ref.kind === 'secrets' ? withoutSecretValues(o) : o),
    conditions: conditionsOf(o),
    containers: containersOf(ref.kind, o),
  };
}

export function objectHandlers(k: KubeContexts): Pick<InvokeHandlers, 'kube.get'> {
  return {
    'kube.get': (ref) =>
      kubeCall(async () => {
        if (!isKubeKind(ref.kind))
          throw new HandlerError('invalid_argument', 'kube.kind', `unknown kind ${ref.kind}`);
        const client = await k.client(ref.context);
        const o = await client.request<RawObject>(
          'GET',
          objectPath(kubeResources[ref.kind], ref.namespace, ref.name),
        );
        return objectView(ref, o);
      }),
  };
}
