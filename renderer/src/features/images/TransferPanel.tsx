import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { formatBytes } from '../../ui/format.ts';
import './images.css';
import { RegistryLogin, registryOf } from './RegistryLogin.tsx';
import { overallFraction, type TransferKind } from './transfer-state.ts';

function Bar({ label, fraction }: { label: string; fraction: number }) {
  const pct = Math.round(fraction * 100);
  return (
    <div
      className="bar"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
    >
      <div className="bar-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}

const verbs = { pull: ['Pulling', 'Pulled', 'Pull'], push: ['Pushing', 'Pushed', 'Push'] } as const;

/**
 * The pull or push in progress (or just ended) of the given kind: overall state and one bar per layer.
 * `forRun`: the run form's own pull (shown in the form, not elsewhere). A transfer the registry refused
 * for want of a login offers one; `onRetry` (default: the same transfer again) runs after it.
 */
export function TransferPanel({
  kind,
  forRun = false,
  onRetry,
}: {
  kind: TransferKind;
  forRun?: boolean;
  onRetry?: () => void;
}) {
  const { transfer, clearTransfer, startTransfer } = useStore(
    useShallow((s) => ({
      transfer: s.transfer,
      clearTransfer: s.clearTransfer,
      startTransfer: s.startTransfer,
    })),
  );
  if (!transfer || transfer.kind !== kind || (transfer.forRun ?? false) !== forRun) return null;
  const [running, done, noun] = verbs[kind];
  const title =
    transfer.phase === 'running'
      ? `${running} ${transfer.ref}`
      : transfer.phase === 'done'
        ? `${done} ${transfer.ref}`
        : `${noun} of ${transfer.ref} failed`;
  const wantsLogin = transfer.phase === 'failed' && transfer.error?.kind === 'forbidden';
  const retry = onRetry ?? (() => void startTransfer(kind, transfer.ref));
  return (
    <section
      className="card transfer"
      aria-label={`${noun} progress`}
      data-testid="transfer"
      data-phase={transfer.phase}
    >
      <div className="transfer-head">
        <h2 className="mono">{title}</h2>
        <button type="button" className="small" onClick={clearTransfer}>
          {transfer.phase === 'running' ? 'Stop following' : 'Dismiss'}
        </button>
      </div>
      <Bar label="Overall progress" fraction={overallFraction(transfer)} />
      <ErrorBanner error={transfer.error} context={`Cannot ${kind} ${transfer.ref}`} />
      {wantsLogin && (
        <RegistryLogin key={transfer.ref} server={registryOf(transfer.ref)} onLoggedIn={retry} />
      )}
      {transfer.layers.length > 0 && (
        <ul className="layers" aria-label="Layers">
          {transfer.layers.map((l) => (
            <li
              key={l.id}
              data-testid="layer-progress"
              data-layer={l.id}
              data-status={l.status}
              className={l.failed ? 'layer-failed' : undefined}
            >
              <span className="mono">{l.id}</span>
              <Bar label={`Layer ${l.id}`} fraction={l.fraction} />
              <span className="layer-status">
                {l.status}
                {l.total && l.current !== undefined && !l.done && !l.failed
                  ? ` ${formatBytes(l.current)} / ${formatBytes(l.total)}`
                  : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
      {transfer.lines.length > 0 && (
        <ul className="transfer-lines mono muted" aria-label="Messages">
          {transfer.lines.map((line, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: messages are append-only
            <li key={i}>{line}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
