// What every namespace of a real cluster holds from its first moment: the `default` ServiceAccount
// (kube-controller-manager's serviceaccount controller) and the `kube-root-ca.crt` ConfigMap with the
// cluster's CA (its root-ca-cert-publisher), made again when deleted and kept current. Event-driven:
// namespaces, service accounts and config maps are watched.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../apiserver/registry.ts';
import { ApiError } from '../apiserver/status.ts';
import { Kinds } from '../client/client.ts';
import type { Informer } from '../client/informer.ts';
import { WorkQueue } from '../client/queue.ts';
import type { ClusterPart, PartEnv } from '../parts.ts';

export const rootCaConfigMap = 'kube-root-ca.crt';

export class NamespaceDefaults implements ClusterPart {
  readonly name = 'namespace-defaults';
  private env!: PartEnv;
  private namespaces!: Informer;
  private accounts!: Informer;
  private configMaps!: Informer;
  private queue!: WorkQueue;
  private caCert = '';

  async start(env: PartEnv): Promise<void> {
    this.env = env;
    this.caCert = await fs.readFile(path.join(env.dir, 'ca.crt'), 'utf8').catch(() => '');
    this.namespaces = env.informers.for(Kinds.Namespace);
    this.accounts = env.informers.for(Kinds.ServiceAccount);
    this.configMaps = env.informers.for(Kinds.ConfigMap);
    this.queue = new WorkQueue('namespace-defaults', (ns) => this.sync(ns), {
      clock: env.clock,
      log: env.log,
      baseDelayMs: 200,
    });
    const byNamespace = (o: KubeObject) => {
      if (o.metadata?.namespace) this.queue.add(o.metadata.namespace);
    };
    this.namespaces.on({
      add: (o) => this.queue.add(String(o.metadata?.name)),
      update: (o) => this.queue.add(String(o.metadata?.name)),
    });
    const mine = (o: KubeObject) =>
      (o.metadata?.name === 'default' || o.metadata?.name === rootCaConfigMap) && byNamespace(o);
    this.accounts.on({ delete: mine });
    this.configMaps.on({ delete: mine, update: mine });
  }

  stop(): void {
    this.queue?.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.get(undefined, namespace);
    if (!ns || ns.metadata?.deletionTimestamp) return;
    if (!this.accounts.get(namespace, 'default'))
      await this.ensure(Kinds.ServiceAccount, { metadata: { name: 'default', namespace } });
    if (!this.caCert) return;
    const cm = this.configMaps.get(namespace, rootCaConfigMap);
    const data = { 'ca.crt': this.caCert };
    if (!cm)
      await this.ensure(Kinds.ConfigMap, {
        metadata: {
          name: rootCaConfigMap,
          namespace,
          annotations: {
            'kubernetes.io/description':
              'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
          },
        },
        data,
      });
    else if ((cm.data as Record<string, string> | undefined)?.['ca.crt'] !== this.caCert)
      await this.env.client.update(Kinds.ConfigMap, { ...cm, data });
  }

  private async ensure(kind: (typeof Kinds)[keyof typeof Kinds], obj: KubeObject): Promise<void> {
    try {
      await this.env.client.create(kind, obj);
    } catch (err) {
      // Made meanwhile (the informer had not seen it yet), or the namespace is going: nothing to do.
      if (err instanceof ApiError && (err.reason === 'AlreadyExists' || err.code === 403 || err.code === 404))
        return;
      throw err;
    }
  }
}
