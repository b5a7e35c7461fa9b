// One object's screen, for every kind: the object kept live by a watch of just it (fieldSelector
// metadata.name), its facts and actions in the header, and tabs: Overview (conditions, containers),
// the kind's own (a pod's logs and terminal, a deployment's history, a secret's data…), its Events and
// its YAML (`kube.get`, fetched again when the object changes).
import { type ReactNode, useEffect, useState } from 'react';
import type { KubeKind, KubeObjectView, KubeRow } from '../../../../../electron/contract/index.ts';
import { useStore } from '../../../store/index.ts';
import { formatTime } from '../../../ui/format.ts';
import { kindWords } from '../kinds.ts';
import { kubeAge } from '../model.ts';
import { kindSpecs } from '../registry.ts';
import { Labels, OwnerLink } from './cells.tsx';
import { deleteObjects } from './delete.ts';
import { ListStatus, NoContext } from './KubeStatus.tsx';
import { Conditions, Containers, ObjectEvents, ObjectYaml } from './ObjectParts.tsx';
import { useKubeList, useNow } from './use-kube.ts';
import '../kube.css';

export function KubeDetail({ kind, namespace, name }: { kind: KubeKind; namespace: string; name: string }) {
  const words = kindWords[kind];
  const spec = kindSpecs[kind];
  const navigate = useStore((s) => s.navigate);
  const kubeCall = useStore((s) => s.kubeCall);
  const now = useNow();
  const { list, params } = useKubeList(kind, {
    namespace: namespace || null,
    fieldSelector: `metadata.name=${name}`,
  });
  const row: KubeRow | undefined = list
    ? [...list.rows.values()].find((r) => r.name === name && r.namespace === namespace)
    : undefined;
  const context = params?.context ?? '';
  const [view, setView] = useState<KubeObjectView | null>(null);
  const [viewError, setViewError] = useState<string | null>(null);
  const [tab, setTab] = useState('overview');
  const version = row?.resourceVersion;

  useEffect(() => {
    if (!context || !version) return;
    let live = true;
    void kubeCall('kube.get', { context, kind, namespace, name }).then((r) => {
      if (!live) return;
      if (r.ok) setView(r.value);
      setViewError(r.ok ? null : r.error.message);
    });
    return () => {
      live = false;
    };
  }, [context, kind, namespace, name, version, kubeCall]);

  const back = () => navigate({ screen: 'kube', kind });
  const header = (extra?: ReactNode) => (
    <div className="toolbar detail-header">
      <button type="button" onClick={back} aria-label={`Back to ${words.noun}`}>
        ←
      </button>
      <h1 id="kube-title">
        <span className="muted kube-kind">{words.singular}</span> {name}
      </h1>
      {extra}
    </div>
  );

  if (!params)
    return (
      <section aria-labelledby="kube-title" className="kube-screen">
        {header()}
        <NoContext />
      </section>
    );
  if (!row)
    return (
      <section aria-labelledby="kube-title" className="kube-screen">
        {header()}
        <ListStatus list={list} context={context} what={words.noun} />
        {list?.loaded && (
          <p className="empty" data-testid="kube-gone">
            No {words.singular.toLowerCase()} {name}
            {namespace ? ` in namespace ${namespace}` : ''} in context {context}: it may have been deleted.
          </p>
        )}
      </section>
    );

  const tabs = [
    { id: 'overview', label: 'Overview' },
    ...(spec.tabs ?? []).map((t) => ({ id: t.id, label: t.label })),
    ...(kind === 'events' ? [] : [{ id: 'events', label: 'Events' }]),
    { id: 'yaml', label: 'YAML' },
  ];
  const kindTab = spec.tabs?.find((t) => t.id === tab);
  const facts: [string, ReactNode][] = [
    ...(row.namespace ? ([['Namespace', row.namespace]] as [string, ReactNode][]) : []),
    [
      'Age',
      <span key="a" title={formatTime(row.createdAt)}>
        {kubeAge(row.createdAt, now)}
      </span>,
    ],
    ...(spec.facts?.(row, now) ?? []),
  ];
  return (
    <section aria-labelledby="kube-title" className="kube-screen" data-testid="kube-detail" data-kind={kind}>
      {header(
        <>
          <span className="spacer" />
          {spec.DetailActions && <spec.DetailActions row={row} context={context} />}
          {spec.deletable && (
            <button
              type="button"
              className="danger"
              onClick={() => void deleteObjects(context, kind, [row]).then((done) => done && back())}
            >
              Delete
            </button>
          )}
        </>,
      )}
      <ListStatus list={list} context={context} what={words.noun} />
      <dl className="kube-facts" data-testid="kube-facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <div role="tablist" aria-label={`${words.singular} views`} className="tabs">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={tab === t.id ? 'active' : ''}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="kube-tab">
        {tab === 'overview' && (
          <>
            <dl className="kube-facts">
              <div>
                <dt>Labels</dt>
                <dd>
                  <Labels labels={row.labels} />
                </dd>
              </div>
              {row.owner && (
                <div>
                  <dt>Controlled by</dt>
                  <dd>
                    <OwnerLink owner={row.owner} namespace={row.namespace} />
                  </dd>
                </div>
              )}
            </dl>
            {!spec.plain && view && (
              <>
                <Conditions conditions={view.conditions} />
                <Containers containers={view.containers} />
              </>
            )}
            {!spec.plain && !view && !viewError && <p className="empty">Loading…</p>}
          </>
        )}
        {kindTab?.render({ row, view, context })}
        {tab === 'events' && <ObjectEvents uid={row.uid} namespace={row.namespace} context={context} />}
        {tab === 'yaml' && (
          <ObjectYaml view={view} error={viewError} context={context} secret={kind === 'secrets'} />
        )}
      </div>
    </section>
  );
}
