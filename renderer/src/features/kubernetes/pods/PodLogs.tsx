// A pod container's log in the containers' log viewer (search, follow, timestamps, wrap, copy,
// download, clear), from `kube.logs`: a container picker for pods of several containers, and
// "Previous" for the log of the container's last run (after a restart or a crash).
import { useMemo, useState } from 'react';
import { api } from '../../../api/client.ts';
import { LogsPane } from '../../containers/LogsPane.tsx';
import type { LogOpener } from '../../containers/use-log-feed.ts';

export interface PodLogsProps {
  context: string;
  namespace: string;
  pod: string;
  /** The pod's containers (init containers after them); the first is shown first. */
  containers: string[];
}

/** Docker's `since` (unix seconds, where the view was cleared) as the log endpoint's sinceSeconds. */
export function sinceSeconds(since: string | undefined, nowMs: number): number | undefined {
  if (!since) return undefined;
  return Math.max(1, Math.ceil(nowMs / 1000 - Number(since)));
}

export function PodLogs({ context, namespace, pod, containers }: PodLogsProps) {
  const [container, setContainer] = useState(containers[0] ?? '');
  const [previous, setPrevious] = useState(false);
  const open = useMemo<LogOpener>(
    () => (opts, on) =>
      api().subscribe(
        'kube.logs',
        {
          context,
          namespace,
          pod,
          ...(container ? { container } : {}),
          // The previous run's log is complete: nothing more to follow.
          follow: opts.follow && !previous,
          previous,
          timestamps: opts.timestamps,
          tail: opts.tail,
          ...(opts.since ? { sinceSeconds: sinceSeconds(opts.since, Date.now()) } : {}),
        },
        on,
      ),
    [context, namespace, pod, container, previous],
  );
  const id = `pod:${context}/${namespace}/${pod}/${container}${previous ? '/previous' : ''}`;
  return (
    <div className="pod-logs">
      <div className="toolbar pod-logs-bar">
        {containers.length > 1 && (
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
        )}
        <label className="inline">
          <input type="checkbox" checked={previous} onChange={(e) => setPrevious(e.target.checked)} />{' '}
          Previous container
        </label>
      </div>
      <LogsPane key={id} id={id} open={open} label={`${pod}/${container}${previous ? ' (previous)' : ''}`} />
    </div>
  );
}
