// The dashboard's machine card: its state (and the reason when in error, with Restart), what it runs
// under, a VM's SSH link (and its reconnects), and while it starts, the boot's stage lines and notices as they come (a TCG fallback says
// the machine will be slow).
import { useShallow } from 'zustand/react/shallow';
import type { MachineEventView, MachineStatusView } from '../../../../electron/contract/index.ts';
import { bootLines, useStore } from '../../store/index.ts';
import './machine.css';

const stateText: Record<MachineStatusView['state'], string> = {
  stopped: 'Stopped',
  starting: 'Starting…',
  running: 'Running',
  stopping: 'Stopping…',
  error: 'Error',
};

function BootLine({ e }: { e: MachineEventView }) {
  if (e.type === 'progress')
    return (
      <li className={`boot-${e.kind}`}>
        <span className="mono boot-stage">{e.kind === 'ready' ? '✓' : e.kind === 'error' ? '✗' : '…'}</span>{' '}
        <strong>{e.stage}</strong> {e.text}
      </li>
    );
  if (e.type === 'notice')
    return (
      <li className={`boot-notice boot-${e.level}`} role={e.level === 'warning' ? 'alert' : undefined}>
        <span className="mono boot-stage">{e.level === 'warning' ? '!' : 'i'}</span> {e.message}
      </li>
    );
  if (e.type === 'state') return <li className="boot-error">{e.reason ?? 'the machine stopped'}</li>;
  return null;
}

const lineText = (e: MachineEventView) =>
  e.type === 'progress' ? `${e.stage} ${e.text}` : e.type === 'notice' ? e.message : '';

export function MachineCard() {
  const s = useStore(
    useShallow((st) => ({
      machine: st.machine,
      events: st.machineEvents,
      busy: st.machineBusy,
      action: st.machineAction,
    })),
  );
  const m = s.machine;
  if (!m?.inUse) return null;
  const boot = bootLines(s.events);
  const showBoot = m.state === 'starting' || (m.state === 'error' && boot.length > 0);
  const where = m.provider === 'native' ? 'berthd on this host (native)' : `${m.provider} VM`;
  return (
    <div className="card machine-card" data-testid="machine-card">
      <h2>Machine</h2>
      <p data-testid="machine-state">
        <span
          className={`dot ${m.state === 'running' ? 'ok' : m.state === 'error' ? 'bad' : 'idle'}`}
          aria-hidden="true"
        />{' '}
        <strong>{stateText[m.state]}</strong> — {where}
        {m.accel && m.accel !== m.provider ? ` under ${m.accel}` : ''}
      </p>
      {m.state === 'error' && m.reason && (
        <p className="inline-error wrap" role="alert" data-testid="machine-reason">
          {m.reason}
        </p>
      )}
      {m.docker && m.state === 'running' && (
        <p className="muted wrap">
          Docker: <code>{m.docker}</code>
          {m.kubernetes ? (
            <>
              {' '}
              · Kubernetes: <code>{m.kubernetes}</code>
            </>
          ) : null}
        </p>
      )}
      {m.state === 'running' && m.link && (
        // The SSH link carries the Docker socket, the Kubernetes API and the ports; it heals itself.
        <p
          className={`wrap ${m.link.state === 'connected' ? 'muted' : 'machine-link-down'}`}
          role={m.link.state === 'connected' ? undefined : 'status'}
          data-testid="machine-link"
        >
          SSH link: {m.link.text}
        </p>
      )}
      {m.restartNeeded && <p className="muted">New settings apply when the machine restarts.</p>}
      {showBoot && (
        <ol className="boot-lines" aria-label="Boot progress" data-testid="boot-progress">
          {boot.length ? (
            boot.map((e) => <BootLine key={`${e.at}-${e.type}-${lineText(e)}`} e={e} />)
          ) : (
            <li>…</li>
          )}
        </ol>
      )}
      <div className="row">
        {(m.state === 'stopped' || m.state === 'error') && (
          <button
            type="button"
            className="primary"
            disabled={s.busy !== null}
            onClick={() => void s.action(m.state === 'error' ? 'restart' : 'start')}
          >
            {m.state === 'error' ? 'Restart' : 'Start'}
          </button>
        )}
        {m.state === 'running' && (
          <>
            <button type="button" disabled={s.busy !== null} onClick={() => void s.action('restart')}>
              {s.busy === 'restart' ? 'Restarting…' : 'Restart'}
            </button>
            <button type="button" disabled={s.busy !== null} onClick={() => void s.action('stop')}>
              {s.busy === 'stop' ? 'Stopping…' : 'Stop'}
            </button>
          </>
        )}
        {m.state === 'starting' && (
          <button type="button" disabled={s.busy === 'stop'} onClick={() => void s.action('stop')}>
            Cancel
          </button>
        )}
      </div>
    </div>
  );
}
