// Terminals: an exec TTY in a container or a shell on the user's machine. Sessions live in main while
// the app runs, whether or not a view shows them: a view attaches (the scrollback, then live output)
// and detaches; only `terminal.close`, the process's own exit or the app quitting ends one.
import type { ChannelList } from './channel-list.ts';

export interface TerminalSessionInfo {
  id: string;
  kind: 'container' | 'host' | 'pod';
  /** `web-1 · /bin/sh`, or `Host shell`; a second one at once gets ` (2)`, and so on. */
  title: string;
  /** The container the exec runs in (container sessions). */
  container?: { id: string; name: string };
  /** The pod container the exec runs in (pod sessions: over the exec WebSocket of its context). */
  pod?: { context: string; namespace: string; name: string; container: string };
  command: string[];
  /** ISO 8601. */
  startedAt: string;
}

export type TerminalTarget =
  | { kind: 'container'; id: string; cmd?: string[] }
  | { kind: 'host' }
  | { kind: 'pod'; context: string; namespace: string; pod: string; container?: string; cmd?: string[] };

/**
 * What an attached view receives: first the session's scrollback (the last output it kept, replayed
 * as it was written), then live output, then `exit` when the process ended (after which the stream
 * ends). `exitCode` is null when the engine did not tell it.
 */
export type TerminalEvent =
  | { type: 'scrollback'; data: string }
  | { type: 'data'; data: string }
  | { type: 'exit'; exitCode: number | null };

export interface TerminalInvoke {
  /** The open sessions, oldest first; with `container`, only those in that container (id or name). */
  'terminal.list': { req: { container?: string }; res: TerminalSessionInfo[] };
  /** Starts a session (an exec with a TTY in a running container, or a host shell) at this size. */
  'terminal.open': {
    req: { target: TerminalTarget; cols?: number; rows?: number };
    res: TerminalSessionInfo;
  };
  /** Ends the session's process (and what it started in its terminal) for real. */
  'terminal.close': { req: { session: string }; res: undefined };
  /** Sends input bytes (UTF-8 text) to an open terminal session. */
  'terminal.input': { req: { session: string; data: string }; res: undefined };
  'terminal.resize': { req: { session: string; cols: number; rows: number }; res: undefined };
}

export const terminalChannels: ChannelList<TerminalInvoke> = {
  'terminal.list': true,
  'terminal.open': true,
  'terminal.close': true,
  'terminal.input': true,
  'terminal.resize': true,
};

export interface TerminalEvents {
  /** A view of a session; unsubscribing detaches the view and leaves the session running. */
  'terminal.attach': { params: { session: string }; event: TerminalEvent };
  /** The session list now and after every change (opened, closed, ended). */
  'terminal.sessions': { params: { container?: string }; event: TerminalSessionInfo[] };
}

export const terminalEventChannels: ChannelList<TerminalEvents> = {
  'terminal.attach': true,
  'terminal.sessions': true,
};
