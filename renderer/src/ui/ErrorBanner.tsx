import type { ContractError } from '../../../electron/contract/index.ts';

export function ErrorBanner({ error, context }: { error: ContractError | null; context?: string }) {
  if (!error) return null;
  return (
    <div className="error-banner" role="alert">
      <strong>{context ?? 'Error'}:</strong> {error.message}
      {error.kind === 'unreachable' && <EngineHelp />}
    </div>
  );
}

export function EngineHelp() {
  return (
    <p className="hint">
      The container engine is not reachable. Start it with <code>sudo npm start</code> (it runs berthd), or
      point Berth to another engine with <code>DOCKER_HOST</code>, e.g.{' '}
      <code>DOCKER_HOST=unix:///var/run/docker.sock</code>.
    </p>
  );
}
