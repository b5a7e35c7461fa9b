// The port-forwards main keeps (live from `kube.portForwardList`): each with its URL as a link, its
// target, and Stop; one whose pod went away says why until it is removed, and one whose latest
// connection failed (nothing listening in the pod yet) says so while it goes on listening.
import { useEffect, useState } from 'react';
import type { ContractError, PortForwardView } from '../../../../../electron/contract/index.ts';
import { api } from '../../../api/client.ts';
import { useStore } from '../../../store/index.ts';
import { ErrorBanner } from '../../../ui/ErrorBanner.tsx';
import './portforward.css';

/** Follows the port-forward list while a view shows it. */
export function usePortForwards(): { forwards: PortForwardView[]; error: ContractError | null } {
  const [forwards, setForwards] = useState<PortForwardView[]>([]);
  const [error, setError] = useState<ContractError | null>(null);
  useEffect(
    () =>
      api().subscribe('kube.portForwardList', undefined, (m) => {
        if (m.type === 'event') {
          setForwards(m.event);
          setError(null);
        } else if (m.error) setError(m.error);
      }),
    [],
  );
  return { forwards, error };
}

/** The forwards of one context, or of one pod or service there (`target`: `pod/web-1`), or all. */
export function PortForwards({
  context,
  namespace,
  target,
}: {
  context?: string;
  namespace?: string;
  target?: string;
}) {
  const { forwards, error } = usePortForwards();
  const report = useStore((s) => s.report);
  const shown = forwards.filter(
    (f) =>
      (!context || f.context === context) &&
      (namespace === undefined || f.namespace === namespace) &&
      (!target || f.target === target),
  );
  const stop = async (f: PortForwardView) => {
    const r = await api().invoke('kube.stopPortForward', { id: f.id });
    report(
      f.error ? `Removed the forward to ${f.target}` : `Stopped forwarding ${f.url}`,
      r.ok ? null : r.error,
      'Cannot stop the port-forward',
    );
  };
  return (
    <section className="port-forwards" aria-label="Port-forwards">
      <ErrorBanner error={error} context="Port-forwards" />
      {shown.length === 0 ? (
        <p className="muted">No port-forwards.</p>
      ) : (
        <table className="port-forward-table">
          <thead>
            <tr>
              <th>Local</th>
              <th>Target</th>
              <th>Namespace</th>
              <th>Context</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((f) => (
              <tr key={f.id} data-forward={f.id} data-target={f.target}>
                <td>
                  {f.error ? (
                    <span className="mono">127.0.0.1:{f.localPort}</span>
                  ) : (
                    <a href={f.url} target="_blank" rel="noreferrer" className="mono">
                      {f.url}
                    </a>
                  )}
                  {f.error && (
                    <div className="port-forward-error" role="alert">
                      {f.error}
                    </div>
                  )}
                  {!f.error && f.lastError && (
                    <div className="port-forward-warning" role="status" title={f.lastError}>
                      Last connection failed: {f.lastError}
                    </div>
                  )}
                </td>
                <td className="mono">
                  {f.target}:{f.remotePort}
                </td>
                <td>{f.namespace}</td>
                <td>{f.context}</td>
                <td>
                  <button type="button" onClick={() => void stop(f)}>
                    {f.error ? 'Remove' : 'Stop'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A pod or a service to forward from, in its context, with the TCP ports it declares. */
interface ForwardTarget {
  context: string;
  namespace: string;
  kind: 'pods' | 'services';
  name: string;
  ports: number[];
}

/**
 * Starts a forward from a pod's or a service's port (its detail view mounts it with the ports it
 * has): the local port is any free one unless one is typed.
 */
export function StartPortForward({ context, namespace, kind, name, ports }: ForwardTarget) {
  const [remote, setRemote] = useState(String(ports[0] ?? ''));
  const [local, setLocal] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ContractError | null>(null);
  const notify = useStore((s) => s.notify);
  const start = async () => {
    setBusy(true);
    setError(null);
    const r = await api().invoke('kube.portForward', {
      context,
      namespace,
      kind,
      name,
      remotePort: Number(remote),
      ...(local ? { localPort: Number(local) } : {}),
    });
    setBusy(false);
    if (!r.ok) setError(r.error);
    else notify({ kind: 'success', message: `Forwarding ${r.value.url} to ${r.value.target}:${remote}` });
  };
  return (
    <form
      className="toolbar port-forward-form"
      onSubmit={(e) => {
        e.preventDefault();
        void start();
      }}
    >
      <label className="inline">
        Port{' '}
        <input
          aria-label="Remote port"
          list={`ports-${name}`}
          inputMode="numeric"
          size={6}
          value={remote}
          onChange={(e) => setRemote(e.target.value)}
        />
      </label>
      <datalist id={`ports-${name}`}>
        {ports.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      <label className="inline">
        Local port{' '}
        <input
          aria-label="Local port"
          inputMode="numeric"
          size={6}
          placeholder="any"
          value={local}
          onChange={(e) => setLocal(e.target.value)}
        />
      </label>
      <button
        type="submit"
        disabled={busy || !/^\d+$/.test(remote) || (local !== '' && !/^\d+$/.test(local))}
      >
        Forward
      </button>
      <ErrorBanner error={error} context="Cannot forward" />
    </form>
  );
}

/** A pod's or a service's Port-forward tab: start one from its ports, and its forwards, stoppable. */
export function PortForwardTab(target: ForwardTarget) {
  return (
    <div className="port-forward-tab">
      {/* Keyed by the ports: a pod's come with its detail, a moment after the tab first shows. */}
      <StartPortForward key={target.ports.join()} {...target} />
      <PortForwards
        context={target.context}
        namespace={target.namespace}
        target={`${target.kind === 'pods' ? 'pod' : 'service'}/${target.name}`}
      />
    </div>
  );
}
