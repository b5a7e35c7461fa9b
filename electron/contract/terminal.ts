// Terminals: an exec TTY in a container or a shell on the user's machine.

/** A terminal session's events: it is ready for input and resize, then bytes of output. */
export type TerminalEvent = { type: 'ready'; session: string } | { type: 'data'; data: string };

export interface TerminalInvoke {
  /** Sends input bytes (UTF-8 text) to an open terminal session. */
  'terminal.input': { req: { session: string; data: string }; res: undefined };
  'terminal.resize': { req: { session: string; cols: number; rows: number }; res: undefined };
}

export const terminalChannels: Record<keyof TerminalInvoke, true> = {
  'terminal.input': true,
  'terminal.resize': true,
};

export interface TerminalEvents {
  /** Opens an exec session (with a TTY) in a running container; bytes flow both ways. */
  'terminal.exec': {
    params: { id: string; cmd?: string[]; cols?: number; rows?: number };
    event: TerminalEvent;
  };
  /** Opens a shell on the user's machine with DOCKER_HOST set to the engine the app uses. */
  'terminal.host': { params: { cols?: number; rows?: number }; event: TerminalEvent };
}

export const terminalEventChannels: Record<keyof TerminalEvents, true> = {
  'terminal.exec': true,
  'terminal.host': true,
};
