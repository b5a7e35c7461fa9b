// The ephemeral volume controller: a pod's generic ephemeral volume (`volumes[].ephemeral` with a
// volumeClaimTemplate) is a PersistentVolumeClaim made for it, named `<pod>-<volume>` and owned by
// the pod (controller: true), as kube-controller-manager's ephemeral-volume controller makes it. The
// storage class provisions it like any claim; the kubelet mounts it once it is bound; the garbage
// collector deletes it with the pod. A claim of that name the pod does not own is left alone: the
// kubelet then refuses to use it, as Kubernetes does.
import type { KubeObject } from '../apiserver/registry.ts';
import { ephemeralClaimName } from '../apiserver/resources/podspec.ts';
import { ApiError } from '../apiserver/status.ts';
import { Kinds } from '../client/client.ts';
import { splitKey } from '../client/informer.ts';
import { asList, asObj, Controller, isNamespaceTerminating, ownerRefTo, spec } from './common.ts';

const ephemeralVolumes = (pod: KubeObject) => asList(spec(pod).volumes).filter((v) => v.ephemeral);

export class EphemeralVolumeController extends Controller {
  readonly name = 'ephemeral-volume-controller';

  private get pods() {
    return this.env.informers.for(Kinds.Pod);
  }

  private get claims() {
    return this.env.informers.for(Kinds.PersistentVolumeClaim);
  }

  protected register(): void {
    const look = (pod: KubeObject) => {
      if (ephemeralVolumes(pod).length) this.enqueue(pod);
    };
    this.pods.on({ add: look, update: look });
    // A claim deleted while its pod still runs is made again.
    this.claims.on({
      delete: (claim) => {
        const owner = (claim.metadata?.ownerReferences ?? []).find((r) => r.kind === 'Pod' && r.controller);
        if (owner) this.queue.add(`${claim.metadata?.namespace}/${owner.name}`);
      },
    });
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    if (!pod || pod.metadata?.deletionTimestamp) return;
    for (const v of ephemeralVolumes(pod)) {
      const claimName = ephemeralClaimName(pod, String(v.name));
      if (this.claims.get(namespace, claimName)) continue;
      const template = asObj(asObj(v.ephemeral).volumeClaimTemplate);
      const meta = asObj(template.metadata) as KubeObject['metadata'] & {};
      try {
        // create copies what it is given: the pod's template is not shared.
        await this.client.create(Kinds.PersistentVolumeClaim, {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: {
            name: claimName,
            namespace,
            labels: meta.labels ?? undefined,
            annotations: meta.annotations ?? undefined,
            ownerReferences: [ownerRefTo(pod, Kinds.Pod)],
          },
          spec: asObj(template.spec),
        });
      } catch (err) {
        if (isNamespaceTerminating(err)) return;
        // Made meanwhile (by us, through a stale cache, or by someone else): the kubelet judges it.
        if (err instanceof ApiError && err.reason === 'AlreadyExists') continue;
        throw err;
      }
    }
  }
}
