import type { ContractError } from '../../../electron/contract/index.ts';
import { engineDown, useStore } from '../store/index.ts';

/**
 * An error of the screen it is on. While the engine does not answer, an `unreachable` error says nothing
 * the app-wide EngineBanner does not say better, so it is left to that one banner.
 */
export function ErrorBanner({ error, context }: { error: ContractError | null; context?: string }) {
  const down = useStore(engineDown);
  if (!error || (down && error.kind === 'unreachable')) return null;
  return (
    <div className="error-banner" role="alert">
      <strong>{context ?? 'Error'}:</strong> {error.message}
    </div>
  );
}

/** For an engine the app did not start: the app cannot start it, so it says who can, and what else to do. */
export function EngineHelp({ endpoint, onSettings }: { endpoint: string; onSettings?: () => void }) {
  return (
    <p className="hint">
      Berth did not start the engine at <code>{endpoint}</code>, so it does not restart it: start it where it
      runs (Docker Engine: <code>sudo systemctl start docker</code>), or{' '}
      {onSettings ? (
        <button type="button" className="link" onClick={onSettings}>
          pick another endpoint in Settings
        </button>
      ) : (
        'pick another endpoint in Settings'
      )}
      .
    </p>
  );
}
