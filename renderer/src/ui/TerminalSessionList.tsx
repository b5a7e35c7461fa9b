import { useEffect, useState } from 'react';
import type { TerminalSessionInfo } from '../../../electron/contract/index.ts';
import { humanDuration } from './format.ts';
import { IconButton } from './IconButton.tsx';
import './terminal.css';

/** Now, again every `ms`: for ages that keep up while shown. */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/**
 * Open terminal sessions: title, container (with `showContainer`), age, and actions to show one
 * (`onOpen`) and to end it (`onClose`). The one shown now is marked current.
 */
export function TerminalSessionList({
  sessions,
  current,
  showContainer,
  label,
  onOpen,
  onClose,
}: {
  sessions: TerminalSessionInfo[];
  current?: string;
  showContainer?: boolean;
  label: string;
  onOpen(session: TerminalSessionInfo): void;
  onClose(session: TerminalSessionInfo): void;
}) {
  const now = useNow(1000);
  return (
    <div className="terminal-sessions-scroll">
      <table className="list compact terminal-sessions" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Session</th>
            {showContainer && <th scope="col">Container</th>}
            <th scope="col">Age</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr
              key={s.id}
              data-testid="terminal-session"
              data-title={s.title}
              aria-current={s.id === current ? 'true' : undefined}
              className={s.id === current ? 'current' : undefined}
            >
              <td className="mono">{s.title}</td>
              {showContainer && <td>{s.container?.name ?? <span className="muted">this machine</span>}</td>}
              <td>{humanDuration(now - Date.parse(s.startedAt))}</td>
              <td>
                <div className="actions">
                  <IconButton
                    icon="terminal"
                    label={`Open ${s.title}`}
                    tip="Open"
                    onClick={() => onOpen(s)}
                  />
                  <IconButton
                    icon="close"
                    label={`Close ${s.title}`}
                    tip="Close"
                    danger
                    onClick={() => onClose(s)}
                  />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
