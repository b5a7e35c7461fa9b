// Each kind's folder and what it declares, by kind: the one place the shared views look a kind up.
import type { KubeKind, KubeRow } from '../../../../electron/contract/index.ts';
import { configMapSpec } from './configmaps/configmaps.tsx';
import { cronJobSpec } from './cronjobs/cronjobs.tsx';
import { daemonSetSpec } from './daemonsets/daemonsets.tsx';
import { deploymentSpec } from './deployments/deployments.tsx';
import { eventSpec } from './events/events.tsx';
import { jobSpec } from './jobs/jobs.tsx';
import { namespaceSpec } from './namespaces/namespaces.tsx';
import { podSpec } from './pods/pods.tsx';
import { secretSpec } from './secrets/secrets.tsx';
import { serviceSpec } from './services/services.tsx';
import type { KindSpec } from './shared/spec.ts';
import { statefulSetSpec } from './statefulsets/statefulsets.tsx';

export const kindSpecs: Record<KubeKind, KindSpec<KubeRow>> = {
  pods: podSpec,
  deployments: deploymentSpec,
  statefulsets: statefulSetSpec,
  daemonsets: daemonSetSpec,
  jobs: jobSpec,
  cronjobs: cronJobSpec,
  services: serviceSpec,
  configmaps: configMapSpec,
  secrets: secretSpec,
  events: eventSpec,
  namespaces: namespaceSpec,
} as unknown as Record<KubeKind, KindSpec<KubeRow>>;
