// The containers list as rows: filtered (search, only running, health), sorted, and grouped by compose
// project (a project's row stands where its sort key puts it, its containers under it).
import type {
  ContainerHealth,
  ContainerState,
  ContainerSummary,
  ContainerUsage,
} from '../../../../electron/contract/index.ts';
import type { ContainerSortKey } from '../../store/containers.ts';
import { formatBytes } from '../../ui/format.ts';

export interface ListFilters {
  search: string;
  onlyRunning: boolean;
  health: ContainerHealth | 'any';
}

/** Matches name, image, id prefix, state, health, compose project and service. */
export function filterContainers(list: ContainerSummary[], f: ListFilters): ContainerSummary[] {
  const q = f.search.trim().toLowerCase();
  return list.filter((c) => {
    if (f.onlyRunning && c.state !== 'running') return false;
    if (f.health !== 'any' && c.health !== f.health) return false;
    if (!q) return true;
    return (
      c.name.toLowerCase().includes(q) ||
      c.image.toLowerCase().includes(q) ||
      c.id.startsWith(q) ||
      c.state.startsWith(q) ||
      (c.health?.startsWith(q) ?? false) ||
      (c.composeProject?.toLowerCase().includes(q) ?? false) ||
      (c.composeService?.toLowerCase().includes(q) ?? false)
    );
  });
}

const stateRank: Record<ContainerState, number> = {
  running: 0,
  restarting: 1,
  paused: 2,
  created: 3,
  exited: 4,
  dead: 5,
  removing: 6,
};

export type Usage = Record<string, ContainerUsage>;

interface SortKeys {
  name: string;
  state: number;
  cpu: number;
  memory: number;
  created: number;
}

function keysOf(members: ContainerSummary[], name: string, usage: Usage): SortKeys {
  let cpu = -1;
  let memory = -1;
  for (const c of members) {
    const u = usage[c.id];
    // Containers without figures (not running) sort after those with any.
    if (u) {
      cpu = Math.max(cpu, 0) + (u.cpuPercent ?? 0);
      memory = Math.max(memory, 0) + u.memoryUsage;
    }
  }
  return {
    name: name.toLowerCase(),
    state: Math.min(...members.map((c) => stateRank[c.state])),
    cpu,
    memory,
    created: Math.max(...members.map((c) => c.created)),
  };
}

function compare(a: SortKeys, b: SortKeys, key: ContainerSortKey, descending: boolean): number {
  const byName = a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  let d: number;
  if (key === 'name') d = byName;
  else if (key === 'state') d = a.state - b.state;
  // Busiest, biggest and newest first is what one sorts these by: that is the ascending order here.
  else d = b[key] - a[key];
  return (descending ? -d : d) || byName;
}

export type ListRow =
  | {
      kind: 'project';
      project: string;
      containers: ContainerSummary[];
      collapsed: boolean;
    }
  | { kind: 'container'; container: ContainerSummary; inProject: boolean };

export interface RowOptions {
  sort: { key: ContainerSortKey; descending: boolean };
  usage: Usage;
  collapsed: Record<string, true>;
}

/** Containers of a compose project under one row each; the rest as they are; all in sort order. */
export function listRows(visible: ContainerSummary[], o: RowOptions): ListRow[] {
  const projects = new Map<string, ContainerSummary[]>();
  const entries: { keys: SortKeys; rows: () => ListRow[] }[] = [];
  const sortMembers = (members: ContainerSummary[]) =>
    members
      .map((c) => ({ c, keys: keysOf([c], c.name, o.usage) }))
      .sort((a, b) => compare(a.keys, b.keys, o.sort.key, o.sort.descending))
      .map((x) => x.c);
  for (const c of visible) {
    if (c.composeProject) {
      const members = projects.get(c.composeProject);
      if (members) members.push(c);
      else projects.set(c.composeProject, [c]);
    } else {
      entries.push({
        keys: keysOf([c], c.name, o.usage),
        rows: () => [{ kind: 'container', container: c, inProject: false }],
      });
    }
  }
  for (const [project, members] of projects) {
    entries.push({
      keys: keysOf(members, project, o.usage),
      rows: () => {
        const sorted = sortMembers(members);
        const collapsed = !!o.collapsed[project];
        const head: ListRow = { kind: 'project', project, containers: sorted, collapsed };
        if (collapsed) return [head];
        return [head, ...sorted.map((c): ListRow => ({ kind: 'container', container: c, inProject: true }))];
      },
    });
  }
  entries.sort((a, b) => compare(a.keys, b.keys, o.sort.key, o.sort.descending));
  return entries.flatMap((e) => e.rows());
}

/** "2 running, 1 exited". */
export function stateSummary(containers: ContainerSummary[]): string {
  const counts = new Map<ContainerState, number>();
  for (const c of containers) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => stateRank[a[0]] - stateRank[b[0]])
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
}

export function cpuText(u: ContainerUsage | undefined): string {
  if (!u) return '—';
  return u.cpuPercent === null ? '…' : `${u.cpuPercent.toFixed(1)}%`;
}

export function memoryText(u: ContainerUsage | undefined): string {
  return u ? formatBytes(u.memoryUsage) : '—';
}
