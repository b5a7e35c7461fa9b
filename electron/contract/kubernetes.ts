// Kubernetes: the contexts of the user's kubeconfig (Berth's cluster first) and, in the one the app has
// active, the workloads, services, config and events, kept live by watches in main (informers), with the
// actions a developer reaches for: scale, restart, undo, trigger a CronJob, delete, logs, a shell,
// port-forward, and YAML applied with the server's validation. The active context is the app's choice:
// the kubeconfig's current-context changes only through `kube.useContext`.
import type { ChannelList } from './channel-list.ts';
import type { LogBatch } from './containers.ts';

/** The kinds the screens list. */
export type KubeKind =
  | 'pods'
  | 'deployments'
  | 'statefulsets'
  | 'daemonsets'
  | 'jobs'
  | 'cronjobs'
  | 'services'
  | 'configmaps'
  | 'secrets'
  | 'events'
  | 'namespaces';

export interface KubeContextView {
  name: string;
  cluster: string;
  /** The API server's URL. */
  server: string;
  user: string;
  /** The context's default namespace, when it names one. */
  namespace?: string;
  /** Berth's own cluster (the `berth` context): listed first. */
  berth: boolean;
  /** The kubeconfig's current-context (what kubectl uses). */
  current: boolean;
}

export interface KubeContextsView {
  contexts: KubeContextView[];
  /** The context the app shows: the one chosen in the app, else the kubeconfig's current one. */
  active: string | null;
  /** The kubeconfig files read ($KUBECONFIG's list, or ~/.kube/config). */
  files: string[];
  /** Why the kubeconfig could not be read, when it could not. */
  error?: string;
}

/**
 * Why a cluster, or one list in it, cannot be shown: said on the screen instead of an empty list.
 * `forbidden` is per list: RBAC may refuse one kind and allow the rest.
 */
export interface KubeProblem {
  kind: 'unreachable' | 'certificate' | 'unauthorized' | 'forbidden' | 'not_found' | 'invalid' | 'other';
  message: string;
}

export interface KubeOwnerRef {
  kind: string;
  name: string;
}

interface RowBase {
  uid: string;
  name: string;
  /** Empty for cluster-scoped kinds (namespaces). */
  namespace: string;
  /** ISO 8601. */
  createdAt: string;
  resourceVersion: string;
  labels: Record<string, string>;
  owner?: KubeOwnerRef;
  /** Being deleted (it has a deletionTimestamp). */
  deleting: boolean;
}

export interface PodRow extends RowBase {
  kind: 'pods';
  /** kubectl's STATUS column: Running, Pending, ContainerCreating, CrashLoopBackOff, Terminating, Completed… */
  status: string;
  phase: string;
  ready: number;
  total: number;
  restarts: number;
  /** ISO 8601 of the last restart, for kubectl's "3 (2m ago)". */
  lastRestartAt?: string;
  ip?: string;
  node?: string;
  containers: string[];
  initContainers: string[];
}

export interface WorkloadRow extends RowBase {
  kind: 'deployments' | 'statefulsets' | 'daemonsets';
  /** Desired pods (for daemonsets: the nodes that should run one). */
  desired: number;
  ready: number;
  upToDate: number;
  available: number;
  images: string[];
  /** The label selector in kubectl's words (`app=web,tier=front`). */
  selector: string;
  /** A rollout under way or stuck, in kubectl rollout status's words; absent once complete. */
  rollout?: string;
}

export interface JobRow extends RowBase {
  kind: 'jobs';
  /** `1/3` as kubectl prints COMPLETIONS. */
  completions: string;
  status: 'Running' | 'Complete' | 'Failed' | 'Suspended';
  /** Seconds from start to completion (or to now while it runs). */
  durationS?: number;
  images: string[];
}

export interface CronJobRow extends RowBase {
  kind: 'cronjobs';
  schedule: string;
  suspend: boolean;
  active: number;
  lastScheduleAt?: string;
}

export interface ServicePortView {
  name?: string;
  protocol: string;
  port: number;
  targetPort: string;
  nodePort?: number;
}

export interface ServiceRow extends RowBase {
  kind: 'services';
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  clusterIP?: string;
  /** LoadBalancer ingress addresses and externalIPs. */
  externalIPs: string[];
  ports: ServicePortView[];
  /** Addresses a browser on this machine can open (NodePorts and LoadBalancers on Berth's cluster). */
  links: { label: string; url: string }[];
}

export interface ConfigRow extends RowBase {
  kind: 'configmaps' | 'secrets';
  /** The secret's type (Opaque, kubernetes.io/tls…); absent for configmaps. */
  type?: string;
  /** The keys only: values are fetched on demand (a secret's with `kube.secretValue`). */
  keys: string[];
}

export interface EventRow extends RowBase {
  kind: 'events';
  type: 'Normal' | 'Warning' | string;
  reason: string;
  message: string;
  /** kind/name of the object it is about, and its uid (to list one object's events). */
  object: { kind: string; name: string; uid?: string };
  count: number;
  /** ISO 8601 of the last time it happened. */
  lastSeen: string;
  source: string;
}

export interface NamespaceRow extends RowBase {
  kind: 'namespaces';
  phase: string;
}

export type KubeRow =
  | PodRow
  | WorkloadRow
  | JobRow
  | CronJobRow
  | ServiceRow
  | ConfigRow
  | EventRow
  | NamespaceRow;

export interface KubeListParams {
  context: string;
  kind: KubeKind;
  /** null: all namespaces (ignored for namespaces). */
  namespace: string | null;
  labelSelector?: string;
  fieldSelector?: string;
}

/**
 * What a watch sends: the whole list when it (re)lists, then changes batched (a burst of status
 * changes arrives as one `changes` every few tens of milliseconds), and its state: a lost watch
 * reconnects and relists by itself, saying so; a list that cannot be shown says why.
 */
export type KubeWatchEvent =
  | { type: 'snapshot'; rows: KubeRow[]; resourceVersion: string }
  | { type: 'changes'; upserts: KubeRow[]; deletes: string[] }
  | { type: 'state'; state: 'syncing' | 'live' | 'reconnecting' | 'error'; problem?: KubeProblem };

export interface KubeObjectRef {
  context: string;
  kind: KubeKind;
  /** Empty for cluster-scoped kinds. */
  namespace: string;
  name: string;
}

export interface KubeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface KubeContainerView {
  name: string;
  init: boolean;
  image: string;
  state: string;
  ready: boolean;
  restarts: number;
  ports: string[];
}

/** One object for its detail view: its YAML as kubectl prints it (managedFields left out). */
/** What stands, in a secret's YAML, for each value: values cross only one by one, when asked. */
export const hiddenSecretValue = '(hidden; Show it in the Data tab)';

export interface KubeObjectView {
  ref: KubeObjectRef;
  uid: string;
  /** As `kubectl get -o yaml` prints it; a secret's with every value as `hiddenSecretValue`. */
  yaml: string;
  conditions: KubeCondition[];
  /** Pods' containers, and a workload's pod template's. */
  containers: KubeContainerView[];
}

/** The kinds with a rollout history: `kubectl rollout history|undo` works on these. */
export type RolloutKind = 'deployments' | 'statefulsets' | 'daemonsets';

export interface RolloutRevision {
  revision: number;
  changeCause?: string;
  images: string[];
  createdAt: string;
  current: boolean;
}

/** One document of an applied YAML and what became of it. */
export interface ApplyResult {
  /** The document's place in the text (0-based) and its first line (1-based). */
  index: number;
  line: number;
  kind?: string;
  name?: string;
  namespace?: string;
  outcome: 'created' | 'configured' | 'unchanged' | 'failed' | 'invalid';
  /** The server's (or the YAML parser's) message for a failed or invalid document. */
  message?: string;
  /** The fields the server named (a 422's causes), each with the line it is on where known. */
  causes?: { field: string; message: string; line?: number }[];
}

export interface PortForwardView {
  id: string;
  context: string;
  namespace: string;
  /** `pod/web-1` or `service/web`. */
  target: string;
  remotePort: number;
  localPort: number;
  /** http://127.0.0.1:<localPort>/ */
  url: string;
  startedAt: string;
  /** A forward whose pod went away ends; the reason stays until it is removed. */
  error?: string;
  /**
   * Why the latest connection failed (the pod refused it, say: nothing listens on that port yet) while
   * the forward goes on listening, as kubectl prints it; a later connection that works clears it.
   */
  lastError?: string;
}

export interface KubeClusterView {
  /** Berth's cluster is turned on in the machine's (or the app's engine's) settings. */
  enabled: boolean;
  state: 'off' | 'starting' | 'running' | 'error';
  reason?: string;
  /** The server's gitVersion once it answers. */
  version?: string;
  /** The admin kubeconfig's `berth` context is in the user's kubeconfig. */
  merged: boolean;
}

export interface KubernetesInvoke {
  'kube.contexts': { req: undefined; res: KubeContextsView };
  /** The app shows this context from now on; the kubeconfig is not written. */
  'kube.setActiveContext': { req: { context: string }; res: KubeContextsView };
  /** Makes the context the kubeconfig's current-context (what kubectl uses): only when asked. */
  'kube.useContext': { req: { context: string }; res: KubeContextsView };
  'kube.get': { req: KubeObjectRef; res: KubeObjectView };
  /** Deletes each named object; answers which were and why others were not. */
  'kube.delete': {
    req: { context: string; kind: KubeKind; namespace: string; names: string[] };
    res: { deleted: string[]; failed: { name: string; message: string }[] };
  };
  'kube.scale': {
    req: {
      context: string;
      kind: 'deployments' | 'statefulsets';
      namespace: string;
      name: string;
      replicas: number;
    };
    res: undefined;
  };
  /** `kubectl rollout restart`: the pod template's restartedAt annotation. */
  'kube.restart': {
    req: {
      context: string;
      kind: 'deployments' | 'statefulsets' | 'daemonsets';
      namespace: string;
      name: string;
    };
    res: undefined;
  };
  'kube.rolloutHistory': {
    /** `kind` is deployments (their ReplicaSets) unless it names statefulsets or daemonsets (revisions). */
    req: { context: string; namespace: string; name: string; kind?: RolloutKind };
    res: RolloutRevision[];
  };
  /** `kubectl rollout undo [--to-revision]`: the previous revision without one. */
  'kube.rollback': {
    req: { context: string; namespace: string; name: string; revision?: number; kind?: RolloutKind };
    res: { revision: number };
  };
  /** `kubectl create job --from=cronjob/NAME`: answers the Job's name. */
  'kube.triggerCronJob': { req: { context: string; namespace: string; name: string }; res: { job: string } };
  /**
   * Applies a (multi-document) YAML as `kubectl apply --server-side` does, field manager `berth`; with
   * `dryRun`, the server validates and persists nothing. `namespace` is for documents that name none.
   * `replace` is an object's "Edit YAML", as `kubectl edit` writes: one document, PUT in place of the
   * stored object (what was removed goes), its resourceVersion refusing an edit of an older version.
   */
  'kube.apply': {
    req: { context: string; yaml: string; dryRun: boolean; namespace?: string; replace?: boolean };
    res: ApplyResult[];
  };
  /** One value of a secret, decoded, for showing or copying when the user asks. */
  'kube.secretValue': {
    req: { context: string; namespace: string; name: string; key: string };
    res: { value: string; binary: boolean };
  };
  'kube.configMapData': {
    req: { context: string; namespace: string; name: string };
    res: Record<string, string>;
  };
  'kube.portForwards': { req: undefined; res: PortForwardView[] };
  /** Forwards 127.0.0.1:localPort (0: any free port) to a pod's or a service's port. */
  'kube.portForward': {
    req: {
      context: string;
      namespace: string;
      kind: 'pods' | 'services';
      name: string;
      remotePort: number;
      localPort?: number;
    };
    res: PortForwardView;
  };
  'kube.stopPortForward': { req: { id: string }; res: undefined };
  'kube.cluster': { req: undefined; res: KubeClusterView };
  /** Turns Berth's cluster on or off (it applies when the engine restarts, which this does). */
  'kube.setClusterEnabled': { req: { enabled: boolean }; res: KubeClusterView };
  /** Wipes the cluster's state (objects, certificates stay valid for a new one); images are kept. */
  'kube.resetCluster': { req: undefined; res: KubeClusterView };
  /** Merges the `berth` cluster, user and context into the kubeconfig without changing current-context. */
  /** `changed`: the file was written (false: the context was there as it is, nothing to do). */
  'kube.mergeKubeconfig': { req: undefined; res: { file: string; context: string; changed: boolean } };
}

export const kubernetesChannels: ChannelList<KubernetesInvoke> = {
  'kube.contexts': true,
  'kube.setActiveContext': true,
  'kube.useContext': true,
  'kube.get': true,
  'kube.delete': true,
  'kube.scale': true,
  'kube.restart': true,
  'kube.rolloutHistory': true,
  'kube.rollback': true,
  'kube.triggerCronJob': true,
  'kube.apply': true,
  'kube.secretValue': true,
  'kube.configMapData': true,
  'kube.portForwards': true,
  'kube.portForward': true,
  'kube.stopPortForward': true,
  'kube.cluster': true,
  'kube.setClusterEnabled': true,
  'kube.resetCluster': true,
  'kube.mergeKubeconfig': true,
};

export interface KubernetesEvents {
  /** A live list (an informer in main, shared by every view of the same list). */
  'kube.watch': { params: KubeListParams; event: KubeWatchEvent };
  /** A pod container's log, as containers' logs come (the same viewer shows both). */
  'kube.logs': {
    params: {
      context: string;
      namespace: string;
      pod: string;
      container?: string;
      follow: boolean;
      previous?: boolean;
      timestamps?: boolean;
      tail?: number;
      sinceSeconds?: number;
    };
    event: LogBatch;
  };
  /** The port-forward list now and after each change. */
  'kube.portForwardList': { params: undefined; event: PortForwardView[] };
}

export const kubernetesEventChannels: ChannelList<KubernetesEvents> = {
  'kube.watch': true,
  'kube.logs': true,
  'kube.portForwardList': true,
};
