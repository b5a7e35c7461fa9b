import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import type { ContractError } from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import { useStore } from '../store/index.ts';
import { ErrorBanner } from './ErrorBanner.tsx';
import './terminal.css';

const themes = {
  dark: { background: '#0d1117', foreground: '#e6edf3', cursor: '#e6edf3' },
  light: { background: '#ffffff', foreground: '#1f2328', cursor: '#1f2328' },
};

export interface TerminalSize {
  cols: number;
  rows: number;
}

type Status = 'idle' | 'connecting' | 'ready' | 'ended';

/**
 * xterm.js on a terminal session that main keeps: it attaches to `session` (the scrollback, then live
 * output), sends keys to `terminal.input` and its size to `terminal.resize`. Another `session`, or
 * unmounting, detaches: the session goes on. `onSize` hears the terminal's size (first when it is
 * laid out, before the parent's effects run), so a parent opens new sessions at the size they show at.
 */
export function XtermSession({
  session,
  label,
  idleText = 'No session',
  onSize,
}: {
  session: string | null;
  /** The status line while attached, e.g. `Connected: web · /bin/sh`. */
  label: string;
  idleText?: string;
  onSize?: (size: TerminalSize) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const sessionRef = useRef<string | null>(null);
  /** True while the scrollback is replayed: xterm answers the queries in it, and the shell must not get those answers twice. */
  const replaying = useRef(false);
  const onSizeRef = useRef(onSize);
  onSizeRef.current = onSize;
  const theme = useStore((s) => s.theme);
  const [error, setError] = useState<ContractError | null>(null);
  const [status, setStatus] = useState<Status>('idle');

  // One xterm for the life of the view; sessions come and go in it.
  useEffect(() => {
    if (!host.current) return;
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
    onSizeRef.current?.({ cols: term.cols, rows: term.rows });
    const input = term.onData((data) => {
      const s = sessionRef.current;
      if (s && !replaying.current) void api().invoke('terminal.input', { session: s, data });
    });
    const resize = term.onResize(({ cols, rows }) => {
      onSizeRef.current?.({ cols, rows });
      const s = sessionRef.current;
      if (s) void api().invoke('terminal.resize', { session: s, cols, rows });
    });
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(host.current);
    return () => {
      observer.disconnect();
      input.dispose();
      resize.dispose();
      term.dispose();
      termRef.current = null;
    };
  }, []);

  useEffect(() => {
    const term = termRef.current;
    setError(null);
    if (!term || !session) {
      setStatus('idle');
      return;
    }
    term.reset();
    setStatus('connecting');
    let attached = false;
    let live = true;
    const detach = api().subscribe('terminal.attach', { session }, (m) => {
      if (!live) return;
      if (m.type === 'end') {
        sessionRef.current = null;
        if (!attached || m.error) {
          // Gone before we came (it ended or was closed elsewhere), or the connection broke.
          if (m.error && m.error.kind !== 'not_found') setError(m.error);
          term.write('[session ended]\r\n');
          setStatus('ended');
        }
        return;
      }
      const e = m.event;
      if (e.type === 'scrollback') {
        attached = true;
        sessionRef.current = session;
        replaying.current = true;
        term.write(e.data, () => {
          replaying.current = false;
        });
        // The session takes this view's size (another view may have had another).
        void api().invoke('terminal.resize', { session, cols: term.cols, rows: term.rows });
        setStatus('ready');
        term.focus();
      } else if (e.type === 'data') {
        term.write(e.data);
      } else {
        sessionRef.current = null;
        term.write('\r\n[session ended]\r\n');
        setStatus('ended');
      }
    });
    return () => {
      live = false;
      sessionRef.current = null;
      detach();
    };
  }, [session]);

  // A theme switch restyles the open terminal; it must not end the session.
  useEffect(() => {
    if (termRef.current) termRef.current.options.theme = themes[theme];
  }, [theme]);

  const text = { idle: idleText, connecting: 'Connecting…', ready: label, ended: 'Session ended' }[status];
  return (
    <div className="terminal">
      <p className="muted" data-testid="terminal-status">
        {text}
      </p>
      <ErrorBanner error={error} context="Terminal" />
      <div className="term-host" ref={host} data-testid="terminal" />
    </div>
  );
}
