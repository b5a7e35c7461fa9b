/** One row of a berthd-against-dockerd table: both figures in one unit, and the target it has. */
export interface ComparisonRow {
  metric: string;
  berthd: number;
  /** Absent when dockerd is not installed. */
  dockerd: number | undefined;
  unit: string;
  target: string;
  digits?: number;
}

/** Prints the benchmarks' table: metric, berthd, dockerd, berthd/dockerd ratio, target. */
export function printComparison(rows: ComparisonRow[]): void {
  const cell = (v: number | undefined, r: ComparisonRow) =>
    v === undefined ? '-' : `${v.toFixed(r.digits ?? 0)} ${r.unit}`;
  const nameW = Math.max(6, ...rows.map((r) => r.metric.length));
  const valW = Math.max(7, ...rows.flatMap((r) => [cell(r.berthd, r).length, cell(r.dockerd, r).length]));
  console.log(
    `\n${'metric'.padEnd(nameW)} ${'berthd'.padStart(valW)} ${'dockerd'.padStart(valW)} ${'ratio'.padStart(7)}  target`,
  );
  for (const r of rows) {
    const ratio = r.dockerd ? (r.berthd / r.dockerd).toFixed(2) : 'n/a';
    console.log(
      `${r.metric.padEnd(nameW)} ${cell(r.berthd, r).padStart(valW)} ${cell(r.dockerd, r).padStart(valW)} ${ratio.padStart(7)}  ${r.target}`,
    );
  }
}
