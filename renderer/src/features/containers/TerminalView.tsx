import { useCallback, useMemo } from 'react';
import type { TerminalSessionInfo } from '../../../../electron/contract/index.ts';
import { TerminalPane } from '../terminal/TerminalPane.tsx';

/**
 * A container's Terminal tab: its exec shells, which go on while the tab is away. Coming back shows the
 * session shown before (else the newest; with none, a new shell opens).
 */
export function TerminalView({ id }: { id: string }) {
  const target = useMemo(() => ({ kind: 'container' as const, id }), [id]);
  const belongs = useCallback((s: TerminalSessionInfo) => s.container?.id === id, [id]);
  return (
    <TerminalPane
      place={`container:${id}`}
      target={target}
      belongs={belongs}
      listLabel="Terminal sessions of this container"
    />
  );
}
