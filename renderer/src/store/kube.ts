// The kube slice: the kubeconfig's contexts and the one the app shows, the namespace chosen in each
// context (or all), and the live lists the screens watch. A list is one `kube.watch` subscription
// shared by every view that asks for it (counted), fed in batches: the changes that arrive within one
// frame are applied together, so a burst of status changes costs one store update, not one per pod.
import type {
  ContractError,
  InvokeChannel,
  InvokeRequest,
  InvokeResponse,
  KubeContextsView,
  KubeListParams,
  KubeWatchEvent,
} from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import { applyWatchEvents, emptyList, type KubeListState, listKey, problemOfError } from './kube-list.ts';
import type { Slice, State } from './types.ts';

export interface KubeSlice {
  kubeContexts: KubeContextsView | null;
  kubeContextsError: ContractError | null;
  /** The namespace chosen per context; null for all namespaces. Absent: the context's own, else all. */
  kubeNamespaces: Record<string, string | null>;
  kubeLists: Record<string, KubeListState>;
  loadKubeContexts(): Promise<void>;
  /** Shows `context` from now on; the kubeconfig is not written. */
  setKubeContext(context: string): Promise<ContractError | null>;
  /** Makes `context` the kubeconfig's current-context (what kubectl uses): only when the user asks. */
  makeKubeContextCurrent(context: string): Promise<ContractError | null>;
  setKubeNamespace(namespace: string | null): void;
  /** Follows the list until the returned function is called (by every view that asked for it). */
  watchKubeList(params: KubeListParams): () => void;
  /**
   * Asks for a kind's list as a navigation to its screen starts, so that the cluster's answer and the
   * screen's first render overlap (the screen's watch, made after that render, finds it under way).
   */
  watchKubeListAhead(kind: KubeListParams['kind']): void;
  /** A kube invoke whose failure is the caller's to report. */
  kubeCall<C extends KubeChannel>(
    channel: C,
    req: InvokeRequest<C>,
  ): Promise<{ ok: true; value: InvokeResponse<C> } | { ok: false; error: ContractError }>;
}

type KubeChannel = Extract<InvokeChannel, `kube.${string}`>;

/** The app's context: the one chosen in the app, else the kubeconfig's current one. */
export const activeKubeContext = (s: State): string | null => s.kubeContexts?.active ?? null;

/** The namespace the screens show in the active context; null for all. */
export function activeKubeNamespace(s: State): string | null {
  const ctx = activeKubeContext(s);
  if (!ctx) return null;
  if (Object.hasOwn(s.kubeNamespaces, ctx)) return s.kubeNamespaces[ctx] ?? null;
  return s.kubeContexts?.contexts.find((c) => c.name === ctx)?.namespace ?? null;
}

/**
 * The list a kind's screen shows in a scope (the active context and namespace, null for all): in
 * `opts.namespace` when given ('' or null: all); namespaces listed whole; null until the context is
 * known.
 */
export function kindListParams(
  scope: { context: string | null; namespace: string | null },
  kind: KubeListParams['kind'],
  opts: { namespace?: string | null; fieldSelector?: string; labelSelector?: string } = {},
): KubeListParams | null {
  const { context } = scope;
  if (!context) return null;
  const ns = opts.namespace !== undefined ? opts.namespace || null : scope.namespace;
  return {
    context,
    kind,
    namespace: kind === 'namespaces' ? null : ns,
    ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}),
    ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
  };
}

/**
 * How long a list asked for ahead of its screen is held for it: the screen's own watch takes it over
 * once it renders (well within this), and a navigation that never renders it lets it go.
 */
export const kubeAheadMs = 5000;

/** How long changes wait for others to join them in one batch (about a frame). */
export const kubeBatchMs = 16;

interface Subscription {
  count: number;
  stop: () => void;
  pending: KubeWatchEvent[];
  timer: ReturnType<typeof setTimeout> | null;
}

export const kubeSlice: Slice<KubeSlice> = (set, get) => {
  const subs = new Map<string, Subscription>();

  const flush = (key: string) => {
    const sub = subs.get(key);
    if (!sub || sub.pending.length === 0) return;
    if (sub.timer) clearTimeout(sub.timer);
    sub.timer = null;
    const events = sub.pending;
    sub.pending = [];
    const list = get().kubeLists[key];
    if (!list) return;
    set({ kubeLists: { ...get().kubeLists, [key]: applyWatchEvents(list, events) } });
  };

  const receive = (key: string, e: KubeWatchEvent) => {
    const sub = subs.get(key);
    if (!sub) return;
    sub.pending.push(e);
    // A snapshot or a state change shows at once; changes wait a frame for the rest of their burst.
    if (e.type !== 'changes') flush(key);
    else sub.timer ??= setTimeout(() => flush(key), kubeBatchMs);
  };

  return {
    kubeContexts: null,
    kubeContextsError: null,
    kubeNamespaces: {},
    kubeLists: {},
    async loadKubeContexts() {
      const r = await api().invoke('kube.contexts', undefined);
      set(r.ok ? { kubeContexts: r.value, kubeContextsError: null } : { kubeContextsError: r.error });
    },
    async setKubeContext(context) {
      const r = await api().invoke('kube.setActiveContext', { context });
      if (!r.ok) return r.error;
      set({ kubeContexts: r.value, kubeContextsError: null });
      return null;
    },
    async makeKubeContextCurrent(context) {
      const r = await api().invoke('kube.useContext', { context });
      if (!r.ok) return r.error;
      set({ kubeContexts: r.value, kubeContextsError: null });
      return null;
    },
    setKubeNamespace(namespace) {
      const ctx = activeKubeContext(get());
      if (ctx) set({ kubeNamespaces: { ...get().kubeNamespaces, [ctx]: namespace } });
    },
    watchKubeList(params) {
      const key = listKey(params);
      let sub = subs.get(key);
      if (sub) sub.count++;
      else {
        const fresh: Subscription = { count: 1, stop: () => {}, pending: [], timer: null };
        subs.set(key, fresh);
        sub = fresh;
        set({ kubeLists: { ...get().kubeLists, [key]: emptyList(params) } });
        fresh.stop = api().subscribe('kube.watch', params, (m) => {
          if (m.type === 'event') return receive(key, m.event);
          // The stream ended: main refused the watch or the transport went. Either way, say why.
          flush(key);
          if (subs.get(key) !== fresh) return;
          const list = get().kubeLists[key];
          if (!list) return;
          const problem = m.error
            ? problemOfError(m.error)
            : { kind: 'other' as const, message: 'the watch ended' };
          set({ kubeLists: { ...get().kubeLists, [key]: { ...list, state: 'error', problem } } });
        });
      }
      let stopped = false;
      const current = sub;
      return () => {
        if (stopped) return;
        stopped = true;
        if (--current.count > 0) return;
        if (current.timer) clearTimeout(current.timer);
        subs.delete(key);
        current.stop();
        const { [key]: _gone, ...rest } = get().kubeLists;
        set({ kubeLists: rest });
      };
    },
    watchKubeListAhead(kind) {
      const s = get();
      const params = kindListParams(
        { context: activeKubeContext(s), namespace: activeKubeNamespace(s) },
        kind,
      );
      if (!params) return;
      setTimeout(get().watchKubeList(params), kubeAheadMs);
    },
    async kubeCall(channel, req) {
      return api().invoke(channel, req);
    },
  };
};
