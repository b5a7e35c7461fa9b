// Cells several kinds share: a status badge in its tone, an owner that links to its object, labels,
// an age.
import type { KubeKind, KubeOwnerRef } from '../../../../../electron/contract/index.ts';
import { useStore } from '../../../store/index.ts';
import { formatTime } from '../../../ui/format.ts';
import { kubeAge, type Tone } from '../model.ts';

export function ToneBadge({ tone, text }: { tone: Tone; text: string }) {
  return <span className={`badge tone-${tone}`}>{text}</span>;
}

const ownerKinds: Record<string, KubeKind> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
};

/** `ReplicaSet/web-5d8f`, as a link when the app lists the owner's kind. */
export function OwnerLink({ owner, namespace }: { owner: KubeOwnerRef | undefined; namespace: string }) {
  const navigate = useStore((s) => s.navigate);
  if (!owner) return <span className="muted">—</span>;
  const kind = ownerKinds[owner.kind];
  const text = `${owner.kind}/${owner.name}`;
  if (!kind)
    return (
      <span className="cell-text" title={text}>
        {text}
      </span>
    );
  return (
    <button
      type="button"
      className="link plain cell-text"
      title={text}
      onClick={() => navigate({ screen: 'kubeObject', kind, namespace, name: owner.name })}
    >
      {text}
    </button>
  );
}

export function Labels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <span className="kube-labels">
      {entries.map(([k, v]) => (
        <span key={k} className="badge mono">
          {k}={v}
        </span>
      ))}
    </span>
  );
}

/**
 * An age (`5m`), its date and time shown on hover: formatted when pointed at, not for every row of a
 * list each time it draws (the first date format of a session loads the locale's data).
 */
export function AgeCell({ iso, now }: { iso: string | undefined; now: number }) {
  return (
    <span
      className="kube-age"
      onPointerEnter={(e) => {
        e.currentTarget.title = formatTime(iso);
      }}
    >
      {kubeAge(iso, now)}
    </span>
  );
}
