// Placeholder: kube-io's PodTerminal (an exec terminal, the `pod` terminal target) replaces this file.
import type { PodPaneProps } from './PodLogs.tsx';

export function PodTerminal(_: PodPaneProps) {
  return <p className="empty">Terminal: coming from kube-io.</p>;
}
