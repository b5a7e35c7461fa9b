// ConfigMaps: their keys in the list; the detail's Data tab shows each value (`kube.configMapData`).
import { useEffect, useState } from 'react';
import type { ConfigRow, ContractError } from '../../../../../electron/contract/index.ts';
import { useStore } from '../../../store/index.ts';
import { copyText } from '../../../ui/copy-text.ts';
import { countColumn, type KindSpec } from '../shared/spec.ts';

export const keysColumn = {
  id: 'keys',
  header: 'Keys',
  value: (c: ConfigRow) => c.keys.join(' '),
  cell: (c: ConfigRow) =>
    c.keys.length ? (
      <span className="mono cell-text">{c.keys.join(', ')}</span>
    ) : (
      <span className="muted">—</span>
    ),
};

function ConfigMapData({ row, context }: { row: ConfigRow; context: string }) {
  const kubeCall = useStore((s) => s.kubeCall);
  const report = useStore((s) => s.report);
  const [data, setData] = useState<Record<string, string> | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const { namespace, name, resourceVersion } = row;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new resourceVersion is new data
  useEffect(() => {
    let live = true;
    void kubeCall('kube.configMapData', { context, namespace, name }).then((r) => {
      if (!live) return;
      if (r.ok) setData(r.value);
      setError(r.ok ? null : r.error);
    });
    return () => {
      live = false;
    };
  }, [context, namespace, name, resourceVersion, kubeCall]);
  if (error)
    return (
      <div className="error-banner" role="alert">
        <strong>Cannot read the data:</strong> {error.message}
      </div>
    );
  if (!data) return <p className="empty">Loading…</p>;
  const keys = Object.keys(data).sort();
  if (keys.length === 0) return <p className="empty">No data.</p>;
  return (
    <dl className="kube-data">
      {keys.map((k) => (
        <div key={k} data-testid="data-key" data-key={k}>
          <dt className="mono">
            {k}{' '}
            <button
              type="button"
              className="small"
              aria-label={`Copy ${k}`}
              onClick={() =>
                void copyText(data[k]).then((why) =>
                  report(
                    `Copied ${k}.`,
                    why ? { kind: 'internal', code: 'clipboard', message: why } : null,
                    `Cannot copy ${k}`,
                  ),
                )
              }
            >
              Copy
            </button>
          </dt>
          <dd>
            <pre className="kube-value">{data[k]}</pre>
          </dd>
        </div>
      ))}
    </dl>
  );
}

export const configMapSpec: KindSpec<ConfigRow> = {
  deletable: true,
  columns: [countColumn('count', 'Data', '60px', (c) => c.keys.length), keysColumn],
  tabs: [
    {
      id: 'data',
      label: 'Data',
      render: ({ row, context }) => <ConfigMapData row={row} context={context} />,
    },
  ],
  plain: true,
};
