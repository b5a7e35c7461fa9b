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

interface RateSeries {
  name: string;
  /** Bytes a second, one a sample; the last is the current rate. */
  values: number[];
  /** Bytes since the container started, and what happened to them ("received", "written"). */
  total: number;
  verb: string;
}

/** Two byte rates of one resource (network in and out, block reads and writes) and their totals. */
function RatesCard({
  title,
  id,
  testId,
  a,
  b,
}: {
  title: string;
  id: string;
  testId: string;
  a: RateSeries;
  b: RateSeries;
}) {
  return (
    <section className="card" aria-labelledby={`stat-${id}-title`}>
      <div className="stat-head">
        <h2 id={`stat-${id}-title`}>{title}</h2>
        <Legend
          items={[
            { name: a.name, tone: 'a', value: rate(a.values.at(-1) ?? 0) },
            { name: b.name, tone: 'b', value: rate(b.values.at(-1) ?? 0) },
          ]}
        />
      </div>
      <LineChart
        label={title}
        testId={testId}
        series={[
          { name: a.name, values: a.values, tone: 'a' },
          { name: b.name, values: b.values, tone: 'b' },
        ]}
        max={rateAxis(a.values, b.values)}
        capacity={windowSize}
        format={rate}
      />
      <p className="muted small-print">
        Total: {formatBytes(a.total)} {a.verb}, {formatBytes(b.total)} {b.verb}
      </p>
    </section>
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
          <RatesCard
            title="Network"
            id="net"
            testId="chart-network"
            a={{ name: 'Received', values: rx, total: last.networkRx, verb: 'received' }}
            b={{ name: 'Sent', values: tx, total: last.networkTx, verb: 'sent' }}
          />
          <RatesCard
            title="Block I/O"
            id="blk"
            testId="chart-block-io"
            a={{ name: 'Read', values: read, total: last.blockRead, verb: 'read' }}
            b={{ name: 'Write', values: write, total: last.blockWrite, verb: 'written' }}
          />
        </div>
      )}
    </div>
  );
}
