// The parts of every object's detail: its conditions, its containers, its events (a watch of the
// events whose involvedObject is this object's uid) and its YAML as the server has it (read-only here).
import { useState } from 'react';
import type {
  KubeCondition,
  KubeContainerView,
  KubeObjectView,
} from '../../../../../electron/contract/index.ts';
import { useStore } from '../../../store/index.ts';
import { copyText } from '../../../ui/copy-text.ts';
import { formatTime } from '../../../ui/format.ts';
import { EditYaml } from '../apply/EditYaml.tsx';
import { eventColumns } from '../events/events.tsx';
import { kubeAge, sortRows } from '../model.ts';
import { ListStatus } from './KubeStatus.tsx';
import { useKubeList, useNow } from './use-kube.ts';

/** An object's own events: the object column would name it on every line; messages wrap. */
const objectEventColumns = eventColumns.filter((c) => c.id !== 'object');

export function Conditions({ conditions }: { conditions: KubeCondition[] }) {
  const now = useNow();
  if (conditions.length === 0) return null;
  return (
    <table className="list kube-sub" aria-label="Conditions">
      <thead>
        <tr>
          <th style={{ width: '22%' }}>Condition</th>
          <th style={{ width: '80px' }}>Status</th>
          <th style={{ width: '18%' }}>Reason</th>
          <th>Message</th>
          <th style={{ width: '80px' }}>Since</th>
        </tr>
      </thead>
      <tbody>
        {conditions.map((c) => (
          <tr key={c.type} data-testid="condition" data-type={c.type} data-status={c.status}>
            <td>{c.type}</td>
            <td>
              <span
                className={`badge tone-${c.status === 'True' ? 'ok' : c.status === 'False' ? 'warn' : 'muted'}`}
              >
                {c.status}
              </span>
            </td>
            <td>{c.reason ?? ''}</td>
            <td className="small-text">{c.message ?? ''}</td>
            <td title={formatTime(c.lastTransitionTime)}>{kubeAge(c.lastTransitionTime, now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Containers({ containers }: { containers: KubeContainerView[] }) {
  if (containers.length === 0) return null;
  return (
    <table className="list kube-sub" aria-label="Containers">
      <thead>
        <tr>
          <th style={{ width: '18%' }}>Container</th>
          <th>Image</th>
          <th style={{ width: '16%' }}>State</th>
          <th style={{ width: '64px' }}>Ready</th>
          <th style={{ width: '76px' }}>Restarts</th>
          <th style={{ width: '16%' }}>Ports</th>
        </tr>
      </thead>
      <tbody>
        {containers.map((c) => (
          <tr key={`${c.init}-${c.name}`} data-testid="container" data-name={c.name}>
            <td>
              {c.name}
              {c.init && <span className="muted small-text"> (init)</span>}
            </td>
            <td className="mono cell-text" title={c.image}>
              {c.image}
            </td>
            <td>{c.state}</td>
            <td>{c.ready ? 'yes' : 'no'}</td>
            <td className="num">{c.restarts}</td>
            <td className="mono small-text">{c.ports.join(', ') || '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** This object's events, live, newest first. */
export function ObjectEvents({
  uid,
  namespace,
  context,
}: {
  uid: string;
  namespace: string;
  context: string;
}) {
  const { list } = useKubeList('events', { namespace, fieldSelector: `involvedObject.uid=${uid}` });
  const now = useNow();
  const rows = list
    ? sortRows([...list.rows.values()], (e) => (e.kind === 'events' ? Date.parse(e.lastSeen) : 0), true)
    : [];
  return (
    <div>
      <ListStatus list={list} context={context} what="events" />
      {list?.loaded && rows.length === 0 && <p className="empty">No events for this object.</p>}
      {rows.length > 0 && (
        <table className="list kube-sub kube-object-events" aria-label="Events">
          <thead>
            <tr>
              {objectEventColumns.map((c) => (
                <th key={c.id} style={c.width ? { width: c.width } : undefined}>
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(
              (e) =>
                e.kind === 'events' && (
                  <tr key={e.uid} data-testid="object-event" data-reason={e.reason}>
                    {objectEventColumns.map((c) => (
                      <td key={c.id}>{c.cell(e, now)}</td>
                    ))}
                  </tr>
                ),
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}

/**
 * The object's YAML (a secret's arrives without its values, which are shown one by one, when asked),
 * and its edit: the editor in its place until applied or closed. A secret is not edited here: its YAML
 * holds no values to write back.
 */
export function ObjectYaml({
  view,
  error,
  context,
  secret,
}: {
  view: KubeObjectView | null;
  error: string | null;
  context: string;
  secret: boolean;
}) {
  const report = useStore((s) => s.report);
  const [editing, setEditing] = useState(false);
  if (error)
    return (
      <div className="error-banner" role="alert">
        <strong>Cannot read the object:</strong> {error}
      </div>
    );
  if (!view) return <p className="empty">Loading…</p>;
  if (editing) return <EditYaml context={context} yaml={view.yaml} onClose={() => setEditing(false)} />;
  const yaml = view.yaml;
  return (
    <div className="kube-yaml">
      <div className="toolbar">
        <span className="muted">
          As the server has it (managedFields{secret ? ' and the values' : ''} left out)
          {secret ? '; read-only.' : '.'}
        </span>
        <span className="spacer" />
        {!secret && (
          <button type="button" className="small" onClick={() => setEditing(true)}>
            Edit YAML
          </button>
        )}
        <button
          type="button"
          className="small"
          onClick={() =>
            void copyText(yaml).then((why) =>
              report(
                'Copied the YAML.',
                why ? { kind: 'internal', code: 'clipboard', message: why } : null,
                'Cannot copy',
              ),
            )
          }
        >
          Copy YAML
        </button>
      </div>
      <pre className="kube-value" data-testid="object-yaml">
        {yaml}
      </pre>
    </div>
  );
}
