// Berth's cluster as the dashboard and Settings show it: asked for when shown, and again every few
// seconds while it starts (the API comes up a moment after the engine). An action's error (a reset
// that cannot be done from here) stays until the next action: the view asked for after it is not
// allowed to wipe it.
import { useCallback, useEffect, useState } from 'react';
import type { ContractError, KubeClusterView } from '../../../../../electron/contract/index.ts';
import { api } from '../../../api/client.ts';

const startingMs = 3000;

export function useCluster() {
  const [view, setView] = useState<KubeClusterView | null>(null);
  const [loadError, setLoadError] = useState<ContractError | null>(null);
  const [actionError, setActionError] = useState<ContractError | null>(null);
  const [busy, setBusy] = useState<null | 'toggle' | 'reset' | 'merge'>(null);

  const refresh = useCallback(async () => {
    const r = await api().invoke('kube.cluster', undefined);
    if (r.ok) {
      setView(r.value);
      setLoadError(null);
    } else setLoadError(r.error);
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);
  useEffect(() => {
    if (view?.state !== 'starting') return;
    const t = setInterval(() => void refresh(), startingMs);
    return () => clearInterval(t);
  }, [view?.state, refresh]);

  const act = async <T>(
    what: NonNullable<typeof busy>,
    run: () => Promise<{ ok: true; value: T } | { ok: false; error: ContractError }>,
  ) => {
    setBusy(what);
    setActionError(null);
    try {
      const r = await run();
      if (!r.ok) setActionError(r.error);
      return r;
    } finally {
      setBusy(null);
      void refresh();
    }
  };

  return {
    view,
    error: actionError ?? loadError,
    busy,
    refresh,
    setEnabled: (enabled: boolean) =>
      act('toggle', () => api().invoke('kube.setClusterEnabled', { enabled })),
    reset: () => act('reset', () => api().invoke('kube.resetCluster', undefined)),
    merge: () => act('merge', () => api().invoke('kube.mergeKubeconfig', undefined)),
  };
}
