import { useStore } from '../../store/index.ts';
import { EngineHelp } from '../../ui/ErrorBanner.tsx';

export function Dashboard() {
  const engine = useStore((s) => s.engine);
  const engineError = useStore((s) => s.engineError);
  const loaded = useStore((s) => s.engineLoaded);
  const containers = useStore((s) => s.containers);
  const images = useStore((s) => s.images);
  const navigate = useStore((s) => s.navigate);
  const running = containers.filter((c) => c.state === 'running').length;

  return (
    <section aria-labelledby="dash-title">
      <h1 id="dash-title">Dashboard</h1>
      {!loaded && <p>Connecting to the engine…</p>}
      {engineError?.code === 'engine.starting' && (
        <div className="card" role="status" data-testid="engine-starting">
          <h2>Starting the engine…</h2>
          <p>{engineError.message}</p>
          <progress aria-label="Starting the engine" />
        </div>
      )}
      {engineError && engineError.code !== 'engine.starting' && (
        <div className="card error-card" role="alert" data-testid="engine-unreachable">
          <h2>Engine unreachable</h2>
          <p>{engineError.message}</p>
          <EngineHelp />
        </div>
      )}
      {engine && !engineError && (
        <div className="cards">
          <div className="card" data-testid="engine-card">
            <h2>Engine</h2>
            <p>
              <span className="dot ok" aria-hidden="true" /> Running — version{' '}
              <strong>{engine.version}</strong> (API {engine.apiVersion})
            </p>
            <p className="muted">
              {engine.os}/{engine.arch} · kernel {engine.kernelVersion} · <code>{engine.endpoint}</code>
            </p>
          </div>
          <button type="button" className="card link-card" onClick={() => navigate({ screen: 'containers' })}>
            <h2>Containers</h2>
            <p className="big" data-testid="containers-count">
              {running} running / {containers.length} total
            </p>
          </button>
          <button type="button" className="card link-card" onClick={() => navigate({ screen: 'images' })}>
            <h2>Images</h2>
            <p className="big" data-testid="images-count">
              {images.length}
            </p>
          </button>
        </div>
      )}
    </section>
  );
}
