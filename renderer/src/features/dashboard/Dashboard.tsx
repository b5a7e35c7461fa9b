// The dashboard: the engine, what it has (CPUs, memory) and what its containers use now, the counts of
// its containers, images, volumes and networks (each opening its screen), and its disk use by type.
// Live while shown: resources every 3 s, disk use every 15 s (the engine measures every container's
// writable layer for it).
import { type ReactNode, useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Route } from '../../store/index.ts';
import { engineUp, useStore } from '../../store/index.ts';
import { formatBytes } from '../../ui/format.ts';
import { usePolling } from '../../ui/use-polling.ts';
import { ClusterCard } from '../kubernetes/cluster/ClusterCard.tsx';
import { MachineCard } from '../machine/MachineCard.tsx';
import { DiskUsageCard } from './DiskUsageCard.tsx';
import './dashboard.css';

const resourcesMs = 3000;
const diskUsageMs = 15_000;

function percent(n: number): string {
  return `${n.toFixed(n < 10 ? 2 : 1)}%`;
}

function CountCard({
  title,
  route,
  testId,
  children,
}: {
  title: string;
  route: Route;
  testId: string;
  children: ReactNode;
}) {
  const navigate = useStore((s) => s.navigate);
  return (
    <button type="button" className="card link-card count-card" onClick={() => navigate(route)}>
      <h2>{title}</h2>
      <p className="big" data-testid={testId}>
        {children}
      </p>
    </button>
  );
}

function UsageMeter({
  label,
  value,
  max,
  text,
}: {
  label: string;
  value: number;
  max: number;
  text: string;
}) {
  return (
    <div className="usage">
      <div className="usage-label">
        <span>{label}</span>
        <span className="mono">{text}</span>
      </div>
      <meter aria-label={label} min={0} max={max > 0 ? max : 1} value={Math.min(value, max)} />
    </div>
  );
}

export function Dashboard() {
  const s = useStore(
    useShallow((st) => ({
      engine: st.engine,
      up: engineUp(st),
      loaded: st.engineLoaded,
      resources: st.resources,
    })),
  );
  usePolling(() => {
    if (engineUp(useStore.getState())) return useStore.getState().refreshResources();
  }, resourcesMs);
  usePolling(() => {
    if (engineUp(useStore.getState())) return useStore.getState().refreshDiskUsage();
  }, diskUsageMs);
  // The polls skip while the engine is not known to be up (a fresh page, a restart): measure as soon
  // as it is, not a poll later.
  useEffect(() => {
    if (!s.up) return;
    void useStore.getState().refreshResources();
    void useStore.getState().refreshDiskUsage();
  }, [s.up]);

  const { engine, resources: r } = s;
  const counts = r?.counts;
  return (
    <section aria-labelledby="dash-title" className="dashboard">
      <h1 id="dash-title">Dashboard</h1>
      <MachineCard />
      <ClusterCard />
      {!s.loaded && <p>Connecting to the engine…</p>}
      {s.loaded && !s.up && (
        <p className="muted">The engine's state, resources and disk use show here once it answers.</p>
      )}
      {engine && s.up && (
        <>
          <div className="cards">
            <div className="card" data-testid="engine-card">
              <h2>Engine</h2>
              <p>
                <span className="dot ok" aria-hidden="true" /> Running — version{' '}
                <strong>{engine.version}</strong> (API {engine.apiVersion})
              </p>
              <p className="muted">
                {engine.os}/{engine.arch} · kernel {engine.kernelVersion}
              </p>
              <p className="muted wrap">
                <code>{engine.endpoint}</code>
              </p>
              {r && (
                <p data-testid="engine-capacity">
                  {r.cpus} CPUs · {formatBytes(r.memory)} memory
                </p>
              )}
            </div>
            <div className="card" data-testid="usage-card">
              <h2>Containers use</h2>
              {r ? (
                <>
                  <UsageMeter
                    label="CPU"
                    value={r.containersCpuPercent}
                    max={r.cpus * 100}
                    text={`${percent(r.containersCpuPercent)} of ${r.cpus * 100}%`}
                  />
                  <UsageMeter
                    label="Memory"
                    value={r.containersMemory}
                    max={r.memory}
                    text={`${formatBytes(r.containersMemory)} of ${formatBytes(r.memory)}`}
                  />
                  <p className="muted small-print">
                    Summed over {r.sampled} running container{r.sampled === 1 ? '' : 's'}, as{' '}
                    <code>docker stats</code> counts (100% is one CPU).
                  </p>
                </>
              ) : (
                <p className="muted">Measuring…</p>
              )}
            </div>
          </div>
          <div className="cards counts">
            <CountCard title="Containers" route={{ screen: 'containers' }} testId="containers-count">
              {counts ? (
                <>
                  {counts.running} running
                  <span className="count-detail">
                    {counts.paused} paused · {counts.stopped} stopped · {counts.containers} total
                  </span>
                </>
              ) : (
                `${engine.containersRunning} running`
              )}
            </CountCard>
            <CountCard title="Images" route={{ screen: 'images' }} testId="images-count">
              {counts?.images ?? engine.images}
            </CountCard>
            <CountCard title="Volumes" route={{ screen: 'volumes' }} testId="volumes-count">
              {counts?.volumes ?? '…'}
            </CountCard>
            <CountCard title="Networks" route={{ screen: 'networks' }} testId="networks-count">
              {counts?.networks ?? '…'}
            </CountCard>
          </div>
          <DiskUsageCard />
        </>
      )}
    </section>
  );
}
