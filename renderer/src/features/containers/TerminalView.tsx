import { useCallback } from 'react';
import { api } from '../../api/client.ts';
import { type OpenTerminal, XtermSession } from '../../ui/XtermSession.tsx';

/** An exec shell in a running container. */
export function TerminalView({ id }: { id: string }) {
  const open = useCallback<OpenTerminal>(
    (size, onMessage) => api().subscribe('terminal.exec', { id, ...size }, onMessage),
    [id],
  );
  return <XtermSession open={open} connectedLabel="Connected: /bin/sh" />;
}
