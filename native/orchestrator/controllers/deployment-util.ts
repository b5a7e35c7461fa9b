// The arithmetic of Deployments, as Kubernetes' deployment util works it out: the pod-template-hash,
// maxSurge/maxUnavailable from ints or percentages (surge rounded up, unavailable down), revisions
// and the annotations a Deployment writes on its ReplicaSets, replica counts over sets of
// ReplicaSets, and the status conditions.
import type { KubeObject } from '../apiserver/registry.ts';
import { copyJson, sameJson } from '../apiserver/registry.ts';
import { asList, asObj, creationMs, int, iso, type Obj, spec, status } from './common.ts';

export const hashLabel = 'pod-template-hash';
export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';

/** Annotations a Deployment does not copy to its ReplicaSets (nor `rollout undo` back). */
const skipAnnotations = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  revisionAnnotation,
  revisionHistoryAnnotation,
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
  'deprecated.deployment.rollback.to',
]);

// Kubernetes' rand.SafeEncodeString alphabet: no vowels, no look-alikes.
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * The pod-template-hash: FNV-1a (32 bits) of the template and the collision count, its decimal digits
 * mapped through SafeEncodeString as Kubernetes maps them (so it reads like a real one: `7c5ddbdf54`).
 * The template is hashed as canonical JSON rather than Go's spew dump: stable, not byte-identical.
 */
export function templateHash(template: unknown, collisionCount?: number): string {
  let h = 0x811c9dc5;
  const feed = (bytes: Uint8Array) => {
    for (const b of bytes) {
      h ^= b;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  };
  feed(Buffer.from(canonicalTemplate(template)));
  if (collisionCount !== undefined) {
    const c = Buffer.alloc(4);
    c.writeUInt32LE(collisionCount >>> 0);
    feed(c);
  }
  return String(h)
    .padStart(10, '0')
    .split('')
    .map((d) => alphanums[d.charCodeAt(0) % alphanums.length])
    .join('');
}

function canonicalTemplate(t: unknown): string {
  return JSON.stringify(t, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/** Two templates are the same rollout when they differ at most in the pod-template-hash label. */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  const strip = (t: unknown) => {
    const c = copyJson(asObj(t));
    const meta = asObj(c.metadata);
    const labels = { ...asObj(meta.labels) };
    delete labels[hashLabel];
    c.metadata = { ...meta, labels };
    if (Object.keys(labels).length === 0) delete (c.metadata as Obj).labels;
    return c;
  };
  return sameJson(strip(a), strip(b));
}

export const replicas = (o: KubeObject) => int(spec(o).replicas, 1);

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaled(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v ?? '0'));
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export const isRollingUpdate = (d: KubeObject) => asObj(spec(d).strategy).type !== 'Recreate';

/** ResolveFenceposts: maxSurge rounded up, maxUnavailable down; never both 0. */
export function fenceposts(d: KubeObject): { surge: number; unavailable: number } {
  const ru = asObj(asObj(spec(d).strategy).rollingUpdate);
  const want = replicas(d);
  const surge = scaled(ru.maxSurge ?? '25%', want, true);
  let unavailable = scaled(ru.maxUnavailable ?? '25%', want, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: KubeObject): number {
  return isRollingUpdate(d) ? fenceposts(d).surge : 0;
}

export function maxUnavailable(d: KubeObject): number {
  if (!isRollingUpdate(d) || replicas(d) === 0) return 0;
  return Math.min(fenceposts(d).unavailable, replicas(d));
}

export const revisionOf = (o: KubeObject): number => {
  const v = o.metadata?.annotations?.[revisionAnnotation];
  const n = Number(v);
  return v !== undefined && Number.isInteger(n) ? n : 0;
};

export const maxRevision = (sets: KubeObject[]) => Math.max(0, ...sets.map(revisionOf));

export const specReplicas = (sets: (KubeObject | undefined)[]) =>
  sets.reduce((n, rs) => n + (rs ? replicas(rs) : 0), 0);
export const actualReplicas = (sets: (KubeObject | undefined)[]) =>
  sets.reduce((n, rs) => n + (rs ? int(status(rs).replicas) : 0), 0);
export const readyReplicas = (sets: (KubeObject | undefined)[]) =>
  sets.reduce((n, rs) => n + (rs ? int(status(rs).readyReplicas) : 0), 0);
export const availableReplicas = (sets: (KubeObject | undefined)[]) =>
  sets.reduce((n, rs) => n + (rs ? int(status(rs).availableReplicas) : 0), 0);

export const byCreation = (a: KubeObject, b: KubeObject) =>
  creationMs(a) - creationMs(b) || ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1);

/** The ReplicaSet whose template is the Deployment's (the oldest, should there be two). */
export function findNewReplicaSet(d: KubeObject, sets: KubeObject[]): KubeObject | undefined {
  return [...sets].sort(byCreation).find((rs) => equalIgnoreHash(spec(rs).template, spec(d).template));
}

export const isActive = (rs: KubeObject | undefined): rs is KubeObject => !!rs && replicas(rs) > 0;

/**
 * Copies the Deployment's annotations, raises the revision when it is behind (keeping the old one in
 * revision-history, as a rollback to this ReplicaSet does), and (for a new one) the replica annotations.
 * Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(
  d: KubeObject,
  rs: KubeObject,
  newRevision: number,
  exists: boolean,
): boolean {
  rs.metadata ??= {};
  const ann = { ...rs.metadata.annotations };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipAnnotations.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  const old = ann[revisionAnnotation];
  const oldRevision = old === undefined ? 0 : Number(old);
  if (Number.isNaN(oldRevision)) return false;
  if (oldRevision < newRevision) {
    ann[revisionAnnotation] = String(newRevision);
    changed = true;
    if (old !== undefined) {
      const history = ann[revisionHistoryAnnotation];
      ann[revisionHistoryAnnotation] = history ? `${history},${old}` : old;
    }
  }
  if (!exists) {
    ann[desiredReplicasAnnotation] = String(replicas(d));
    ann[maxReplicasAnnotation] = String(replicas(d) + maxSurge(d));
    changed = true;
  }
  rs.metadata.annotations = ann;
  return changed;
}

/** The replica annotations on a ReplicaSet being scaled; whether they changed. */
export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  rs.metadata ??= {};
  const ann = { ...rs.metadata.annotations };
  if (ann[desiredReplicasAnnotation] === String(desired) && ann[maxReplicasAnnotation] === String(max))
    return false;
  ann[desiredReplicasAnnotation] = String(desired);
  ann[maxReplicasAnnotation] = String(max);
  rs.metadata.annotations = ann;
  return true;
}

/** NewRSNewReplicas: how big the new ReplicaSet may be now. */
export function newReplicaSetReplicas(d: KubeObject, all: KubeObject[], newRS: KubeObject): number {
  if (!isRollingUpdate(d)) return replicas(d);
  const current = specReplicas(all);
  const maxTotal = replicas(d) + maxSurge(d);
  if (current >= maxTotal) return replicas(newRS);
  const up = Math.min(maxTotal - current, replicas(d) - replicas(newRS));
  return replicas(newRS) + up;
}

export function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = rs.metadata?.annotations?.[desiredReplicasAnnotation];
  return (
    replicas(rs) === replicas(d) &&
    desired === String(replicas(d)) &&
    int(status(rs).availableReplicas) === replicas(d)
  );
}

// Conditions ----------------------------------------------------------------------------------------

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export const conditionsOf = (st: Obj): Condition[] => asList(st.conditions) as unknown as Condition[];

export const getCondition = (st: Obj, type: string) => conditionsOf(st).find((c) => c.type === type);

export function newCondition(
  type: string,
  st: Condition['status'],
  reason: string,
  message: string,
  now: number,
): Condition {
  const t = iso(now);
  return { type, status: st, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** SetDeploymentCondition: same status and reason: unchanged; same status: transition time kept. */
export function setCondition(st: Obj, c: Condition): void {
  const current = getCondition(st, c.type);
  if (current && current.status === c.status && current.reason === c.reason) return;
  if (current && current.status === c.status) c.lastTransitionTime = current.lastTransitionTime;
  st.conditions = [...conditionsOf(st).filter((x) => x.type !== c.type), c];
}

export function removeCondition(st: Obj, type: string): void {
  const rest = conditionsOf(st).filter((x) => x.type !== type);
  if (rest.length) st.conditions = rest;
  else delete st.conditions;
}

export const hasProgressDeadline = (d: KubeObject) => {
  const s = spec(d).progressDeadlineSeconds;
  return typeof s === 'number' && s !== 2147483647;
};

export function deploymentComplete(d: KubeObject, st: Obj): boolean {
  const want = replicas(d);
  return (
    int(st.updatedReplicas) === want &&
    int(st.replicas) === want &&
    int(st.availableReplicas) === want &&
    int(st.observedGeneration) >= int(d.metadata?.generation)
  );
}

export function deploymentProgressing(d: KubeObject, st: Obj): boolean {
  const old = status(d);
  const oldOld = int(old.replicas) - int(old.updatedReplicas);
  const newOld = int(st.replicas) - int(st.updatedReplicas);
  return (
    int(st.updatedReplicas) > int(old.updatedReplicas) ||
    newOld < oldOld ||
    int(st.readyReplicas) > int(old.readyReplicas) ||
    int(st.availableReplicas) > int(old.availableReplicas)
  );
}

export function deploymentTimedOut(d: KubeObject, st: Obj, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(st, 'Progressing');
  if (!c || c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  return Date.parse(c.lastUpdateTime) + int(spec(d).progressDeadlineSeconds) * 1000 < now;
}

/** calculateStatus: counts over the ReplicaSets, and the Available condition. */
export function calculateStatus(
  d: KubeObject,
  all: KubeObject[],
  newRS: KubeObject | undefined,
  now: number,
): Obj {
  const available = availableReplicas(all);
  const unavailable = Math.max(0, specReplicas(all) - available);
  const st: Obj = {};
  if (d.metadata?.generation !== undefined) st.observedGeneration = d.metadata.generation;
  // Zero counts are left out, as the API's omitempty does.
  const counts: [string, number][] = [
    ['replicas', actualReplicas(all)],
    ['updatedReplicas', actualReplicas([newRS])],
    ['readyReplicas', readyReplicas(all)],
    ['availableReplicas', available],
    ['unavailableReplicas', unavailable],
  ];
  for (const [k, v] of counts) if (v) st[k] = v;
  const old = status(d);
  if (old.collisionCount !== undefined) st.collisionCount = old.collisionCount;
  if (conditionsOf(old).length) st.conditions = copyJson(conditionsOf(old));
  if (available >= replicas(d) - maxUnavailable(d))
    setCondition(
      st,
      newCondition(
        'Available',
        'True',
        'MinimumReplicasAvailable',
        'Deployment has minimum availability.',
        now,
      ),
    );
  else
    setCondition(
      st,
      newCondition(
        'Available',
        'False',
        'MinimumReplicasUnavailable',
        'Deployment does not have minimum availability.',
        now,
      ),
    );
  return st;
}
