import './charts.css';
import { areaPath, linePath } from './chart.ts';

export interface Series {
  name: string;
  values: readonly number[];
  /** `a` or `b`: the first or second colour of the chart. */
  tone: 'a' | 'b';
}

const width = 300;
const height = 80;

/** A live line chart in plain SVG: the newest sample at the right, `capacity` samples across. */
export function LineChart({
  label,
  series,
  max,
  capacity,
  format,
  testId,
}: {
  label: string;
  series: Series[];
  max: number;
  capacity: number;
  format: (v: number) => string;
  testId?: string;
}) {
  const box = { width, height, capacity, max };
  const latest = series.map((s) => `${s.name} ${format(s.values.at(-1) ?? 0)}`).join(', ');
  return (
    <figure className="chart" data-testid={testId} data-samples={series[0]?.values.length ?? 0}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${label}: ${latest}`}
      >
        {[0.25, 0.5, 0.75].map((f) => (
          <line key={f} className="grid" x1={0} x2={width} y1={height * f} y2={height * f} />
        ))}
        {series.map((s) => (
          <g key={s.name} className={`tone-${s.tone}`}>
            <path className="area" d={areaPath(s.values, box)} />
            <path className="line" d={linePath(s.values, box)} data-series={s.name} />
          </g>
        ))}
      </svg>
      <figcaption className="chart-axis muted">
        <span>{format(max)}</span>
        <span>{capacity} s</span>
      </figcaption>
    </figure>
  );
}
