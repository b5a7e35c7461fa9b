import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import type { ContractError, StreamMessage } from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import { useStore } from '../store/index.ts';
import { ErrorBanner } from './ErrorBanner.tsx';

const themes = {
  dark: { background: '#0d1117', foreground: '#e6edf3', cursor: '#e6edf3' },
  light: { background: '#ffffff', foreground: '#1f2328', cursor: '#1f2328' },
};

/** Opens the session's stream at the terminal's size; returns what closes it. */
export type OpenTerminal = (
  size: { cols: number; rows: number },
  onMessage: (m: StreamMessage<'terminal.exec' | 'terminal.host'>) => void,
) => () => void;

/**
 * xterm.js on a terminal session of the contract (an exec in a container or the host shell): output
 * from the stream, keys to `terminal.input`, size to `terminal.resize`. A new `open` opens a new session.
 */
export function XtermSession({ open, connectedLabel }: { open: OpenTerminal; connectedLabel: string }) {
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const theme = useStore((s) => s.theme);
  const [error, setError] = useState<ContractError | null>(null);
  const [status, setStatus] = useState<'connecting' | 'ready' | 'ended'>('connecting');

  useEffect(() => {
    if (!host.current) return;
    setStatus('connecting');
    setError(null);
    const term = new Terminal({
      cursorBlink: true,
      fontSize: 13,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
      theme: themes[useStore.getState().theme],
    });
    termRef.current = term;
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current);
    fit.fit();
    let session = '';
    const close = open({ cols: term.cols, rows: term.rows }, (m) => {
      if (m.type === 'end') {
        setStatus('ended');
        if (m.error) setError(m.error);
        term.write('\r\n[session ended]\r\n');
      } else if (m.event.type === 'ready') {
        session = m.event.session;
        setStatus('ready');
        // The size may have changed while the session was opening.
        void api().invoke('terminal.resize', { session, cols: term.cols, rows: term.rows });
        term.focus();
      } else {
        term.write(m.event.data);
      }
    });
    const input = term.onData((data) => {
      if (session) void api().invoke('terminal.input', { session, data });
    });
    const resize = term.onResize(({ cols, rows }) => {
      if (session) void api().invoke('terminal.resize', { session, cols, rows });
    });
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(host.current);
    return () => {
      observer.disconnect();
      input.dispose();
      resize.dispose();
      close();
      term.dispose();
      termRef.current = null;
    };
  }, [open]);

  // A theme switch restyles the open terminal; it must not end the session.
  useEffect(() => {
    if (termRef.current) termRef.current.options.theme = themes[theme];
  }, [theme]);

  return (
    <div className="terminal">
      <p className="muted" data-testid="terminal-status">
        {status === 'connecting' ? 'Connecting…' : status === 'ready' ? connectedLabel : 'Session ended'}
      </p>
      <ErrorBanner error={error} context="Terminal" />
      <div className="term-host" ref={host} data-testid="terminal" />
    </div>
  );
}
