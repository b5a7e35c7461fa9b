// Placeholder: kube-io's PodLogs (the containers' log viewer over `kube.logs`) replaces this file.
export interface PodPaneProps {
  context: string;
  namespace: string;
  pod: string;
  containers: string[];
  initContainers: string[];
}

export function PodLogs(_: PodPaneProps) {
  return <p className="empty">Logs: coming from kube-io.</p>;
}
