// Services: type, cluster IP, external addresses and ports as kubectl prints them, and the addresses a
// browser on this machine can open, as links (through main's openExternal in the desktop app).
import type { ServiceRow } from '../../../../../electron/contract/index.ts';
import { openExternal } from '../../../api/open-external.ts';
import { useStore } from '../../../store/index.ts';
import { PortForwardTab } from '../portforward/PortForwards.tsx';
import type { KindSpec } from '../shared/spec.ts';

/** kubectl's PORT(S): `80:30080/TCP,443/TCP`. */
export const portsText = (s: ServiceRow) =>
  s.ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',');

function ServiceLinks({ row }: { row: ServiceRow }) {
  const report = useStore((s) => s.report);
  if (row.links.length === 0) return <span className="muted">—</span>;
  return (
    <span className="inline-list">
      {row.links.map((l) => (
        <a
          key={l.url}
          href={l.url}
          target="_blank"
          rel="noreferrer noopener"
          className="mono"
          onClick={(e) => {
            e.preventDefault();
            void openExternal(l.url).then((err) => err && report('', err, `Cannot open ${l.url}`));
          }}
        >
          {l.label}
        </a>
      ))}
    </span>
  );
}

export const serviceSpec: KindSpec<ServiceRow> = {
  deletable: true,
  columns: [
    { id: 'type', header: 'Type', width: '110px', value: (s) => s.type, cell: (s) => s.type },
    {
      id: 'clusterIP',
      header: 'Cluster IP',
      width: '120px',
      className: 'mono',
      value: (s) => s.clusterIP,
      cell: (s) => s.clusterIP ?? '—',
    },
    {
      id: 'external',
      header: 'External IP',
      width: '120px',
      className: 'mono',
      value: (s) => s.externalIPs.join(','),
      cell: (s) => (s.externalIPs.length ? s.externalIPs.join(', ') : <span className="muted">—</span>),
    },
    {
      id: 'ports',
      header: 'Ports',
      className: 'mono',
      value: portsText,
      cell: (s) => <span className="cell-text">{portsText(s)}</span>,
    },
    { id: 'links', header: 'Open', width: '22%', cell: (s) => <ServiceLinks row={s} /> },
  ],
  rowData: (s) => ({ 'data-type': s.type }),
  facts: (s) => [
    ['Type', s.type],
    [
      'Cluster IP',
      <span key="c" className="mono">
        {s.clusterIP ?? '—'}
      </span>,
    ],
    [
      'External IP',
      <span key="e" className="mono">
        {s.externalIPs.join(', ') || '—'}
      </span>,
    ],
    [
      'Ports',
      <span key="p" className="mono">
        {portsText(s) || '—'}
      </span>,
    ],
    ['Open', <ServiceLinks key="l" row={s} />],
  ],
  tabs: [
    {
      id: 'port-forward',
      label: 'Port-forward',
      render: ({ row, context }) => (
        <PortForwardTab
          context={context}
          namespace={row.namespace}
          kind="services"
          name={row.name}
          ports={
            row.type === 'ExternalName'
              ? []
              : row.ports.filter((p) => p.protocol === 'TCP').map((p) => p.port)
          }
        />
      ),
    },
  ],
  plain: true,
};
