// Troubleshoot: the engine's state and log, restarting it, and resetting Berth to factory defaults
// behind a dialog that names everything the reset deletes. Restart and the engine's part of the reset
// exist only for the berthd Berth started itself.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ContractError } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { CodeText } from '../../ui/CodeText.tsx';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { MachineTroubleshoot } from '../machine/MachineTroubleshoot.tsx';
import '../settings/settings.css';

export function TroubleshootScreen() {
  const s = useStore(
    useShallow((st) => ({
      info: st.troubleshoot,
      infoError: st.troubleshootError,
      log: st.engineLog,
      logError: st.engineLogError,
      engine: st.engine,
      engineError: st.engineError,
      load: st.loadTroubleshoot,
      restart: st.restartEngine,
      reset: st.resetToDefaults,
    })),
  );
  const [busy, setBusy] = useState<'restart' | 'reset' | null>(null);
  const [error, setError] = useState<{ context: string; error: ContractError } | null>(null);
  const [notice, setNotice] = useState('');
  const [confirming, setConfirming] = useState(false);
  const { load } = s;

  useEffect(() => {
    void load();
  }, [load]);

  const managed = s.info?.managed ?? null;

  const restart = async () => {
    setBusy('restart');
    setError(null);
    setNotice('');
    const err = await s.restart();
    setBusy(null);
    if (err) setError({ context: 'Cannot restart the engine', error: err });
    else setNotice('The engine restarted and answers again.');
  };

  const reset = async () => {
    setConfirming(false);
    setBusy('reset');
    setError(null);
    setNotice('');
    const r = await s.reset();
    setBusy(null);
    if ('kind' in r) return setError({ context: 'Cannot reset', error: r });
    setNotice(
      r.deleted.length
        ? `Reset done. Deleted: ${r.deleted.join(', ')}.`
        : 'Reset done: the settings were already the defaults.',
    );
  };

  return (
    <section aria-labelledby="troubleshoot-title" className="troubleshoot">
      <h1 id="troubleshoot-title">Troubleshoot</h1>
      <ErrorBanner error={s.infoError} context="Cannot load the engine's details" />
      <ErrorBanner error={error?.error ?? null} context={error?.context} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <div className="card settings-card">
        <h2>Engine</h2>
        <p>
          <code>{s.info?.endpoint ?? '…'}</code> —{' '}
          {s.engineError
            ? `not answering: ${s.engineError.message}`
            : s.engine
              ? `running, version ${s.engine.version}`
              : 'checking…'}
        </p>
        <p className="muted" data-testid="engine-owner">
          {managed
            ? `Started by Berth${managed.pid ? ` (pid ${managed.pid})` : ''}; its data is in ${managed.dataRoot}.`
            : 'Not started by Berth: restart it where it runs.'}
        </p>
        <div className="row">
          <button type="button" onClick={restart} disabled={!managed || busy !== null}>
            {busy === 'restart' ? 'Restarting…' : 'Restart engine'}
          </button>
        </div>
      </div>
      <div className="card settings-card">
        <h2>Engine logs</h2>
        {managed ? (
          <>
            <div className="row">
              <span className="muted">
                <code>{s.log?.file ?? managed.logFile}</code>
                {s.log?.truncated && ' (the last lines)'}
              </span>
              <button type="button" className="small" onClick={() => void load()}>
                Refresh
              </button>
            </div>
            <ErrorBanner error={s.logError} context="Cannot read the log" />
            <pre
              className="log-box engine-log mono"
              role="log"
              aria-label="Engine log"
              data-testid="engine-log"
            >
              {s.log?.lines.length ? s.log.lines.join('\n') : 'The log is empty.'}
            </pre>
          </>
        ) : (
          <p data-testid="logs-hint">{s.info ? <CodeText text={s.info.logsHint} /> : '…'}</p>
        )}
      </div>
      <MachineTroubleshoot />
      <div className="card settings-card">
        <h2>Reset to factory defaults</h2>
        <p className="muted">
          Forgets Berth's settings{managed ? ' and wipes the engine Berth started' : ''}. The dialog lists
          exactly what goes.
        </p>
        <div className="row">
          <button
            type="button"
            className="danger"
            disabled={!s.info || busy !== null}
            onClick={() => setConfirming(true)}
          >
            {busy === 'reset' ? 'Resetting…' : 'Reset to factory defaults…'}
          </button>
        </div>
      </div>
      <ConfirmDialog
        open={confirming}
        title="Reset Berth to factory defaults?"
        confirmLabel="Reset"
        onConfirm={reset}
        onCancel={() => setConfirming(false)}
      >
        <p>This deletes:</p>
        <ul className="reset-list" data-testid="reset-deletes">
          <li>
            Berth's settings (engine endpoint, theme, start at login): <code>{s.info?.settingsFile}</code>
          </li>
          {managed && (
            <li>
              The data of the engine Berth started: <code>{managed.dataRoot}</code> — every container, image,
              volume and network in it. The engine is stopped first and started again after.
            </li>
          )}
        </ul>
        {!managed && (
          <p className="muted">
            The engine at <code>{s.info?.endpoint}</code> was not started by Berth: its containers, images and
            volumes stay.
          </p>
        )}
      </ConfirmDialog>
    </section>
  );
}
