// The default StorageClass's provisioner (`local-path`, as k3s and kind ship one): each claim of the
// class gets a PersistentVolume backed by an engine volume of its own (`pvc-<claim uid>`, labelled with
// the claim, so `docker volume ls` shows it), bound to the claim at once; when the claim goes, a volume
// with reclaim policy Delete goes too, with its engine volume. The kubelet mounts the engine volume by
// name (the PV's berth.dev/engine-volume annotation). Event-driven: claims and volumes are watched.
import type { KubeObject } from '../apiserver/registry.ts';
import { asObj } from '../apiserver/resources/podspec.ts';
import { Kinds } from '../client/client.ts';
import { type Informer, keyOf, splitKey } from '../client/informer.ts';
import { WorkQueue } from '../client/queue.ts';
import type { ClusterPart, PartEnv } from '../parts.ts';

export const localPathClass = 'local-path';
export const localPathProvisioner = 'berth.dev/local-path';
/** The engine volume behind a PersistentVolume. */
export const engineVolumeAnnotation = 'berth.dev/engine-volume';

const volumeNameOf = (claim: KubeObject) => `pvc-${claim.metadata?.uid}`;

export class LocalPathProvisioner implements ClusterPart {
  readonly name = 'local-path-provisioner';
  private env!: PartEnv;
  private claims!: Informer;
  private volumes!: Informer;
  private classes!: Informer;
  private claimQueue!: WorkQueue;
  private volumeQueue!: WorkQueue;

  start(env: PartEnv): void {
    if (!env.engine?.volumes) return;
    this.env = env;
    this.claims = env.informers.for(Kinds.PersistentVolumeClaim);
    this.volumes = env.informers.for(Kinds.PersistentVolume);
    this.classes = env.informers.for(Kinds.StorageClass);
    const opts = { clock: env.clock, log: env.log, baseDelayMs: 200 };
    this.claimQueue = new WorkQueue('local-path claims', (k) => this.syncClaim(k), opts);
    this.volumeQueue = new WorkQueue('local-path volumes', (k) => this.syncVolume(k), opts);
    const claim = (o: KubeObject) => this.claimQueue.add(keyOf(o));
    this.claims.on({ add: claim, update: claim, delete: (o) => this.releaseOf(o) });
    const volume = (o: KubeObject) => this.volumeQueue.add(keyOf(o));
    this.volumes.on({ add: volume, update: volume });
  }

  stop(): void {
    this.claimQueue?.stop();
    this.volumeQueue?.stop();
  }

  /** Resolves once every change seen so far is handled (tests wait on it). */
  async idle(): Promise<void> {
    await this.claimQueue.idle();
    await this.volumeQueue.idle();
  }

  private ours(className: unknown): boolean {
    if (typeof className !== 'string' || !className) return false;
    return this.classes.get(undefined, className)?.provisioner === localPathProvisioner;
  }

  /** A Pending claim of our class: its engine volume, its PersistentVolume, both bound. */
  private async syncClaim(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const claim = this.claims.get(namespace, name);
    if (!claim || claim.metadata?.deletionTimestamp) return;
    const spec = asObj(claim.spec);
    if (!this.ours(spec.storageClassName)) return;
    const pvName =
      typeof spec.volumeName === 'string' && spec.volumeName ? spec.volumeName : volumeNameOf(claim);
    let pv =
      this.volumes.get(undefined, pvName) ??
      (await this.env.client.get(Kinds.PersistentVolume, undefined, pvName));
    if (!pv) {
      const storage = asObj(asObj(spec.resources).requests).storage;
      const sc = this.classes.get(undefined, String(spec.storageClassName));
      const engineVolume = volumeNameOf(claim);
      const made = await this.env.engine!.volumes!.create(engineVolume, {
        'io.kubernetes.pvc.name': name,
        'io.kubernetes.pvc.namespace': namespace ?? '',
      });
      pv = await this.env.client.create(Kinds.PersistentVolume, {
        metadata: {
          name: pvName,
          annotations: {
            'pv.kubernetes.io/provisioned-by': localPathProvisioner,
            [engineVolumeAnnotation]: engineVolume,
          },
          finalizers: ['kubernetes.io/pv-protection'],
        },
        spec: {
          capacity: { storage },
          accessModes: spec.accessModes,
          persistentVolumeReclaimPolicy: String(sc?.reclaimPolicy ?? 'Delete'),
          storageClassName: spec.storageClassName,
          volumeMode: spec.volumeMode ?? 'Filesystem',
          local: { path: made.Mountpoint },
          claimRef: {
            kind: 'PersistentVolumeClaim',
            apiVersion: 'v1',
            namespace,
            name,
            uid: claim.metadata?.uid,
            resourceVersion: claim.metadata?.resourceVersion,
          },
        },
      });
      this.env.log.info('provisioned a volume for a claim', { claim: key, volume: pvName });
    }
    if (asObj(pv.status).phase !== 'Bound')
      await this.env.client.updateStatus(Kinds.PersistentVolume, { ...pv, status: { phase: 'Bound' } });
    if (spec.volumeName !== pvName) {
      await this.env.client.update(Kinds.PersistentVolumeClaim, {
        ...claim,
        metadata: {
          ...claim.metadata,
          annotations: {
            ...claim.metadata?.annotations,
            'pv.kubernetes.io/bind-completed': 'yes',
            'pv.kubernetes.io/bound-by-controller': 'yes',
            'volume.kubernetes.io/storage-provisioner': localPathProvisioner,
          },
        },
        spec: { ...claim.spec, volumeName: pvName },
      });
      return; // the update comes back through the informer for the status
    }
    if (asObj(claim.status).phase !== 'Bound') {
      const pvSpec = asObj(pv.spec);
      await this.env.client.updateStatus(Kinds.PersistentVolumeClaim, {
        ...claim,
        status: { phase: 'Bound', accessModes: pvSpec.accessModes, capacity: pvSpec.capacity },
      });
    }
  }

  /** A claim went: its volume is Released, and goes (with the engine volume) under Delete. */
  private releaseOf(claim: KubeObject): void {
    for (const pv of this.volumes.list())
      if (asObj(asObj(pv.spec).claimRef).uid === claim.metadata?.uid) this.volumeQueue.add(keyOf(pv));
  }

  private async syncVolume(key: string): Promise<void> {
    const pv = this.volumes.get(undefined, key);
    if (!pv || pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'] !== localPathProvisioner) return;
    const spec = asObj(pv.spec);
    const ref = asObj(spec.claimRef);
    const claim = ref.name ? this.claims.get(String(ref.namespace), String(ref.name)) : undefined;
    const claimGone = !claim || claim.metadata?.uid !== ref.uid;
    if (pv.metadata?.deletionTimestamp) {
      // Deleted by hand or by us: the engine volume goes, then the protection finalizer.
      if (claim && !claimGone) return;
      await this.env.engine!.volumes!.remove(String(pv.metadata.annotations?.[engineVolumeAnnotation]));
      await this.env.client.update(Kinds.PersistentVolume, {
        ...pv,
        metadata: {
          ...pv.metadata,
          finalizers: (pv.metadata.finalizers ?? []).filter((f) => f !== 'kubernetes.io/pv-protection'),
        },
      });
      return;
    }
    if (!claimGone) return;
    if (spec.persistentVolumeReclaimPolicy === 'Delete') {
      await this.env.client.delete(Kinds.PersistentVolume, undefined, key);
      return;
    }
    if (asObj(pv.status).phase !== 'Released')
      await this.env.client.updateStatus(Kinds.PersistentVolume, { ...pv, status: { phase: 'Released' } });
  }
}
