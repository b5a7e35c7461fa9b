/** The JSON messages of dockerd's pull and push streams, which the docker CLI draws. */
export interface ProgressMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: Record<string, unknown>;
  error?: string;
  errorDetail?: { message: string };
}

export type ProgressSink = (msg: ProgressMessage) => void;

/** Docker's short layer id: the first 12 hex digits of a digest. */
export function shortDigest(digest: string): string {
  const i = digest.indexOf(':');
  return digest.slice(i + 1, i + 13);
}

function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 3 : v < 100 ? 2 : 1)}${units[u]}`;
}

/** `[=====>      ]  1.2MB/3.4MB`, the bar dockerd puts in `progress` for clients that print it as is. */
export function progressBar(current: number, total: number): string {
  const width = 50;
  const filled = total > 0 ? Math.min(width, Math.floor((current / total) * width)) : 0;
  const bar = filled >= width ? '='.repeat(width) : `${'='.repeat(filled)}>${' '.repeat(width - filled - 1)}`;
  return `[${bar}] ${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

export const progress = {
  status: (status: string, id?: string): ProgressMessage => (id === undefined ? { status } : { status, id }),
  /** A layer's state change: dockerd sends an empty progressDetail with it. */
  layer: (status: string, id: string): ProgressMessage => ({ status, progressDetail: {}, id }),
  bytes: (status: string, id: string, current: number, total: number): ProgressMessage => ({
    status,
    progressDetail: { current, total },
    progress: progressBar(current, total),
    id,
  }),
  aux: (aux: Record<string, unknown>): ProgressMessage => ({ aux }),
  error: (message: string): ProgressMessage => ({ errorDetail: { message }, error: message }),
};

/** Rate-limits byte progress: at most one message per step of the total (and always the last). */
export function throttled(
  sink: ProgressSink,
  status: string,
  id: string,
  total: number,
): (current: number) => void {
  let last = -1;
  const step = Math.max(1, Math.floor(total / 50));
  return (current) => {
    if (current !== total && current - last < step) return;
    last = current;
    sink(progress.bytes(status, id, current, total));
  };
}
