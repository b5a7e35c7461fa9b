// What a terminal screen reads of the store: every session (kept live by the sessions watch while the
// screen is mounted), whether the list has loaded or why not, the session shown at `place`, and the
// actions that open, focus and close sessions.
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { type TerminalPlace, useStore } from '../../store/index.ts';

export function useTerminalSessions(place: TerminalPlace) {
  const state = useStore(
    useShallow((s) => ({
      all: s.terminalSessions,
      loaded: s.terminalSessionsLoaded,
      listError: s.terminalSessionsError,
      focus: s.terminalFocus[place],
    })),
  );
  const { watch, ...actions } = useStore(
    useShallow((s) => ({
      watch: s.watchTerminalSessions,
      openTerminal: s.openTerminal,
      focusTerminal: s.focusTerminal,
      closeTerminal: s.closeTerminal,
    })),
  );
  useEffect(() => watch(), [watch]);
  return { ...state, ...actions };
}
