// Berth's cluster on the dashboard and in Settings: on or off, its state (and why, in error), its
// version, Reset (its state wiped, images kept), and the merge of the `berth` context into the user's
// kubeconfig (current-context left as it is).
import type { KubeClusterView } from '../../../../../electron/contract/index.ts';
import { useStore } from '../../../store/index.ts';
import { ErrorBanner } from '../../../ui/ErrorBanner.tsx';
import { useCluster } from './use-cluster.ts';
import './cluster.css';

const stateText: Record<KubeClusterView['state'], string> = {
  off: 'Off',
  starting: 'Starting…',
  running: 'Running',
  error: 'Error',
};

export function ClusterCard({ settings = false }: { settings?: boolean }) {
  const c = useCluster();
  const confirm = useStore((s) => s.confirm);
  const notify = useStore((s) => s.notify);
  // Only the machine's settings turn Berth's cluster on or off; without a machine it is on when reachable.
  const machineInUse = useStore((s) => s.machine?.inUse ?? false);
  const v = c.view;
  // The dashboard speaks of a cluster there is, or of one the machine can turn on.
  if (!settings && !(v?.enabled || machineInUse)) return null;

  const reset = async () => {
    const ok = await confirm({
      title: "Reset Berth's cluster?",
      body: 'Every Kubernetes object and pod goes; the engine restarts. Images stay, and so do the certificates (your kubeconfig keeps working).',
      confirmLabel: 'Reset cluster',
    });
    if (!ok) return;
    const r = await c.reset();
    if (r.ok) notify({ kind: 'success', message: "Berth's cluster was reset" });
  };
  const merge = async () => {
    const r = await c.merge();
    if (r.ok)
      notify({
        kind: 'success',
        message: r.value.changed
          ? `Added the context "${r.value.context}" to ${r.value.file}`
          : `The context "${r.value.context}" is already in ${r.value.file}: nothing to change`,
        detail:
          'Your current context is unchanged: kubectl --context berth, or kubectl config use-context berth.',
      });
  };

  return (
    <section
      className={settings ? 'card settings-card cluster-settings' : 'card cluster-card'}
      aria-label="Kubernetes cluster"
    >
      <h2>Kubernetes</h2>
      <ErrorBanner error={c.error} context="Kubernetes" />
      {v && (
        <>
          <p className="cluster-state">
            <span
              className={`dot ${v.state === 'running' ? 'ok' : v.state === 'error' ? 'bad' : ''}`}
              aria-hidden="true"
            />{' '}
            <span data-testid="cluster-state">{stateText[v.state]}</span>
            {v.version && <span className="muted mono"> · {v.version}</span>}
          </p>
          {v.reason && (
            <p className="cluster-reason" role={v.state === 'error' ? 'alert' : undefined}>
              {v.reason}
            </p>
          )}
          <div className="toolbar cluster-actions">
            <label className="inline">
              <input
                type="checkbox"
                checked={v.enabled}
                disabled={c.busy !== null || !machineInUse}
                onChange={(e) => void c.setEnabled(e.target.checked)}
              />{' '}
              Enable Kubernetes
            </label>
            {v.enabled && (
              <button type="button" disabled={c.busy !== null} onClick={() => void merge()}>
                {v.merged ? 'Merge kubeconfig again' : 'Add to kubeconfig'}
              </button>
            )}
            {settings && v.enabled && (
              <button
                type="button"
                className="danger"
                disabled={c.busy !== null}
                onClick={() => void reset()}
              >
                {c.busy === 'reset' ? 'Resetting…' : 'Reset cluster'}
              </button>
            )}
          </div>
          {!machineInUse && (
            <p className="hint">
              Berth's cluster is turned on in the machine's settings; this app uses another engine, so it
              shows the cluster of the <code>berth</code> context when there is one.
            </p>
          )}
          {v.enabled && (
            <p className="hint">
              {v.merged
                ? 'The context "berth" is in your kubeconfig.'
                : 'The context "berth" is not in your kubeconfig yet: add it to use kubectl with this cluster.'}
            </p>
          )}
        </>
      )}
    </section>
  );
}
