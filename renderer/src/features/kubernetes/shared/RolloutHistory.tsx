// A workload's revisions (`kubectl rollout history`: a deployment's ReplicaSets, a statefulset's or
// daemonset's ControllerRevisions), fetched again as the workload changes, with Undo (to the previous
// revision) and a rollback to any other.
import { useEffect, useState } from 'react';
import type {
  ContractError,
  RolloutKind,
  RolloutRevision,
  WorkloadRow,
} from '../../../../../electron/contract/index.ts';
import { useStore } from '../../../store/index.ts';
import { formatTime } from '../../../ui/format.ts';
import { kubeAge } from '../model.ts';
import { useNow } from './use-kube.ts';

export function RolloutHistory({
  row,
  context,
  kind,
}: {
  row: WorkloadRow;
  context: string;
  kind: RolloutKind;
}) {
  const kubeCall = useStore((s) => s.kubeCall);
  const confirm = useStore((s) => s.confirm);
  const report = useStore((s) => s.report);
  const now = useNow();
  const [revisions, setRevisions] = useState<RolloutRevision[] | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const { namespace, name, resourceVersion } = row;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new resourceVersion is a new rollout to show
  useEffect(() => {
    let live = true;
    void kubeCall('kube.rolloutHistory', { context, namespace, name, kind }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setRevisions([...r.value].sort((a, b) => b.revision - a.revision));
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [context, namespace, name, kind, resourceVersion, kubeCall]);

  const rollback = async (revision?: number) => {
    const ok = await confirm({
      title: revision ? `Roll ${name} back to revision ${revision}?` : `Undo the last rollout of ${name}?`,
      body: <p>Its pod template becomes that revision's, as `kubectl rollout undo` does.</p>,
      confirmLabel: revision ? 'Roll back' : 'Undo',
    });
    if (!ok) return;
    const r = await kubeCall('kube.rollback', {
      context,
      namespace,
      name,
      kind,
      ...(revision ? { revision } : {}),
    });
    report(
      r.ok ? `Rolled ${name} back to revision ${r.value.revision}.` : '',
      r.ok ? null : r.error,
      `Cannot roll ${name} back`,
    );
  };

  if (error)
    return (
      <div className="error-banner" role="alert">
        <strong>Cannot read the rollout history:</strong> {error.message}
      </div>
    );
  if (!revisions) return <p className="empty">Loading the history…</p>;
  return (
    <div className="kube-history">
      <div className="toolbar">
        <span className="muted">{revisions.length} revision(s)</span>
        <span className="spacer" />
        <button type="button" disabled={revisions.length < 2} onClick={() => void rollback()}>
          Undo last rollout
        </button>
      </div>
      <table className="list" aria-label="Rollout history">
        <thead>
          <tr>
            <th style={{ width: '80px' }}>Revision</th>
            <th>Change cause</th>
            <th>Images</th>
            <th style={{ width: '80px' }}>Age</th>
            <th style={{ width: '120px' }} />
          </tr>
        </thead>
        <tbody>
          {revisions.map((r) => (
            <tr key={r.revision} data-testid="revision" data-revision={r.revision}>
              <td>
                {r.revision} {r.current && <span className="badge tone-ok">current</span>}
              </td>
              <td>{r.changeCause ?? <span className="muted">—</span>}</td>
              <td className="mono">{r.images.join(', ')}</td>
              <td title={formatTime(r.createdAt)}>{kubeAge(r.createdAt, now)}</td>
              <td>
                {!r.current && (
                  <button type="button" className="small" onClick={() => void rollback(r.revision)}>
                    Roll back to {r.revision}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
