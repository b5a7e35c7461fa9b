// The Deployment controller, after kube-controller-manager's: it claims the ReplicaSets its selector
// matches, keeps one per template (`<deployment>-<pod-template-hash>`) with the revision annotations,
// rolls from old to new (RollingUpdate within maxSurge/maxUnavailable, or Recreate), scales all of
// them proportionally when only the replica count changed or the Deployment is paused, removes old
// ReplicaSets beyond revisionHistoryLimit, and writes the status `kubectl rollout status` reads
// (counts, observedGeneration, Available and Progressing with progressDeadlineSeconds). A rollback
// (`kubectl rollout undo` copies an old template back) needs nothing special: the old ReplicaSet is
// the new one again and gets the next revision.
import { copyJson, type KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { type Informer, splitKey } from '../client/informer.ts';
import {
  asObj,
  Controller,
  claim,
  controllerRef,
  freshOwner,
  int,
  isConflict,
  isNamespaceTerminating,
  type Obj,
  ownerRefTo,
  selects,
  spec,
  status,
} from './common.ts';
import { rolloutRecreate, rolloutRolling } from './deployment-rollout.ts';
import {
  byCreation,
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  desiredReplicasAnnotation,
  equalIgnoreHash,
  findNewReplicaSet,
  getCondition,
  hashLabel,
  hasProgressDeadline,
  isActive,
  isRollingUpdate,
  isSaturated,
  maxReplicasAnnotation,
  maxRevision,
  maxSurge,
  newCondition,
  newReplicaSetReplicas,
  removeCondition,
  replicas,
  revisionAnnotation,
  revisionOf,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
  templateHash,
} from './deployment-util.ts';
import { EventRecorder } from './events.ts';

/** One sync's view: the Deployment as last written, and its ReplicaSets. */
export interface Rollout {
  d: KubeObject;
  sets: KubeObject[];
  /** Pods of the Deployment's ReplicaSets, by ReplicaSet uid (Recreate waits for old ones to go). */
  pods: Map<string, KubeObject[]>;
}

export class DeploymentController extends Controller {
  readonly name = 'deployment-controller';
  events!: EventRecorder;

  get deployments(): Informer {
    return this.env.informers.for(Kinds.Deployment);
  }

  get sets(): Informer {
    return this.env.informers.for(Kinds.ReplicaSet);
  }

  get pods(): Informer {
    return this.env.informers.for(Kinds.Pod);
  }

  protected register(): void {
    this.events = new EventRecorder(this.client, this.clock, this.name);
    this.deployments.on({
      add: (d) => this.enqueue(d),
      update: (d) => this.enqueue(d),
      delete: (d) => this.enqueue(d),
    });
    this.sets.on({
      add: (rs) => this.replicaSetChanged(rs),
      update: (rs, old) => {
        const before = this.ownerOf(old);
        if (before && before.metadata?.uid !== this.ownerOf(rs)?.metadata?.uid) this.enqueue(before);
        this.replicaSetChanged(rs);
      },
      delete: (rs) => {
        const owner = this.ownerOf(rs);
        if (owner) this.enqueue(owner);
      },
    });
    // Recreate waits until the old pods are gone: their deletion is what it waits on.
    this.pods.on({
      delete: (pod) => {
        const ref = controllerRef(pod);
        if (ref?.kind !== 'ReplicaSet') return;
        const rs = this.sets.get(pod.metadata?.namespace, ref.name);
        const d = rs && this.ownerOf(rs);
        if (d && !isRollingUpdate(d)) this.enqueue(d);
      },
    });
  }

  private replicaSetChanged(rs: KubeObject): void {
    const owner = this.ownerOf(rs);
    if (owner) this.enqueue(owner);
    if (owner || controllerRef(rs)) return;
    for (const d of this.deployments.list(rs.metadata?.namespace))
      if (selects(spec(d).selector, rs.metadata?.labels)) this.enqueue(d);
  }

  private ownerOf(rs: KubeObject): KubeObject | undefined {
    const ref = controllerRef(rs);
    if (ref?.kind !== 'Deployment') return undefined;
    const d = this.deployments.get(rs.metadata?.namespace, ref.name);
    return d?.metadata?.uid === ref.uid ? d : undefined;
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.deployments.get(namespace, name);
    if (!cached) return;
    const d = copyJson(cached);
    const selector = asObj(spec(d).selector);
    if (
      !Object.keys(asObj(selector.matchLabels)).length &&
      !(selector.matchExpressions as unknown[])?.length
    ) {
      if (int(status(d).observedGeneration) < int(d.metadata?.generation))
        await this.client.updateStatus(Kinds.Deployment, {
          ...d,
          status: { ...d.status, observedGeneration: d.metadata?.generation },
        });
      return;
    }
    const sets = await claim(
      this.client,
      Kinds.ReplicaSet,
      d,
      Kinds.Deployment,
      this.sets.list(namespace),
      (rs) => selects(selector, rs.metadata?.labels),
      freshOwner(this.client, Kinds.Deployment, d),
    );
    const uids = new Set(sets.map((rs) => rs.metadata?.uid));
    const pods = new Map<string, KubeObject[]>();
    for (const p of this.pods.list(namespace)) {
      const uid = controllerRef(p)?.uid;
      if (uid && uids.has(uid)) pods.set(uid, [...(pods.get(uid) ?? []), p]);
    }
    const r: Rollout = { d, sets, pods };
    if (d.metadata?.deletionTimestamp) {
      const { newRS, old } = await this.newAndOld(r, false);
      return this.syncStatus(r, [...old, ...(newRS ? [newRS] : [])], newRS);
    }
    await this.checkPaused(r);
    if (spec(d).paused || (await this.isScalingEvent(r))) return this.syncScale(r);
    if (isRollingUpdate(r.d)) return rolloutRolling(this, r);
    return rolloutRecreate(this, r);
  }

  /** The Progressing condition says when a Deployment is paused and when it is resumed. */
  private async checkPaused(r: Rollout): Promise<void> {
    if (!hasProgressDeadline(r.d)) return;
    const st = copyJson(asObj(r.d.status));
    const cond = getCondition(st, 'Progressing');
    if (cond?.reason === 'ProgressDeadlineExceeded') return;
    const pausedCond = cond?.reason === 'DeploymentPaused';
    const now = this.clock.now();
    if (spec(r.d).paused && !pausedCond)
      setCondition(
        st,
        newCondition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', now),
      );
    else if (!spec(r.d).paused && pausedCond)
      setCondition(
        st,
        newCondition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed', now),
      );
    else return;
    r.d = await this.client.updateStatus(Kinds.Deployment, { ...r.d, status: st });
  }

  private async isScalingEvent(r: Rollout): Promise<boolean> {
    const { newRS, old } = await this.newAndOld(r, false);
    for (const rs of [...old, newRS].filter(isActive)) {
      const desired = rs.metadata?.annotations?.[desiredReplicasAnnotation];
      if (desired !== undefined && Number(desired) !== replicas(r.d)) return true;
    }
    return false;
  }

  /** The scale-only path: proportional scaling, cleanup while paused, status. */
  private async syncScale(r: Rollout): Promise<void> {
    const { newRS, old } = await this.newAndOld(r, false);
    await this.scale(r, newRS, old);
    if (spec(r.d).paused) await this.cleanup(r, old);
    await this.syncStatus(r, this.current(r, [...old, ...(newRS ? [newRS] : [])]), newRS);
  }

  /** The cached (or just written) version of each ReplicaSet. */
  current(r: Rollout, sets: KubeObject[]): KubeObject[] {
    return sets.map((rs) => r.sets.find((x) => x.metadata?.uid === rs.metadata?.uid) ?? rs);
  }

  /**
   * The new ReplicaSet (made when asked and missing) and the old ones, with the revision synced:
   * the new one's annotations and minReadySeconds, the Deployment's revision annotation.
   */
  async newAndOld(r: Rollout, create: boolean): Promise<{ newRS?: KubeObject; old: KubeObject[] }> {
    const found = findNewReplicaSet(r.d, r.sets);
    const old = r.sets.filter((rs) => rs !== found);
    const newRevision = maxRevision(old) + 1;
    if (found) {
      const copy = copyJson(found);
      const changed = setNewReplicaSetAnnotations(r.d, copy, newRevision, true);
      const minReady = int(spec(r.d).minReadySeconds);
      let newRS = found;
      if (changed || int(spec(copy).minReadySeconds) !== minReady) {
        copy.spec = { ...copy.spec, minReadySeconds: minReady };
        newRS = await this.client.update(Kinds.ReplicaSet, copy);
        this.replace(r, newRS);
      }
      await this.setRevision(r, newRS.metadata?.annotations?.[revisionAnnotation]);
      if (hasProgressDeadline(r.d) && !getCondition(asObj(r.d.status), 'Progressing')) {
        const st = copyJson(asObj(r.d.status));
        setCondition(
          st,
          newCondition(
            'Progressing',
            'True',
            'FoundNewReplicaSet',
            `Found new replica set "${newRS.metadata?.name}"`,
            this.clock.now(),
          ),
        );
        r.d = await this.client.updateStatus(Kinds.Deployment, { ...r.d, status: st });
      }
      return { newRS, old };
    }
    if (!create) return { old };
    const newRS = await this.createNew(r, old, newRevision);
    return newRS ? { newRS, old } : { old };
  }

  private async createNew(
    r: Rollout,
    old: KubeObject[],
    newRevision: number,
  ): Promise<KubeObject | undefined> {
    const d = r.d;
    const collisions = status(d).collisionCount as number | undefined;
    const template = copyJson(asObj(spec(d).template));
    const hash = templateHash(template, collisions);
    const tmeta = asObj(template.metadata);
    tmeta.labels = { ...asObj(tmeta.labels), [hashLabel]: hash };
    template.metadata = tmeta;
    const selector = copyJson(asObj(spec(d).selector));
    selector.matchLabels = { ...asObj(selector.matchLabels), [hashLabel]: hash };
    const rs: KubeObject = {
      metadata: {
        name: `${d.metadata?.name}-${hash}`,
        namespace: d.metadata?.namespace,
        labels: tmeta.labels as Record<string, string>,
        ownerReferences: [ownerRefTo(d, Kinds.Deployment)],
      },
      spec: {
        replicas: 0,
        minReadySeconds: int(spec(d).minReadySeconds),
        selector,
        template,
      },
    };
    rs.spec!.replicas = newReplicaSetReplicas(d, [...old, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    let made: KubeObject;
    let existed = false;
    try {
      made = await this.client.create(Kinds.ReplicaSet, rs);
    } catch (err) {
      if (isNamespaceTerminating(err)) return undefined;
      if (!(err instanceof Error) || !/already exists/.test(err.message)) {
        if (hasProgressDeadline(d)) {
          const st = copyJson(asObj(d.status));
          const msg = `Failed to create new replica set "${rs.metadata?.name}": ${(err as Error).message}`;
          setCondition(
            st,
            newCondition('Progressing', 'False', 'ReplicaSetCreateError', msg, this.clock.now()),
          );
          r.d = await this.client.updateStatus(Kinds.Deployment, { ...d, status: st }).catch(() => r.d);
          this.events.record(d, 'Warning', 'ReplicaSetCreateError', msg);
        }
        throw err;
      }
      const existing = await this.client.get(Kinds.ReplicaSet, d.metadata?.namespace, rs.metadata!.name!);
      if (
        existing &&
        controllerRef(existing)?.uid === d.metadata?.uid &&
        equalIgnoreHash(spec(d).template, spec(existing).template)
      ) {
        made = existing;
        existed = true;
      } else {
        // A hash collision: count it, so the next sync hashes differently.
        await this.client.updateStatus(Kinds.Deployment, {
          ...d,
          status: { ...d.status, collisionCount: (collisions ?? 0) + 1 },
        });
        throw err;
      }
    }
    r.sets = [...r.sets.filter((x) => x.metadata?.uid !== made.metadata?.uid), made];
    if (!existed && replicas(made) > 0)
      this.events.record(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${made.metadata?.name} from 0 to ${replicas(made)}`,
      );
    await this.setRevision(r, String(newRevision));
    if (!existed && hasProgressDeadline(r.d)) {
      const st = copyJson(asObj(r.d.status));
      setCondition(
        st,
        newCondition(
          'Progressing',
          'True',
          'NewReplicaSetCreated',
          `Created new replica set "${made.metadata?.name}"`,
          this.clock.now(),
        ),
      );
      r.d = await this.client.updateStatus(Kinds.Deployment, { ...r.d, status: st });
    }
    return made;
  }

  /** The Deployment's revision annotation (metadata: a write of the object, not of its status). */
  private async setRevision(r: Rollout, revision: string | undefined): Promise<void> {
    if (revision === undefined || r.d.metadata?.annotations?.[revisionAnnotation] === revision) return;
    r.d = await this.client.update(Kinds.Deployment, {
      ...r.d,
      metadata: {
        ...r.d.metadata,
        annotations: { ...r.d.metadata?.annotations, [revisionAnnotation]: revision },
      },
    });
  }

  private replace(r: Rollout, rs: KubeObject): void {
    r.sets = r.sets.map((x) => (x.metadata?.uid === rs.metadata?.uid ? rs : x));
  }

  /** Sets a ReplicaSet's size and replica annotations; records the scaling. Returns the ReplicaSet. */
  async scaleTo(r: Rollout, rs: KubeObject, size: number): Promise<{ scaled: boolean; rs: KubeObject }> {
    const copy = copyJson(rs);
    const sizeChanged = replicas(rs) !== size;
    const annotationsChanged = setReplicasAnnotations(copy, replicas(r.d), replicas(r.d) + maxSurge(r.d));
    if (!sizeChanged && !annotationsChanged) return { scaled: false, rs };
    copy.spec = { ...copy.spec, replicas: size };
    const updated = await this.client.update(Kinds.ReplicaSet, copy);
    this.replace(r, updated);
    if (sizeChanged)
      this.events.record(
        r.d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${size > replicas(rs) ? 'up' : 'down'} replica set ${rs.metadata?.name} from ${replicas(rs)} to ${size}`,
      );
    return { scaled: sizeChanged, rs: updated };
  }

  /** Proportional scaling (the replica count changed, or the Deployment is paused). */
  private async scale(r: Rollout, newRS: KubeObject | undefined, old: KubeObject[]): Promise<void> {
    const d = r.d;
    const want = replicas(d);
    const activeOrLatest = findActiveOrLatest(newRS, old);
    if (activeOrLatest) {
      if (replicas(activeOrLatest) !== want) await this.scaleTo(r, activeOrLatest, want);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const rs of old.filter(isActive)) await this.scaleTo(r, rs, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const active = [...old, newRS].filter(isActive);
    const allowed = want > 0 ? want + maxSurge(d) : 0;
    const toAdd = allowed - specReplicas(active);
    if (toAdd > 0) active.sort((a, b) => replicas(b) - replicas(a) || byCreation(b, a));
    else if (toAdd < 0) active.sort((a, b) => replicas(b) - replicas(a) || byCreation(a, b));
    let added = 0;
    const sizes = new Map<KubeObject, number>();
    for (const rs of active) {
      if (toAdd === 0) {
        sizes.set(rs, replicas(rs));
        continue;
      }
      const p = proportion(rs, d, toAdd, added);
      sizes.set(rs, replicas(rs) + p);
      added += p;
    }
    for (const [i, rs] of active.entries()) {
      let size = sizes.get(rs)!;
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
      await this.scaleTo(r, rs, size);
    }
  }

  /** Deletes old, empty ReplicaSets beyond revisionHistoryLimit, the lowest revisions first. */
  async cleanup(r: Rollout, old: KubeObject[]): Promise<void> {
    const limit = spec(r.d).revisionHistoryLimit;
    if (typeof limit !== 'number') return;
    const cleanable = this.current(r, old).filter((rs) => !rs.metadata?.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of cleanable.slice(0, diff)) {
      if (
        int(status(rs).replicas) !== 0 ||
        replicas(rs) !== 0 ||
        int(rs.metadata?.generation) > int(status(rs).observedGeneration)
      )
        continue;
      await this.client.delete(Kinds.ReplicaSet, rs.metadata?.namespace, rs.metadata!.name!, {
        preconditions: { uid: rs.metadata?.uid },
      });
    }
  }

  /** The status from the ReplicaSets (the scale path and a Deployment being deleted). */
  private async syncStatus(r: Rollout, all: KubeObject[], newRS: KubeObject | undefined): Promise<void> {
    const st = calculateStatus(
      r.d,
      this.current(r, all),
      newRS && this.current(r, [newRS])[0],
      this.clock.now(),
    );
    await this.writeStatus(r, st);
  }

  /** syncRolloutStatus: the status with the Progressing condition, and a wake-up for the deadline. */
  async syncRolloutStatus(r: Rollout, all: KubeObject[], newRS: KubeObject | undefined): Promise<void> {
    const d = r.d;
    const now = this.clock.now();
    const current = newRS && this.current(r, [newRS])[0];
    const st = calculateStatus(d, this.current(r, all), current, now);
    if (!hasProgressDeadline(d)) removeCondition(st, 'Progressing');
    const cond = getCondition(asObj(d.status), 'Progressing');
    const complete =
      int(st.replicas) === int(st.updatedReplicas) && cond?.reason === 'NewReplicaSetAvailable';
    const rsName = current?.metadata?.name;
    if (hasProgressDeadline(d) && !complete) {
      if (deploymentComplete(d, st)) {
        const msg = rsName
          ? `ReplicaSet "${rsName}" has successfully progressed.`
          : `Deployment "${d.metadata?.name}" has successfully progressed.`;
        setCondition(st, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', msg, now));
      } else if (deploymentProgressing(d, st)) {
        const msg = rsName
          ? `ReplicaSet "${rsName}" is progressing.`
          : `Deployment "${d.metadata?.name}" is progressing.`;
        const c = newCondition('Progressing', 'True', 'ReplicaSetUpdated', msg, now);
        // Progress moves lastUpdateTime even when the reason stays.
        if (cond?.status === 'True') c.lastTransitionTime = cond.lastTransitionTime;
        removeCondition(st, 'Progressing');
        setCondition(st, c);
      } else if (deploymentTimedOut(d, st, now)) {
        const msg = rsName
          ? `ReplicaSet "${rsName}" has timed out progressing.`
          : `Deployment "${d.metadata?.name}" has timed out progressing.`;
        setCondition(st, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', msg, now));
      }
    }
    const failure = this.current(r, all)
      .map((rs) =>
        (asObj(rs.status).conditions as Obj[] | undefined)?.find((c) => c.type === 'ReplicaFailure'),
      )
      .find((c) => c?.status === 'True');
    if (failure) {
      const c = newCondition('ReplicaFailure', 'True', String(failure.reason), String(failure.message), now);
      setCondition(st, c);
    } else removeCondition(st, 'ReplicaFailure');
    if (!(await this.writeStatus(r, st))) this.requeueStuck(r, st, now);
  }

  /** Writes the status when it changed; false when there was nothing to write. */
  private async writeStatus(r: Rollout, st: Obj): Promise<boolean> {
    if (JSON.stringify(canonicalStatus(r.d.status)) === JSON.stringify(canonicalStatus(st))) return false;
    try {
      r.d = await this.client.updateStatus(Kinds.Deployment, { ...r.d, status: st });
    } catch (err) {
      if (!isConflict(err)) throw err;
      // A newer Deployment is on its way through the informer: that sync writes it.
      this.queue.add(`${r.d.metadata?.namespace}/${r.d.metadata?.name}`);
    }
    return true;
  }

  /** A rollout that made no progress is looked at again when its deadline runs out. */
  private requeueStuck(r: Rollout, st: Obj, now: number): void {
    const cond = getCondition(asObj(r.d.status), 'Progressing');
    if (!hasProgressDeadline(r.d) || !cond) return;
    if (deploymentComplete(r.d, st) || cond.reason === 'ProgressDeadlineExceeded') return;
    const due = Date.parse(cond.lastUpdateTime) + int(spec(r.d).progressDeadlineSeconds) * 1000 - now;
    this.queue.addAfter(`${r.d.metadata?.namespace}/${r.d.metadata?.name}`, Math.max(due, 0) + 1000);
  }
}

/** Conditions in type order, so a status that differs only in their order is the same status. */
function canonicalStatus(st: unknown): unknown {
  const s = { ...asObj(st) };
  if (Array.isArray(s.conditions))
    s.conditions = [...(s.conditions as Obj[])].sort((a, b) => (String(a.type) < String(b.type) ? -1 : 1));
  return Object.fromEntries(Object.entries(s).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** FindActiveOrLatest: the one active ReplicaSet, or the newest when none is active. */
function findActiveOrLatest(newRS: KubeObject | undefined, old: KubeObject[]): KubeObject | undefined {
  if (!newRS && !old.length) return undefined;
  const newestFirst = [...old].sort((a, b) => byCreation(b, a));
  const active = [...newestFirst, newRS].filter(isActive);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** GetReplicaSetProportion: this ReplicaSet's share of the replicas to add (or remove). */
function proportion(rs: KubeObject, d: KubeObject, toAdd: number, added: number): number {
  if (replicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const allowed = toAdd - added;
  let fraction: number;
  if (replicas(d) === 0) fraction = -replicas(rs);
  else {
    const max = replicas(d) + maxSurge(d);
    let before = Number(rs.metadata?.annotations?.[maxReplicasAnnotation] ?? 0) || 0;
    if (!before) before = int(status(d).replicas);
    fraction = before ? Math.round((replicas(rs) * max) / before) - replicas(rs) : 0;
  }
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}
