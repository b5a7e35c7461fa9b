// The `kube.watch` stream: one LiveList per (context, kind, namespace or all, selectors), shared by every
// view that shows the same list and closed when the last one leaves.
import type { KubeListParams, KubeWatchEvent } from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { StreamHandlers } from '../ipc/handlers.ts';
import type { KubeContexts } from './contexts.ts';
import type { KubeClient } from './kube-client.ts';
import { berthContext } from './kubeconfig-files.ts';
import { type ListSource, LiveList, type Timers } from './live-list.ts';
import { kubeHandlerError } from './problems.ts';
import { collectionPath, isKubeKind, kubeResources } from './resources.ts';
import type { RawObject } from './rows.ts';

/** The API server as a list's source: GET the collection, then watch it from the list's version. */
export function apiListSource(client: KubeClient, p: KubeListParams): ListSource {
  const r = kubeResources[p.kind];
  const path = collectionPath(r, p.namespace);
  const query = { labelSelector: p.labelSelector, fieldSelector: p.fieldSelector };
  return {
    async list(signal) {
      const l = await client.request<{ items?: RawObject[]; metadata?: { resourceVersion?: string } }>(
        'GET',
        path,
        { query, signal },
      );
      return { items: l.items ?? [], resourceVersion: l.metadata?.resourceVersion ?? '' };
    },
    watch: (resourceVersion, onEvent, signal) =>
      client.watch(path, { ...query, resourceVersion }, onEvent, signal),
  };
}

export function listKey(p: KubeListParams): string {
  const ns = kubeResources[p.kind].namespaced ? (p.namespace ?? '') : '';
  return JSON.stringify([p.context, p.kind, ns, p.labelSelector ?? '', p.fieldSelector ?? '']);
}

export class LiveLists {
  private readonly lists = new Map<string, LiveList>();

  constructor(
    private readonly contexts: KubeContexts,
    private readonly timers?: Timers,
  ) {}

  /** The lists open now (for tests and diagnostics). */
  get open(): number {
    return this.lists.size;
  }

  async subscribe(p: KubeListParams, emit: (e: KubeWatchEvent) => void): Promise<() => void> {
    if (!isKubeKind(p.kind))
      throw new HandlerError('invalid_argument', 'kube.kind', `unknown kind ${String(p.kind)}`);
    const key = listKey(p);
    let list = this.lists.get(key);
    if (!list) {
      const client = await this.contexts.client(p.context);
      // Another subscriber may have opened it while the kubeconfig was read.
      list = this.lists.get(key);
      if (!list) {
        list = new LiveList({
          kind: p.kind,
          source: apiListSource(client, p),
          rowContext: { berth: p.context === berthContext, now: Date.now },
          ...(this.timers ? { timers: this.timers } : {}),
        });
        this.lists.set(key, list);
        list.start();
      }
    }
    const opened = list;
    const unsubscribe = opened.subscribe(emit);
    return () => {
      unsubscribe();
      if (opened.subscriberCount === 0 && this.lists.get(key) === opened) {
        this.lists.delete(key);
        opened.stop();
      }
    };
  }

  closeAll(): void {
    for (const l of this.lists.values()) l.stop();
    this.lists.clear();
  }
}

export function watchStreams(lists: LiveLists): Pick<StreamHandlers, 'kube.watch'> {
  return {
    'kube.watch': async (params, emit, signal) => {
      if (signal.aborted) return;
      let unsubscribe: () => void;
      try {
        unsubscribe = await lists.subscribe(params, emit);
      } catch (err) {
        throw kubeHandlerError(err);
      }
      if (signal.aborted) {
        unsubscribe();
        return;
      }
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      unsubscribe();
    },
  };
}
