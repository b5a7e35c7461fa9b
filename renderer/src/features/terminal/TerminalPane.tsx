// A place's terminal sessions (a container's Terminal tab, a pod's): they go on while the view is away.
// Arriving at a place shows the session shown there before, else the newest; with none, a new shell opens.
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type {
  ContractError,
  TerminalSessionInfo,
  TerminalTarget,
} from '../../../../electron/contract/index.ts';
import type { TerminalPlace } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { TerminalSessionList } from '../../ui/TerminalSessionList.tsx';
import { type TerminalSize, XtermSession } from '../../ui/XtermSession.tsx';
import { useTerminalSessions } from './use-terminal-sessions.ts';

export interface TerminalPaneProps {
  place: TerminalPlace;
  /** What a new session execs in. */
  target: TerminalTarget;
  /** Whether a session is one of this place's. */
  belongs: (s: TerminalSessionInfo) => boolean;
  /** The session list's label (`Terminal sessions of this container`). */
  listLabel: string;
  /** Controls before "New session" (a pod's container picker). */
  toolbar?: ReactNode;
}

export function TerminalPane({ place, target, belongs, listLabel, toolbar }: TerminalPaneProps) {
  const { all, loaded, listError, focus, openTerminal, focusTerminal, closeTerminal } =
    useTerminalSessions(place);
  const sessions = useMemo(() => all.filter(belongs), [all, belongs]);
  const size = useRef<TerminalSize>({ cols: 80, rows: 24 });
  const [openError, setOpenError] = useState<ContractError | null>(null);
  // The place last arrived at: another one (a pod's other container) is an arrival again.
  const [arrived, setArrived] = useState<TerminalPlace | null>(null);

  const openNew = useCallback(async () => {
    setOpenError(null);
    setOpenError(await openTerminal(place, target, size.current));
  }, [openTerminal, place, target]);

  useEffect(() => {
    if (!loaded || arrived === place) return;
    setArrived(place);
    if (focus && sessions.some((s) => s.id === focus)) return;
    // What was shown here ended while away: show the newest, or a new shell once it opened.
    const newest = sessions.at(-1);
    focusTerminal(place, newest?.id ?? null);
    if (!newest) void openNew();
  }, [loaded, arrived, focus, sessions, focusTerminal, place, openNew]);

  const shown = arrived === place ? (focus ?? null) : null;
  const title = sessions.find((s) => s.id === shown)?.title;
  return (
    <div className="terminal-pane">
      <div className="toolbar terminal-bar">
        {toolbar}
        <button type="button" onClick={() => void openNew()}>
          New session
        </button>
        <span className="muted">Shells keep running when you leave; close a session to end it.</span>
      </div>
      <ErrorBanner error={listError} context="Cannot list terminal sessions" />
      <ErrorBanner error={openError} context="Cannot open a terminal" />
      {sessions.length > 0 && (
        <TerminalSessionList
          label={listLabel}
          sessions={sessions}
          current={shown ?? undefined}
          onOpen={(s) => focusTerminal(place, s.id)}
          onClose={(s) => void closeTerminal(s)}
        />
      )}
      <XtermSession
        session={shown}
        label={title ? `Connected: ${title}` : 'Connected'}
        idleText={openError ? 'No session' : 'Connecting…'}
        onSize={(s) => {
          size.current = s;
        }}
      />
    </div>
  );
}
