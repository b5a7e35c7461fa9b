import { useCallback, useEffect, useRef, useState } from 'react';
import type { ContractError } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { TerminalSessionList } from '../../ui/TerminalSessionList.tsx';
import { type TerminalSize, XtermSession } from '../../ui/XtermSession.tsx';
import { useTerminalSessions } from './use-terminal-sessions.ts';

/**
 * The Terminal screen: every open session (host shells and container execs), and the one shown here.
 * Coming back shows the session shown before; the first visit opens a shell on this machine, whose
 * docker clients talk to the engine the app uses.
 */
export function HostTerminal() {
  const endpoint = useStore((s) => s.engine?.endpoint);
  const {
    all: sessions,
    loaded,
    listError,
    focus,
    openTerminal,
    focusTerminal,
    closeTerminal,
  } = useTerminalSessions('screen');
  const size = useRef<TerminalSize>({ cols: 80, rows: 24 });
  const [openError, setOpenError] = useState<ContractError | null>(null);
  const [arrived, setArrived] = useState(false);

  const openHost = useCallback(async () => {
    setOpenError(null);
    setOpenError(await openTerminal('screen', { kind: 'host' }, size.current));
  }, [openTerminal]);

  useEffect(() => {
    if (!loaded || arrived) return;
    setArrived(true);
    if (focus && sessions.some((s) => s.id === focus)) return;
    const host = sessions.filter((s) => s.kind === 'host').at(-1);
    focusTerminal('screen', host?.id ?? null);
    if (!host) void openHost();
  }, [loaded, arrived, focus, sessions, focusTerminal, openHost]);

  const shown = arrived ? (focus ?? null) : null;
  const title = sessions.find((s) => s.id === shown)?.title;
  return (
    <section aria-labelledby="terminal-title" className="terminal-pane terminal-screen">
      <div className="toolbar">
        <h1 id="terminal-title">Terminal</h1>
        <span className="muted">
          A shell on this machine with <code>DOCKER_HOST={endpoint ?? '…'}</code>
        </span>
        <button type="button" onClick={() => void openHost()}>
          New session
        </button>
      </div>
      <ErrorBanner error={listError} context="Cannot list terminal sessions" />
      <ErrorBanner error={openError} context="Cannot open a terminal" />
      {sessions.length > 0 ? (
        <TerminalSessionList
          label="Terminal sessions"
          sessions={sessions}
          current={shown ?? undefined}
          showContainer
          onOpen={(s) => focusTerminal('screen', s.id)}
          onClose={(s) => void closeTerminal(s)}
        />
      ) : (
        loaded && <p className="empty">No terminal sessions. Open one with New session.</p>
      )}
      <XtermSession
        session={shown}
        label={title ? `Connected: ${title}` : 'Connected'}
        idleText={openError || (loaded && !shown) ? 'No session' : 'Connecting…'}
        onSize={(s) => {
          size.current = s;
        }}
      />
    </section>
  );
}
