// The ServiceAccount admission plugin, as kube-apiserver runs it on every new pod: the pod runs as the
// namespace's `default` account unless it names one, and — unless the pod or the account turns
// automounting off — gets the `kube-api-access-<suffix>` projected volume (a bound token, the cluster's
// CA from kube-root-ca.crt, the namespace) mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount in each of its containers.

import type { Store } from '../../store/store.ts';
import type { AdmissionPlugin } from '../admission.ts';
import { generateSuffix } from '../objects.ts';
import { child, type KubeObject, type ResourceDef, storeKey } from '../registry.ts';

export const tokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export function apiAccessVolume(name: string): Obj {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
    },
  };
}

export function serviceAccountAdmission(
  store: Store,
  podDef: ResourceDef,
  accountDef: ResourceDef,
): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    async admit(req) {
      if (req.operation !== 'CREATE' || req.def !== podDef || req.subresource || !req.object) return;
      const pod = req.object;
      const spec = child(pod, 'spec');
      if (typeof spec.serviceAccountName !== 'string' || !spec.serviceAccountName)
        spec.serviceAccountName =
          typeof spec.serviceAccount === 'string' && spec.serviceAccount ? spec.serviceAccount : 'default';
      spec.serviceAccount = spec.serviceAccountName;
      const account = await store.get(storeKey(accountDef, req.namespace, String(spec.serviceAccountName)));
      const automount =
        typeof spec.automountServiceAccountToken === 'boolean'
          ? spec.automountServiceAccountToken
          : (account?.value as KubeObject | undefined)?.automountServiceAccountToken !== false;
      if (!automount) return;
      const containers = [...list(spec.initContainers), ...list(spec.containers)];
      const mounted = containers.some((c) =>
        list(c.volumeMounts).some((m) => m.mountPath === tokenMountPath),
      );
      if (mounted) return;
      const name = `kube-api-access-${generateSuffix()}`;
      spec.volumes = [...list(spec.volumes), apiAccessVolume(name)];
      for (const c of containers)
        c.volumeMounts = [...list(c.volumeMounts), { name, readOnly: true, mountPath: tokenMountPath }];
    },
  };
}
