// What the Kubernetes lists compute from rows, apart from React: kubectl's ages and restart counts,
// the search that filters a list, and the column sort. Pure, so the screens stay thin and the unit
// tests reach every rule.
import type { KubeProblem, KubeRow, PodRow } from '../../../../electron/contract/index.ts';

/** kubectl's AGE column (apimachinery's HumanDuration): `45s`, `3m20s`, `17m`, `5h3m`, `2d4h`, `400d`, `3y20d`. */
export function kubeDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 2) return `${days}d`;
  if (hours < 24 * 365 * 8)
    return days % 365 === 0 ? `${days / 365}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

/** The age of an ISO time at `now` as kubectl writes it; `—` when there is none. */
export function kubeAge(iso: string | undefined, now: number): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : kubeDuration(now - t);
}

/** kubectl's RESTARTS: `0`, or `3 (2m ago)` with the last restart's age. */
export function restartsText(p: Pick<PodRow, 'restarts' | 'lastRestartAt'>, now: number): string {
  if (p.restarts === 0 || !p.lastRestartAt) return String(p.restarts);
  return `${p.restarts} (${kubeAge(p.lastRestartAt, now)} ago)`;
}

/** How a status reads at a glance: the badge's colour. */
export type Tone = 'ok' | 'warn' | 'bad' | 'muted';

const badStatuses =
  /BackOff|Err|Error|Failed|OOMKilled|Evicted|Unknown|Invalid|ContainerCannotRun|DeadlineExceeded/;

export function podTone(p: Pick<PodRow, 'status' | 'ready' | 'total' | 'deleting'>): Tone {
  if (p.deleting || p.status === 'Terminating') return 'muted';
  if (badStatuses.test(p.status)) return 'bad';
  if (p.status === 'Completed' || p.status === 'Succeeded') return 'muted';
  if (p.status === 'Running' && p.ready === p.total) return 'ok';
  return 'warn';
}

// Rows are never changed in place (a change is a new object), so a row's text can be kept by identity:
// a search over a live list of thousands builds only the texts of the rows that changed.
const texts = new WeakMap<KubeRow, string>();

/** The words a row is found by: its name, namespace, labels, owner and what its kind shows. */
export function searchText(r: KubeRow): string {
  let text = texts.get(r);
  if (text === undefined) {
    text = rowText(r);
    texts.set(r, text);
  }
  return text;
}

function rowText(r: KubeRow): string {
  const parts: (string | undefined)[] = [r.name, r.namespace];
  for (const [k, v] of Object.entries(r.labels)) parts.push(`${k}=${v}`);
  if (r.owner) parts.push(`${r.owner.kind}/${r.owner.name}`);
  switch (r.kind) {
    case 'pods':
      parts.push(r.status, r.ip, r.node);
      break;
    case 'deployments':
    case 'statefulsets':
    case 'daemonsets':
      parts.push(...r.images, r.rollout);
      break;
    case 'jobs':
      parts.push(r.status, ...r.images);
      break;
    case 'cronjobs':
      parts.push(r.schedule);
      break;
    case 'services':
      parts.push(r.type, r.clusterIP, ...r.externalIPs, ...r.ports.map((p) => String(p.port)));
      break;
    case 'configmaps':
    case 'secrets':
      parts.push(r.type, ...r.keys);
      break;
    case 'events':
      parts.push(r.type, r.reason, r.message, `${r.object.kind}/${r.object.name}`);
      break;
    case 'namespaces':
      parts.push(r.phase);
      break;
  }
  return parts.filter(Boolean).join('\n').toLowerCase();
}

/**
 * The rows the search keeps: every word must be found (case aside); `key=value` words match labels and
 * `!word` keeps the rows that lack it, so `app=web !Running` finds web's pods that do not run.
 */
export function filterRows<R extends KubeRow>(rows: readonly R[], query: string): R[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows.slice();
  const want = words.filter((w) => !w.startsWith('!') || w.length === 1);
  const not = words.filter((w) => w.startsWith('!') && w.length > 1).map((w) => w.slice(1));
  return rows.filter((r) => {
    const text = searchText(r);
    return want.every((w) => text.includes(w)) && !not.some((w) => text.includes(w));
  });
}

export type SortValue = string | number | undefined;
export interface Sort {
  /** A column's id. */
  key: string;
  descending: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compareValues(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  // Rows without a value go last, whichever the direction.
  if (a === undefined || a === '') return 1;
  if (b === undefined || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/** Sorted by `value`, ties by namespace then name, so that a live list does not shuffle equal rows. */
export function sortRows<R extends KubeRow>(rows: R[], value: (r: R) => SortValue, descending: boolean): R[] {
  const keyed = rows.map((r) => ({ r, v: value(r) }));
  keyed.sort((x, y) => {
    const missing = (x.v === undefined || x.v === '') !== (y.v === undefined || y.v === '');
    const c = compareValues(x.v, y.v);
    if (c !== 0) return descending && !missing ? -c : c;
    return collator.compare(x.r.namespace, y.r.namespace) || collator.compare(x.r.name, y.r.name);
  });
  return keyed.map((k) => k.r);
}

/** A creation time as a number that sorts ages (newest first is the larger number). */
export const createdValue = (r: KubeRow): number => Date.parse(r.createdAt) || 0;

/** A problem in a sentence that names the context: what the screen says in place of a list. */
export function problemTitle(p: KubeProblem, context: string, what: string): string {
  switch (p.kind) {
    case 'unreachable':
      return `The cluster of context ${context} cannot be reached`;
    case 'certificate':
      return `The cluster of context ${context} has a certificate that is not trusted`;
    case 'unauthorized':
      return `The cluster of context ${context} refused the credentials`;
    case 'forbidden':
      return `Forbidden: context ${context} may not list ${what}`;
    case 'not_found':
      return `The cluster of context ${context} does not serve ${what}`;
    case 'invalid':
      return `The cluster of context ${context} refused the request for ${what}`;
    default:
      return `Cannot list ${what} in context ${context}`;
  }
}

/** The TCP ports a pod's containers declare (`http 8080/TCP` → 8080), once each, for its Port-forward tab. */
export function declaredTcpPorts(ports: string[]): number[] {
  const out: number[] = [];
  for (const p of ports) {
    const m = /(\d+)\/TCP$/.exec(p);
    if (m && !out.includes(Number(m[1]))) out.push(Number(m[1]));
  }
  return out;
}
