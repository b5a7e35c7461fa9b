import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ContractError } from '../../../../electron/contract/index.ts';
import { type TerminalPlace, useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { TerminalSessionList } from '../../ui/TerminalSessionList.tsx';
import { type TerminalSize, XtermSession } from '../../ui/XtermSession.tsx';

/**
 * A container's Terminal tab: its exec shells, which go on while the tab is away. Coming back shows the
 * session shown before (else the newest; with none, a new shell opens).
 */
export function TerminalView({ id }: { id: string }) {
  const place: TerminalPlace = `container:${id}`;
  const { all, loaded, listError, focus } = useStore(
    useShallow((s) => ({
      all: s.terminalSessions,
      loaded: s.terminalSessionsLoaded,
      listError: s.terminalSessionsError,
      focus: s.terminalFocus[place],
    })),
  );
  const { watch, openTerminal, focusTerminal, closeTerminal } = useStore(
    useShallow((s) => ({
      watch: s.watchTerminalSessions,
      openTerminal: s.openTerminal,
      focusTerminal: s.focusTerminal,
      closeTerminal: s.closeTerminal,
    })),
  );
  const sessions = useMemo(() => all.filter((s) => s.container?.id === id), [all, id]);
  const size = useRef<TerminalSize>({ cols: 80, rows: 24 });
  const [openError, setOpenError] = useState<ContractError | null>(null);
  const [arrived, setArrived] = useState(false);

  useEffect(() => watch(), [watch]);

  const openNew = useCallback(async () => {
    setOpenError(null);
    setOpenError(await openTerminal(place, { kind: 'container', id }, size.current));
  }, [openTerminal, place, id]);

  useEffect(() => {
    if (!loaded || arrived) return;
    setArrived(true);
    if (focus && sessions.some((s) => s.id === focus)) return;
    // What was shown here ended while away: show the newest, or a new shell once it opened.
    const newest = sessions.at(-1);
    focusTerminal(place, newest?.id ?? null);
    if (!newest) void openNew();
  }, [loaded, arrived, focus, sessions, focusTerminal, place, openNew]);

  const shown = arrived ? (focus ?? null) : null;
  const title = sessions.find((s) => s.id === shown)?.title;
  return (
    <div className="terminal-pane">
      <div className="toolbar terminal-bar">
        <button type="button" onClick={() => void openNew()}>
          New session
        </button>
        <span className="muted">Shells keep running when you leave; close a session to end it.</span>
      </div>
      <ErrorBanner error={listError} context="Cannot list terminal sessions" />
      <ErrorBanner error={openError} context="Cannot open a terminal" />
      {sessions.length > 0 && (
        <TerminalSessionList
          label="Terminal sessions of this container"
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
