// The one app-wide word on an engine that does not answer, above every screen: for the berthd the app
// started, when it restarts by itself and a Restart button; for any other engine, who can start it and
// where to pick another; while the app starts its engine, that it is starting.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/index.ts';
import { EngineHelp } from './ErrorBanner.tsx';
import './engine-banner.css';

/** The current time, every second while `on`. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [on]);
  return now;
}

export function EngineBanner() {
  const s = useStore(
    useShallow((st) => ({
      error: st.engineError,
      loaded: st.engineLoaded,
      status: st.engineStatus,
      statusAt: st.engineStatusAt,
      restarting: st.engineRestarting,
      endpoint: st.engineStatus?.endpoint ?? st.engine?.endpoint ?? st.settings?.endpoint,
      restart: st.restartManagedEngine,
      machineAction: st.machineAction,
      machineBusy: st.machineBusy,
      navigate: st.navigate,
    })),
  );
  const auto = s.error ? s.status?.managed?.autoRestart : null;
  const now = useNow(Boolean(auto));
  if (!s.loaded || !s.error) return null;

  if (s.error.code === 'ui.disconnected') {
    return (
      <div className="engine-banner" role="alert" data-testid="engine-down">
        <strong>Lost the connection to Berth.</strong> {s.error.message}: the server that{' '}
        <code>npm start</code> runs has stopped or restarted.{' '}
        <button type="button" className="small" onClick={() => location.reload()}>
          Reload
        </button>
      </div>
    );
  }
  if (s.error.code === 'engine.starting') {
    return (
      <div className="engine-banner starting" role="status" data-testid="engine-starting">
        <strong>Starting the engine…</strong> {s.error.message}
        <progress aria-label="Starting the engine" />
      </div>
    );
  }
  if (s.error.code === 'machine.not_running') {
    return (
      <div className="engine-banner" role="alert" data-testid="engine-down">
        <div>
          <strong>The machine is not running.</strong> {s.error.message}
        </div>
        <div className="row">
          <button
            type="button"
            className="primary"
            disabled={s.machineBusy !== null}
            onClick={() => void s.machineAction('start')}
          >
            Start the machine
          </button>
          <button type="button" onClick={() => s.navigate({ screen: 'dashboard' })}>
            Dashboard
          </button>
        </div>
      </div>
    );
  }
  const managed = s.status?.managed;
  if (managed) {
    const left = auto ? Math.max(0, Math.ceil((auto.inMs - (now - s.statusAt)) / 1000)) : null;
    const when = s.restarting
      ? 'Restarting…'
      : left === null
        ? ''
        : left === 0
          ? 'Restarting automatically…'
          : `Restarting automatically in ${left} s.`;
    return (
      <div className="engine-banner" role="alert" data-testid="engine-down">
        <div>
          <strong>The engine stopped.</strong>{' '}
          {auto?.lastExit ? `berthd, which Berth started, ${auto.lastExit}.` : s.error.message}{' '}
          <span data-testid="engine-restart-countdown">{when}</span>
        </div>
        <div className="row">
          <button type="button" className="primary" onClick={() => void s.restart()} disabled={s.restarting}>
            Restart now
          </button>
          <button type="button" onClick={() => s.navigate({ screen: 'troubleshoot' })}>
            Engine log
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="engine-banner" role="alert" data-testid="engine-down">
      <strong>Engine unreachable.</strong> {s.error.message}
      {s.endpoint && (
        <EngineHelp endpoint={s.endpoint} onSettings={() => s.navigate({ screen: 'settings' })} />
      )}
    </div>
  );
}
