// The Kubernetes section's screens: a kind's list, or one object, in the app's active context.
import type { KubeKind } from '../../../../electron/contract/index.ts';
import { kindSpecs } from './registry.ts';
import { KubeDetail } from './shared/KubeDetail.tsx';
import { KubeList } from './shared/KubeList.tsx';

export function KubeListScreen({ kind }: { kind: KubeKind }) {
  return <KubeList key={kind} kind={kind} spec={kindSpecs[kind]} />;
}

export function KubeObjectScreen({
  kind,
  namespace,
  name,
}: {
  kind: KubeKind;
  namespace: string;
  name: string;
}) {
  return <KubeDetail key={`${kind}/${namespace}/${name}`} kind={kind} namespace={namespace} name={name} />;
}
