// A shell in a pod's container (an exec over the exec WebSocket, kept in main as a terminal session):
// its sessions go on while the view is away, as a container's Terminal tab.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ContractError } from '../../../../../electron/contract/index.ts';
import { type TerminalPlace, useStore } from '../../../store/index.ts';
import { ErrorBanner } from '../../../ui/ErrorBanner.tsx';
import { TerminalSessionList } from '../../../ui/TerminalSessionList.tsx';
import { type TerminalSize, XtermSession } from '../../../ui/XtermSession.tsx';

export interface PodTerminalProps {
  context: string;
  namespace: string;
  pod: string;
  containers: string[];
}

export function PodTerminal({ context, namespace, pod, containers }: PodTerminalProps) {
  const [container, setContainer] = useState(containers[0] ?? '');
  const place: TerminalPlace = `pod:${context}/${namespace}/${pod}/${container}`;
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
  const sessions = useMemo(
    () =>
      all.filter(
        (s) =>
          s.pod?.context === context &&
          s.pod.namespace === namespace &&
          s.pod.name === pod &&
          (!container || s.pod.container === container),
      ),
    [all, context, namespace, pod, container],
  );
  const size = useRef<TerminalSize>({ cols: 80, rows: 24 });
  const [openError, setOpenError] = useState<ContractError | null>(null);
  const [arrived, setArrived] = useState<string | null>(null);

  useEffect(() => watch(), [watch]);

  const openNew = useCallback(async () => {
    setOpenError(null);
    setOpenError(
      await openTerminal(
        place,
        { kind: 'pod', context, namespace, pod, ...(container ? { container } : {}) },
        size.current,
      ),
    );
  }, [openTerminal, place, context, namespace, pod, container]);

  // On arrival (and for another container): the session shown before, else the newest, else a new one.
  useEffect(() => {
    if (!loaded || arrived === place) return;
    setArrived(place);
    if (focus && sessions.some((s) => s.id === focus)) return;
    const newest = sessions.at(-1);
    focusTerminal(place, newest?.id ?? null);
    if (!newest) void openNew();
  }, [loaded, arrived, place, focus, sessions, focusTerminal, openNew]);

  const shown = arrived === place ? (focus ?? null) : null;
  const title = sessions.find((s) => s.id === shown)?.title;
  return (
    <div className="terminal-pane">
      <div className="toolbar terminal-bar">
        {containers.length > 1 && (
          <label className="inline">
            Container{' '}
            <select aria-label="Container" value={container} onChange={(e) => setContainer(e.target.value)}>
              {containers.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="button" onClick={() => void openNew()}>
          New session
        </button>
        <span className="muted">Shells keep running when you leave; close a session to end it.</span>
      </div>
      <ErrorBanner error={listError} context="Cannot list terminal sessions" />
      <ErrorBanner error={openError} context="Cannot open a terminal" />
      {sessions.length > 0 && (
        <TerminalSessionList
          label="Terminal sessions of this pod"
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
