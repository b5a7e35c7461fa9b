// Pods: kubectl get pods' columns (READY, STATUS, RESTARTS, IP, NODE) and the owner; the detail has
// the pod's logs and a terminal (kube-io's panes, mounted here).
import type { PodRow } from '../../../../../electron/contract/index.ts';
import { declaredTcpPorts, podTone, restartsText } from '../model.ts';
import { PortForwardTab } from '../portforward/PortForwards.tsx';
import { OwnerLink, ToneBadge } from '../shared/cells.tsx';
import type { KindSpec } from '../shared/spec.ts';
import { PodLogs } from './PodLogs.tsx';
import { PodTerminal } from './PodTerminal.tsx';

const podStatus = (p: PodRow) => (p.deleting ? 'Terminating' : p.status);

export const podSpec: KindSpec<PodRow> = {
  deletable: true,
  actionsWidth: '48px',
  columns: [
    {
      id: 'ready',
      header: 'Ready',
      width: '64px',
      value: (p) => p.ready / (p.total || 1),
      cell: (p) => `${p.ready}/${p.total}`,
    },
    {
      id: 'status',
      header: 'Status',
      width: '112px',
      value: podStatus,
      cell: (p) => <ToneBadge tone={podTone(p)} text={podStatus(p)} />,
    },
    {
      id: 'restarts',
      header: 'Restarts',
      width: '84px',
      className: 'num',
      value: (p) => p.restarts,
      cell: (p, now) => restartsText(p, now),
    },
    {
      id: 'ip',
      header: 'IP',
      width: '100px',
      minListWidth: 760,
      className: 'mono',
      value: (p) => p.ip,
      cell: (p) => p.ip ?? '—',
    },
    {
      id: 'node',
      header: 'Node',
      width: '7%',
      minListWidth: 1000,
      value: (p) => p.node,
      cell: (p) => <span className="cell-text">{p.node ?? '—'}</span>,
    },
    {
      id: 'owner',
      header: 'Controlled by',
      width: '14%',
      minListWidth: 760,
      value: (p) => (p.owner ? `${p.owner.kind}/${p.owner.name}` : undefined),
      cell: (p) => <OwnerLink owner={p.owner} namespace={p.namespace} />,
    },
  ],
  rowData: (p) => ({ 'data-status': podStatus(p), 'data-ready': `${p.ready}/${p.total}` }),
  facts: (p, now) => [
    ['Status', <ToneBadge key="s" tone={podTone(p)} text={podStatus(p)} />],
    ['Ready', `${p.ready}/${p.total}`],
    ['Restarts', restartsText(p, now)],
    ['IP', p.ip ?? '—'],
    ['Node', p.node ?? '—'],
    ['Controlled by', <OwnerLink key="o" owner={p.owner} namespace={p.namespace} />],
  ],
  tabs: [
    {
      id: 'logs',
      label: 'Logs',
      render: ({ row, context }) => (
        <PodLogs
          context={context}
          namespace={row.namespace}
          pod={row.name}
          containers={[...row.containers, ...row.initContainers]}
        />
      ),
    },
    {
      id: 'terminal',
      label: 'Terminal',
      render: ({ row, context }) => (
        <PodTerminal context={context} namespace={row.namespace} pod={row.name} containers={row.containers} />
      ),
    },
    {
      id: 'port-forward',
      label: 'Port-forward',
      render: ({ row, view, context }) => (
        <PortForwardTab
          context={context}
          namespace={row.namespace}
          kind="pods"
          name={row.name}
          ports={declaredTcpPorts((view?.containers ?? []).filter((c) => !c.init).flatMap((c) => c.ports))}
        />
      ),
    },
  ],
};
