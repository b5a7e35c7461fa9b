// Troubleshoot's machine part: the boot log (the console's lines and what the agent and the provider
// said), and the factory reset behind a dialog that names what goes and what stays.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { consoleLines, useStore } from '../../store/index.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import './machine.css';

export function MachineTroubleshoot() {
  const s = useStore(
    useShallow((st) => ({
      machine: st.machine,
      events: st.machineEvents,
      busy: st.machineBusy,
      action: st.machineAction,
    })),
  );
  const [confirming, setConfirming] = useState(false);
  const m = s.machine;
  // A machine the app's engine is not (DOCKER_HOST, the app's own berthd) shows only while it runs.
  if (!m || !(m.inUse || m.agent)) return null;
  const lines = consoleLines(s.events);
  return (
    <>
      <div className="card settings-card">
        <h2>Machine boot log</h2>
        <p className="muted">
          The machine is {m.state}
          {m.reason ? ` (${m.reason})` : ''}. The agent's own log: <code>{m.agentLog}</code> (
          <code>berth logs</code> shows both).
        </p>
        <pre
          className="log-box machine-log mono"
          role="log"
          aria-label="Machine boot log"
          data-testid="machine-log"
        >
          {lines.length ? lines.join('\n') : 'Nothing yet: the lines of the next boot show here.'}
        </pre>
      </div>
      <div className="card settings-card">
        <h2>Reset the machine</h2>
        <p className="muted">
          Stops the machine and deletes it: the next start makes a new one. The dialog lists what goes and
          what stays.
        </p>
        <div className="row">
          <button
            type="button"
            className="danger"
            disabled={s.busy !== null}
            onClick={() => setConfirming(true)}
          >
            {s.busy === 'reset' ? 'Resetting…' : 'Reset the machine…'}
          </button>
        </div>
      </div>
      <ConfirmDialog
        open={confirming}
        title="Reset the machine?"
        confirmLabel="Reset the machine"
        onConfirm={() => {
          setConfirming(false);
          void s.action('reset');
        }}
        onCancel={() => setConfirming(false)}
      >
        <p>
          {m.state === 'running' || m.state === 'starting' ? 'The machine is stopped, then this' : 'This'}{' '}
          deletes:
        </p>
        <ul className="reset-list" data-testid="machine-reset-deletes">
          {m.reset.deletes.map((d) => (
            <li key={d}>{d}</li>
          ))}
        </ul>
        <p className="reset-keeps">These stay:</p>
        <ul className="reset-list" data-testid="machine-reset-keeps">
          {m.reset.keeps.map((k) => (
            <li key={k}>{k}</li>
          ))}
        </ul>
      </ConfirmDialog>
    </>
  );
}
