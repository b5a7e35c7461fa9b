// A pod's logs and terminal on a screen of their own (#/kubernetes/pod/<context>/<ns>/<pod>/<tab>):
// the minimal route until the pod detail view mounts PodLogs and PodTerminal itself.
import { useEffect, useState } from 'react';
import { api } from '../../../api/client.ts';
import { useStore } from '../../../store/index.ts';
import { PodLogs } from './PodLogs.tsx';
import { PodTerminal } from './PodTerminal.tsx';

export function PodScreen({
  context,
  namespace,
  pod,
  tab,
}: {
  context: string;
  namespace: string;
  pod: string;
  tab: 'logs' | 'terminal';
}) {
  const navigate = useStore((s) => s.navigate);
  const [containers, setContainers] = useState<string[] | null>(null);
  useEffect(() => {
    let live = true;
    void api()
      .invoke('kube.get', { context, kind: 'pods', namespace, name: pod })
      .then((r) => {
        // Without the object (not reachable, or no kube.get): the server's default container.
        if (live) setContainers(r.ok ? r.value.containers.filter((c) => !c.init).map((c) => c.name) : []);
      });
    return () => {
      live = false;
    };
  }, [context, namespace, pod]);
  const go = (t: 'logs' | 'terminal') => navigate({ screen: 'kube-pod', context, namespace, pod, tab: t });
  return (
    <section className="pod-screen">
      <div className="toolbar">
        <h1>
          {pod} <span className="muted">{namespace}</span>
        </h1>
        <div role="tablist" className="tabs">
          {(['logs', 'terminal'] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              className={tab === t ? 'tab active' : 'tab'}
              onClick={() => go(t)}
            >
              {t === 'logs' ? 'Logs' : 'Terminal'}
            </button>
          ))}
        </div>
      </div>
      {containers === null ? null : tab === 'logs' ? (
        <PodLogs context={context} namespace={namespace} pod={pod} containers={containers} />
      ) : (
        <PodTerminal context={context} namespace={namespace} pod={pod} containers={containers} />
      )}
    </section>
  );
}
