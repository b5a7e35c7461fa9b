// Starts the orchestrator's API server inside berthd (`--kubernetes`): certificates and the admin
// kubeconfig in <data-root>/kubernetes/, the default namespaces, HTTPS on 127.0.0.1:<port> with
// client-certificate authentication. berthd loads this module only when Kubernetes is enabled.
import { promises as fs } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { type Clock, systemClock } from '../../core/clock.ts';
import { writeFileAtomic } from '../../core/fsutil.ts';
import type { Logger } from '../../core/log.ts';
import { hostSys, type Sys } from '../../core/sys.ts';
import { Kinds, LocalClient } from '../client/client.ts';
import { Informers } from '../client/informer.ts';
import { metricsDefs } from '../metrics/resources.ts';
import { engineReader, UsageMeter } from '../metrics/usage.ts';
import { type ClusterPart, clusterParts, type PartEnv } from '../parts.ts';
import { openStore, type StoreConfig } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { localPathClass, localPathProvisioner } from '../volumes/provisioner.ts';
import { createKubeApi } from './app.ts';
import {
  type Authenticator,
  clientCertAuthenticator,
  firstOf,
  serviceAccountAuthenticator,
} from './authn.ts';
import {
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  reconcileDefaultRole,
} from './authz/bootstrap-policy.ts';
import { ensureCerts } from './certs.ts';
import type { ApiContext } from './context.ts';
import { serveStoredCustomResources } from './crd/resource.ts';
import { adminEntries, adminKubeconfig, type KubeconfigEntries, mergeIntoFile } from './kubeconfig.ts';
import type { KubeObject, Registry } from './registry.ts';
import { defaultRegistry } from './resources/index.ts';
import { systemPriorityClasses } from './resources/scheduling.ts';
import { createObject, updateObjectWith } from './rest/write.ts';
import {
  apiServiceIP,
  clusterDnsIP,
  defaultServiceRanges,
  type ServiceRanges,
  servedInProcess,
} from './service-alloc.ts';
import { lockServiceRanges, serviceCidrFor, serviceRangesFile } from './service-range.ts';
import { tokenRequestHandler, tokenSubjectsExist } from './serviceaccount/token-request.ts';
import { TokenIssuer } from './serviceaccount/tokens.ts';
import { ApiError } from './status.ts';

// What berthd's flags reach for, from the one module it loads for Kubernetes.
export { userKubeconfigPath } from './kubeconfig.ts';
export { mergeFromAdmin } from './merge-command.ts';

export const defaultNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface KubernetesOptions {
  dataRoot: string;
  port: number;
  host?: string;
  log: Logger;
  /** Which store to open (default: SQLite, `<data-root>/kubernetes/state.db`). */
  storeConfig?: StoreConfig;
  /** A store already open, instead of storeConfig's. */
  store?: Store;
  clock?: Clock;
  /** Merge the berth entries into this kubeconfig once the server is up. */
  mergeKubeconfig?: { file: string; useContext: boolean };
  /** The engine the kubelet runs pods with (absent: an API server and controllers only). */
  engine?: PartEnv['engine'];
  /** The link that holds ClusterIPs (see PartEnv). */
  serviceInterface?: string;
  sys?: Sys;
  /** The parts beside the API server (default: clusterParts()). */
  parts?: ClusterPart[];
}

export interface RunningKubernetes {
  server: https.Server;
  port: number;
  adminKubeconfig: string;
  entries: KubeconfigEntries;
  close(): Promise<void>;
}

export const kubernetesDir = (dataRoot: string) => path.join(dataRoot, 'kubernetes');

/**
 * What every cluster has, created through the same path as a user's objects (defaults, labels): the
 * default namespaces and, given the service range, the `kubernetes` Service in `default` on the
 * range's first address, as kube-apiserver makes it.
 */
export async function bootstrap(
  ctx: Pick<ApiContext, 'store' | 'registry' | 'clock' | 'log'>,
  registry: Registry,
  ranges?: ServiceRanges,
) {
  const full: ApiContext = { ...ctx, admission: [], bookmarkIntervalMs: 60_000 };
  const system = { name: 'system:apiserver', groups: ['system:masters'] };
  const make = async (kind: string, namespace: string | undefined, body: KubeObject) => {
    try {
      await createObject(
        full,
        {
          def: registry.all().find((d) => d.kind === kind)!,
          namespace,
          query: new URLSearchParams(),
          user: system,
          rendering: { as: 'object' },
          warnings: [],
        },
        body,
      );
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
    }
  };
  for (const name of defaultNamespaces) await make('Namespace', undefined, { metadata: { name } });
  // The default StorageClass: claims get engine volumes (volumes/provisioner.ts).
  await make('StorageClass', undefined, {
    metadata: {
      name: localPathClass,
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    },
    provisioner: localPathProvisioner,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  });
  // The default roles and bindings (authz/bootstrap-policy.ts): cluster-admin for system:masters,
  // discovery and the self-reviews for every user, view, edit and admin to grant.
  for (const role of bootstrapClusterRoles) await make('ClusterRole', undefined, structuredClone(role));
  // A cluster made by an older berthd gets what this version's defaults hold (new labels, aggregation).
  const roleDef = registry.all().find((d) => d.kind === 'ClusterRole')!;
  for (const role of bootstrapClusterRoles) {
    const name = role.metadata!.name!;
    const scope = {
      def: roleDef,
      name,
      query: new URLSearchParams(),
      user: system,
      rendering: { as: 'object' as const },
      warnings: [],
    };
    await updateObjectWith(full, scope, (stored) => reconcileDefaultRole(stored, role) ?? stored).catch(
      (err) => {
        if (!(err instanceof ApiError && err.reason === 'NotFound')) throw err;
      },
    );
  }
  for (const binding of bootstrapClusterRoleBindings)
    await make('ClusterRoleBinding', undefined, structuredClone(binding));
  // The two system priority classes every cluster has (charts name system-cluster-critical).
  for (const [name, value] of Object.entries(systemPriorityClasses))
    await make('PriorityClass', undefined, {
      metadata: { name },
      value,
      description: 'Used for system critical pods that must not be moved from their current node.',
    });
  if (ranges) {
    const ip = apiServiceIP(ranges);
    await make('Service', 'default', {
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { component: 'apiserver', provider: 'kubernetes' },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: ip,
        clusterIPs: [ip],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      },
    });
    const dns = clusterDnsIP(ranges);
    await make('Service', 'kube-system', {
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' },
        annotations: { [servedInProcess]: 'cluster-dns' },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: dns,
        clusterIPs: [dns],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
      },
    });
  }
}

/**
 * The `kubernetes` Service's endpoints: the API server itself, on the host's 127.0.0.1 (the service
 * proxy relays pods' connections to the ClusterIP there).
 */
async function publishApiEndpoints(client: LocalClient, port: number): Promise<void> {
  const subsets = [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port, protocol: 'TCP' }] }];
  const current = await client.get(Kinds.Endpoints, 'default', 'kubernetes');
  if (!current)
    await client.create(Kinds.Endpoints, {
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
      },
      subsets,
    });
  else if (JSON.stringify(current.subsets) !== JSON.stringify(subsets))
    await client.update(Kinds.Endpoints, { ...current, subsets });
}

export async function startKubernetes(opts: KubernetesOptions): Promise<RunningKubernetes> {
  // A cluster that puts its service addresses on the host's links holds the host-wide lock from its
  // choice of range until they are there, so that two started at once never take the same range.
  const release = opts.serviceInterface ? await lockServiceRanges() : async () => {};
  try {
    return await startLocked(opts);
  } finally {
    await release();
  }
}

async function startLocked(opts: KubernetesOptions): Promise<RunningKubernetes> {
  const dir = kubernetesDir(opts.dataRoot);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  // The service range first: the serving certificate names the kubernetes Service's address in it.
  // On the host's links (under the lock, startKubernetes), the range is also noted host-wide.
  const noted = opts.serviceInterface ? serviceRangesFile : undefined;
  const serviceCidr = await serviceCidrFor(dir, undefined, undefined, noted);
  const serviceRanges: ServiceRanges = { ...defaultServiceRanges, serviceCidr };
  const certs = await ensureCerts(dir, Date.now(), [apiServiceIP(serviceRanges)]);
  const tokens = await TokenIssuer.open(dir);
  const host = opts.host ?? '127.0.0.1';
  const storeConfig = opts.storeConfig ?? { kind: 'sqlite' };
  const store = opts.store ?? openStore(storeConfig, dir);
  const clock = opts.clock ?? systemClock;
  const registry = defaultRegistry();
  // `kubectl top`: metrics.k8s.io from the engine's stats, when there is an engine to ask.
  if (opts.engine)
    registry.add(
      ...metricsDefs(opts.engine.containers, new UsageMeter(engineReader(opts.engine.containers))),
    );
  // `kubectl create token`: tokens for service accounts on request.
  registry.serveSubresource('', 'serviceaccounts', 'token', tokenRequestHandler(tokens));
  try {
    await bootstrap({ store, registry, clock, log: opts.log }, registry, serviceRanges);
    await serveStoredCustomResources(store, registry);
  } catch (err) {
    await store.close();
    throw err;
  }
  // Client certificates (the admin kubeconfig), and the service-account tokens pods mount.
  const authenticate: Authenticator = firstOf(
    clientCertAuthenticator,
    serviceAccountAuthenticator(
      (t) => tokens.verify(t),
      (claims) => tokenSubjectsExist(store, registry, claims),
    ),
  );
  let port = opts.port;
  const handler = createKubeApi({
    store,
    registry,
    clock,
    log: opts.log,
    authenticate,
    serviceRanges,
    get serverAddress() {
      return `${host}:${port}`;
    },
  });
  const server = https.createServer(
    {
      key: certs.serverKey,
      cert: certs.serverCert,
      ca: certs.caCert,
      requestCert: true,
      rejectUnauthorized: false,
      // An idle connection stays open as long as kube-apiserver keeps one (90 s), not Node's 5 s: a
      // client back after a pause (the app's next screen, kubectl in a script) needs no new handshake.
      keepAliveTimeout: 90_000,
    },
    handler,
  );
  server.on('upgrade', handler.upgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err) => {
    await store.close();
    throw err;
  });
  port = (server.address() as { port: number }).port;
  const client = new LocalClient(handler.context);
  const informers = new Informers(client, opts.log);
  const parts = opts.parts ?? clusterParts();
  const env: PartEnv = {
    client,
    informers,
    registry,
    clock,
    log: opts.log,
    dir,
    engine: opts.engine,
    sys: opts.sys ?? hostSys,
    serviceInterface: opts.serviceInterface,
    tokens,
    clusterDNS: opts.serviceInterface
      ? { ip: clusterDnsIP(serviceRanges), domain: 'cluster.local' }
      : undefined,
  };
  await publishApiEndpoints(client, port);
  for (const part of parts) await part.start(env);
  const entries = adminEntries(`https://${host}:${port}`, certs);
  const adminFile = path.join(dir, 'admin.kubeconfig');
  await writeFileAtomic(adminFile, adminKubeconfig(entries), 0o600);
  if (opts.mergeKubeconfig)
    await mergeIntoFile(opts.mergeKubeconfig.file, entries, { useContext: opts.mergeKubeconfig.useContext });
  // History older than five minutes goes, as the real API server compacts etcd.
  let lastRevision = await store.revision();
  const compactor = setInterval(() => {
    const target = lastRevision;
    void store
      .revision()
      .then((r) => {
        lastRevision = r;
        return target > 0 ? store.compact(target) : undefined;
      })
      .catch((err) => opts.log.warn('cannot compact the Kubernetes store', { error: String(err) }));
  }, 5 * 60_000);
  compactor.unref();
  opts.log.info(`Kubernetes API listen on https://${host}:${port}`, {
    kubeconfig: adminFile,
    store: opts.store ? 'given' : storeConfig.kind,
  });
  return {
    server,
    port,
    adminKubeconfig: adminFile,
    entries,
    async close() {
      clearInterval(compactor);
      for (const part of [...parts].reverse()) await part.stop();
      informers.stop();
      handler.close();
      server.close();
      server.closeAllConnections();
      await store.close();
    },
  };
}
