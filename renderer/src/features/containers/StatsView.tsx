import { useEffect, useState } from 'react';
import type { ContainerStatsSample, ContractError } from '../../../../electron/contract/index.ts';
import { api } from '../../api/client.ts';
import { pushWindow } from '../../ui/chart.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { formatBytes } from '../../ui/format.ts';
import { LineChart } from '../../ui/LineChart.tsx';
import { cpuAxis, memoryAxis, rateAxis } from './stats-axes.ts';

/** One sample a second: a minute of history. */
const windowSize = 60;

const percent = (v: number) => `${v.toFixed(1)} %`;
const rate = (v: number) => `${formatBytes(v)}/s`;

function Legend({ items }: { items: { name: string; tone: 'a' | 'b'; value: string }[] }) {
  return (
    <span className="legend">
      {items.map((i) => (
        <span key={i.name}>
          <span className={`swatch tone-${i.tone}`} aria-hidden="true" />
          {i.name} <strong>{i.value}</strong>
        </span>
      ))}
    </span>
  );
}

export function StatsView({ id }: { id: string }) {
  const [samples, setSamples] = useState<ContainerStatsSample[]>([]);
  const [error, setError] = useState<ContractError | null>(null);

  useEffect(() => {
    setSamples([]);
    setError(null);
    return api().subscribe('containers.stats', { id }, (m) => {
      if (m.type === 'event') setSamples((prev) => pushWindow(prev, m.event, windowSize));
      else if (m.error) setError(m.error);
    });
  }, [id]);

  const last = samples.at(-1);
  const pick = (f: (s: ContainerStatsSample) => number) => samples.map(f);
  const cpu = pick((s) => s.cpuPercent);
  const memory = pick((s) => s.memoryUsage);
  const rx = pick((s) => s.networkRxRate);
  const tx = pick((s) => s.networkTxRate);
  const read = pick((s) => s.blockReadRate);
  const write = pick((s) => s.blockWriteRate);

  return (
    <div className="stats">
      <ErrorBanner error={error} context="Stats" />
      {!last && !error && <p className="muted">Waiting for the first sample…</p>}
      {last && (
        <div className="stats-grid">
          <section className="card" aria-labelledby="stat-cpu-title">
            <div className="stat-head">
              <h2 id="stat-cpu-title">CPU</h2>
              <span className="stat-value" data-testid="stat-cpu">
                {percent(last.cpuPercent)}
              </span>
              <span className="muted">
                of {last.onlineCpus} CPU{last.onlineCpus === 1 ? '' : 's'} · {last.pids} process
                {last.pids === 1 ? '' : 'es'}
              </span>
            </div>
            <LineChart
              label="CPU"
              testId="chart-cpu"
              series={[{ name: 'CPU', values: cpu, tone: 'a' }]}
              max={cpuAxis(cpu, last.onlineCpus)}
              capacity={windowSize}
              format={percent}
            />
          </section>
          <section className="card" aria-labelledby="stat-memory-title">
            <div className="stat-head">
              <h2 id="stat-memory-title">Memory</h2>
              <span className="stat-value" data-testid="stat-memory">
                {formatBytes(last.memoryUsage)}
              </span>
              <span className="muted">
                of {formatBytes(last.memoryLimit)} ({percent(last.memoryPercent)})
              </span>
            </div>
            <LineChart
              label="Memory"
              testId="chart-memory"
              series={[{ name: 'Used', values: memory, tone: 'a' }]}
              max={memoryAxis(memory, last.memoryLimit)}
              capacity={windowSize}
              format={formatBytes}
            />
          </section>
          <section className="card" aria-labelledby="stat-net-title">
            <div className="stat-head">
              <h2 id="stat-net-title">Network</h2>
              <Legend
                items={[
                  { name: 'Received', tone: 'a', value: rate(last.networkRxRate) },
                  { name: 'Sent', tone: 'b', value: rate(last.networkTxRate) },
                ]}
              />
            </div>
            <LineChart
              label="Network"
              testId="chart-network"
              series={[
                { name: 'Received', values: rx, tone: 'a' },
                { name: 'Sent', values: tx, tone: 'b' },
              ]}
              max={rateAxis(rx, tx)}
              capacity={windowSize}
              format={rate}
            />
            <p className="muted small-print">
              Total: {formatBytes(last.networkRx)} received, {formatBytes(last.networkTx)} sent
            </p>
          </section>
          <section className="card" aria-labelledby="stat-blk-title">
            <div className="stat-head">
              <h2 id="stat-blk-title">Block I/O</h2>
              <Legend
                items={[
                  { name: 'Read', tone: 'a', value: rate(last.blockReadRate) },
                  { name: 'Write', tone: 'b', value: rate(last.blockWriteRate) },
                ]}
              />
            </div>
            <LineChart
              label="Block I/O"
              testId="chart-block-io"
              series={[
                { name: 'Read', values: read, tone: 'a' },
                { name: 'Write', values: write, tone: 'b' },
              ]}
              max={rateAxis(read, write)}
              capacity={windowSize}
              format={rate}
            />
            <p className="muted small-print">
              Total: {formatBytes(last.blockRead)} read, {formatBytes(last.blockWrite)} written
            </p>
          </section>
        </div>
      )}
    </div>
  );
}
