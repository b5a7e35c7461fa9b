// How a Kubernetes screen reads the store: the active context and namespace, a live list it follows
// while shown (resubscribed when the context, the namespace or the selectors change), and a clock
// for the ages.
import { useEffect, useState } from 'react';
import type { KubeKind, KubeListParams } from '../../../../../electron/contract/index.ts';
import {
  activeKubeContext,
  activeKubeNamespace,
  type KubeListState,
  kindListParams,
  listKey,
  useStore,
} from '../../../store/index.ts';

export function useKubeScope(): { context: string | null; namespace: string | null } {
  const context = useStore(activeKubeContext);
  const namespace = useStore(activeKubeNamespace);
  return { context, namespace };
}

/**
 * The list of `kind` in the active context: in `namespace` when given ('' or null: all), else in the
 * active namespace. Undefined until the context is known.
 */
export function useKubeList(
  kind: KubeKind,
  opts: { namespace?: string | null; fieldSelector?: string; labelSelector?: string; skip?: boolean } = {},
): { list: KubeListState | undefined; params: KubeListParams | null } {
  const scope = useKubeScope();
  const params = opts.skip ? null : kindListParams(scope, kind, opts);
  const key = params ? listKey(params) : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for the params
  useEffect(() => {
    if (!params) return;
    return useStore.getState().watchKubeList(params);
  }, [key]);
  const list = useStore((s) => (key ? s.kubeLists[key] : undefined));
  return { list, params };
}

/** The time, moving every `ms`: ages in a list tick without each row keeping a timer. */
export function useNow(ms = 5000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
