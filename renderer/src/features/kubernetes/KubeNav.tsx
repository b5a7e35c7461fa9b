// The nav's Kubernetes section: its header names the active context on every screen; inside the
// section, the context switcher (every context of the kubeconfig, Berth's first), "Make current for
// kubectl" (the only thing that writes the kubeconfig, and only when clicked), the namespace switcher
// (all namespaces too) and the kinds.
import { useEffect, useMemo } from 'react';
import type { KubeContextView } from '../../../../electron/contract/index.ts';
import { type Route, useStore } from '../../store/index.ts';
import { kindWords, kubeNavGroups } from './kinds.ts';
import { useKubeList, useKubeScope } from './shared/use-kube.ts';
import './kube.css';

const berthFirst = (a: KubeContextView, b: KubeContextView) =>
  Number(b.berth) - Number(a.berth) || a.name.localeCompare(b.name);

export function KubeNav({ route }: { route: Route }) {
  const navigate = useStore((s) => s.navigate);
  const contexts = useStore((s) => s.kubeContexts);
  const error = useStore((s) => s.kubeContextsError);
  const { context } = useKubeScope();
  const onKind = route.screen === 'kube' || route.screen === 'kubeObject';
  const currentKind = onKind ? route.kind : null;
  const inKube =
    onKind ||
    route.screen === 'kube-apply' ||
    route.screen === 'kube-pod' ||
    route.screen === 'kube-port-forwards';

  useEffect(() => {
    void useStore.getState().loadKubeContexts();
  }, []);

  return (
    // biome-ignore lint/a11y/useSemanticElements: a labelled part of the nav, not a form
    <div className="kube-nav" role="group" aria-label="Kubernetes">
      <button
        type="button"
        className={inKube ? 'nav kube-head open' : 'nav kube-head'}
        aria-expanded={inKube}
        onClick={() => navigate({ screen: 'kube', kind: currentKind ?? 'pods' })}
      >
        <span>Kubernetes</span>
        <span className="kube-active-context small-text" data-testid="kube-active-context">
          {context ?? (error ? 'unavailable' : contexts ? 'no context' : '…')}
        </span>
      </button>
      {inKube && (
        <>
          <ContextSwitcher />
          {context && <NamespaceSwitcher />}
          {kubeNavGroups.map((g) => (
            // biome-ignore lint/a11y/useSemanticElements: a labelled group of nav buttons
            <div key={g.label} className="kube-nav-group" role="group" aria-label={g.label}>
              <div className="kube-nav-label">{g.label}</div>
              {g.kinds.map((k) => (
                <button
                  key={k}
                  type="button"
                  className={currentKind === k ? 'nav sub active' : 'nav sub'}
                  aria-current={currentKind === k ? 'page' : undefined}
                  onClick={() => navigate({ screen: 'kube', kind: k })}
                >
                  {kindWords[k].title}
                </button>
              ))}
            </div>
          ))}
          {/* biome-ignore lint/a11y/useSemanticElements: a labelled group of nav buttons */}
          <div className="kube-nav-group" role="group" aria-label="Tools">
            <div className="kube-nav-label">Tools</div>
            <button
              type="button"
              className={route.screen === 'kube-apply' ? 'nav sub active' : 'nav sub'}
              aria-current={route.screen === 'kube-apply' ? 'page' : undefined}
              onClick={() => navigate({ screen: 'kube-apply', context: context ?? 'berth' })}
            >
              Apply YAML
            </button>
            <button
              type="button"
              className={route.screen === 'kube-port-forwards' ? 'nav sub active' : 'nav sub'}
              aria-current={route.screen === 'kube-port-forwards' ? 'page' : undefined}
              onClick={() => navigate({ screen: 'kube-port-forwards' })}
            >
              Port forwards
            </button>
          </div>
        </>
      )}
    </div>
  );
}

function ContextSwitcher() {
  const contexts = useStore((s) => s.kubeContexts);
  const setContext = useStore((s) => s.setKubeContext);
  const makeCurrent = useStore((s) => s.makeKubeContextCurrent);
  const report = useStore((s) => s.report);
  const sorted = useMemo(() => [...(contexts?.contexts ?? [])].sort(berthFirst), [contexts]);
  const active = contexts?.active ?? '';
  const activeView = sorted.find((c) => c.name === active);
  if (!contexts || sorted.length === 0) return null;
  return (
    <div className="kube-switch">
      <label>
        <span className="kube-nav-label">Context</span>
        <select
          aria-label="Kubernetes context"
          value={active}
          onChange={async (e) => {
            const name = e.target.value;
            const err = await setContext(name);
            if (err) report('', err, `Cannot switch to context ${name}`);
          }}
        >
          {sorted.map((c) => (
            <option key={c.name} value={c.name} title={c.server}>
              {c.name}
              {c.current ? ' (kubectl)' : ''}
            </option>
          ))}
        </select>
      </label>
      {activeView && !activeView.current && (
        <button
          type="button"
          className="small"
          title="Writes current-context in the kubeconfig: kubectl then uses this context"
          onClick={async () => {
            const err = await makeCurrent(active);
            report(`kubectl now uses context ${active}.`, err, `Cannot make ${active} current`);
          }}
        >
          Make current for kubectl
        </button>
      )}
    </div>
  );
}

function NamespaceSwitcher() {
  const { namespace } = useKubeScope();
  const setNamespace = useStore((s) => s.setKubeNamespace);
  const { list } = useKubeList('namespaces');
  const names = useMemo(() => {
    const all = new Set([...(list?.rows.values() ?? [])].map((r) => r.name));
    if (namespace) all.add(namespace);
    return [...all].sort();
  }, [list, namespace]);
  return (
    <label className="kube-switch">
      <span className="kube-nav-label">Namespace</span>
      <select
        aria-label="Kubernetes namespace"
        value={namespace ?? ''}
        onChange={(e) => setNamespace(e.target.value || null)}
      >
        <option value="">All namespaces</option>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  );
}
