import { useCallback, useState } from 'react';
import { api } from '../../api/client.ts';
import { useStore } from '../../store/index.ts';
import { type OpenTerminal, XtermSession } from '../../ui/XtermSession.tsx';

/** A shell on the user's machine whose docker clients talk to the engine the app uses. */
export function HostTerminal() {
  const endpoint = useStore((s) => s.engine?.endpoint);
  // "New session" remounts the terminal, which opens a fresh shell.
  const [generation, setGeneration] = useState(0);
  const open = useCallback<OpenTerminal>(
    (size, onMessage) => api().subscribe('terminal.host', size, onMessage),
    [],
  );
  return (
    <section aria-labelledby="terminal-title">
      <div className="toolbar">
        <h1 id="terminal-title">Terminal</h1>
        <span className="muted">
          A shell on this machine with <code>DOCKER_HOST={endpoint ?? '…'}</code>
        </span>
        <button type="button" onClick={() => setGeneration((g) => g + 1)}>
          New session
        </button>
      </div>
      <XtermSession key={generation} open={open} connectedLabel="Connected: host shell" />
    </section>
  );
}
