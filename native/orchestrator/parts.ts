// The orchestrator's parts beside the API server — controllers, the scheduler, the kubelet — and
// what each is handed when the cluster starts. Every part reads objects through the shared informers
// and writes them through the in-process client, so it sees and makes exactly what kubectl would;
// the kubelet also holds the engine's container and image interfaces (never the service files
// behind them), as the builder does.
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { Sys } from '../core/sys.ts';
import type { ContainerOperations } from '../services/containers/operations.ts';
import type { ImageOperations } from '../services/images/operations.ts';
import type { VolumeOperations } from '../services/volumes/operations.ts';
import type { Registry } from './apiserver/registry.ts';
import type { TokenRequest } from './apiserver/serviceaccount/tokens.ts';
import type { KubeClient } from './client/client.ts';
import type { Informers } from './client/informer.ts';
import { ClusterRoleAggregationController } from './controllers/clusterrole-aggregation.ts';
import { CrdController } from './controllers/crd.ts';
import { CronJobController } from './controllers/cronjob.ts';
import { DaemonSetController } from './controllers/daemonset.ts';
import { DeploymentController } from './controllers/deployment.ts';
import { DisruptionController } from './controllers/disruption.ts';
import { EndpointsController } from './controllers/endpoints.ts';
import { EndpointSliceController } from './controllers/endpointslice.ts';
import { EphemeralVolumeController } from './controllers/ephemeral-volume.ts';
import { GarbageCollector } from './controllers/gc.ts';
import { HorizontalPodAutoscalerController } from './controllers/hpa.ts';
import { JobController } from './controllers/job.ts';
import { NamespaceController } from './controllers/namespace.ts';
import { NamespaceDefaults } from './controllers/namespace-defaults.ts';
import { ReplicaSetController } from './controllers/replicaset.ts';
import { StatefulSetController } from './controllers/statefulset.ts';
import { TtlAfterFinishedController } from './controllers/ttl-after-finished.ts';
import { ClusterDns } from './dns/part.ts';
import { Kubelet } from './kubelet/kubelet.ts';
import { ServiceProxy } from './proxy/part.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { TaintEviction } from './scheduler/taint-eviction.ts';
import { LocalPathProvisioner } from './volumes/provisioner.ts';

export interface PartEnv {
  client: KubeClient;
  informers: Informers;
  registry: Registry;
  clock: Clock;
  log: Logger;
  /** `<data-root>/kubernetes`: where a part keeps files of its own. */
  dir: string;
  /** The engine, when the cluster runs inside berthd (absent in API-only tests): the kubelet's runtime. */
  engine?: {
    containers: ContainerOperations;
    images: ImageOperations;
    /** Engine volumes, for the default StorageClass's claims (absent: claims stay Pending). */
    volumes?: VolumeOperations;
    /** The engine's version: the Node's containerRuntimeVersion is `berth://<version>`. */
    version: string;
  };
  /** Commands on the host (ip): the real host unless a test passes a fake. */
  sys: Sys;
  /** The link that holds ClusterIPs, named per daemon like its bridges (absent: ClusterIPs not served). */
  serviceInterface?: string;
  /** Issues service-account tokens (serviceaccount/tokens.ts) for the pods' kube-api-access volumes. */
  tokens?: { issue(req: TokenRequest): { token: string } };
  /** The cluster DNS: the kube-dns Service's address and the cluster domain (absent: pods use the host's). */
  clusterDNS?: { ip: string; domain: string };
}

export interface ClusterPart {
  readonly name: string;
  /** Registers its informer handlers and starts its workers; resolves once it is running. */
  start(env: PartEnv): Promise<void> | void;
  /** Stops its workers; what it made in the engine stays (pods keep running across a restart). */
  stop(): Promise<void> | void;
}

/** Every part the cluster runs, in start order. */
export function clusterParts(): ClusterPart[] {
  return [
    new ReplicaSetController(),
    new DeploymentController(),
    new StatefulSetController(),
    new DaemonSetController(),
    new GarbageCollector(),
    new NamespaceController(),
    new EndpointsController(),
    new EndpointSliceController(),
    new JobController(),
    new CronJobController(),
    new TtlAfterFinishedController(),
    new HorizontalPodAutoscalerController(),
    new DisruptionController(),
    new ServiceProxy(),
    new ClusterDns(),
    new Scheduler(),
    new TaintEviction(),
    new EphemeralVolumeController(),
    new LocalPathProvisioner(),
    new NamespaceDefaults(),
    new ClusterRoleAggregationController(),
    new CrdController(),
    new Kubelet(),
  ];
}
