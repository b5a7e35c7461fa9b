// A shell in a pod's container (an exec over the exec WebSocket, kept in main as a terminal session):
// its sessions go on while the view is away, as a container's Terminal tab.
import { useCallback, useMemo, useState } from 'react';
import type { TerminalSessionInfo } from '../../../../../electron/contract/index.ts';
import { TerminalPane } from '../../terminal/TerminalPane.tsx';

export interface PodTerminalProps {
  context: string;
  namespace: string;
  pod: string;
  containers: string[];
}

export function PodTerminal({ context, namespace, pod, containers }: PodTerminalProps) {
  const [container, setContainer] = useState(containers[0] ?? '');
  const target = useMemo(
    () => ({ kind: 'pod' as const, context, namespace, pod, ...(container ? { container } : {}) }),
    [context, namespace, pod, container],
  );
  const belongs = useCallback(
    (s: TerminalSessionInfo) =>
      s.pod?.context === context &&
      s.pod.namespace === namespace &&
      s.pod.name === pod &&
      (!container || s.pod.container === container),
    [context, namespace, pod, container],
  );
  return (
    <TerminalPane
      place={`pod:${context}/${namespace}/${pod}/${container}`}
      target={target}
      belongs={belongs}
      listLabel="Terminal sessions of this pod"
      toolbar={
        containers.length > 1 && (
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
        )
      }
    />
  );
}
