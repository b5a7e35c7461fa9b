// The containers slice: the list and its filters, the selection, live CPU and memory, and the actions
// on one container, on the selection or on a compose project. Every action ends in a toast; every
// removal asks first; a stopped container's removal can be undone for a few seconds (main keeps it).
import type {
  ContainerHealth,
  ContainerSummary,
  ContainerUsage,
  ContractError,
  RunContainerRequest,
} from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import {
  type ContainerAction,
  canDo,
  isLive,
  pastTense,
  type Transition,
  transitionOf,
} from './container-states.ts';
import { kept, type Selection, selectionOf, toggled } from './lists.ts';
import type { ConfirmRequest } from './notices.ts';
import type { Slice } from './types.ts';

export type ContainerSortKey = 'name' | 'state' | 'cpu' | 'memory' | 'created';

export interface ContainersSlice {
  containers: ContainerSummary[];
  containersError: ContractError | null;
  containersLoaded: boolean;
  search: string;
  onlyRunning: boolean;
  healthFilter: ContainerHealth | 'any';
  containerSort: { key: ContainerSortKey; descending: boolean };
  collapsedProjects: Record<string, true>;
  selected: Selection;
  /** Actions under way, by container id: the list shows "stopping…" in place of the state. */
  transitions: Record<string, Transition>;
  /** CPU and memory of the running containers, by id. */
  usage: Record<string, ContainerUsage>;
  /**
   * Removals kept for undo, out of the list at once, before main's lists say so too: by id, the number
   * of the last list asked for before main took the removal on (Infinity until it answers). A list
   * asked for later that still holds the container means main let it go (undone, or failed).
   */
  hiddenRemovals: Record<string, number>;
  refreshContainers(): Promise<void>;
  refreshUsage(): Promise<void>;
  setSearch(s: string): void;
  setOnlyRunning(on: boolean): void;
  setHealthFilter(h: ContainerHealth | 'any'): void;
  /** Sorts by `key`; the same key again turns the order round. */
  sortContainersBy(key: ContainerSortKey): void;
  toggleProject(project: string): void;
  toggleSelected(id: string): void;
  setSelected(ids: string[]): void;
  /** One container; remove asks first. */
  containerAction(action: ContainerAction, id: string): Promise<void>;
  /** The containers among `ids` that Docker lets do `action`; remove asks first. */
  bulkAction(action: ContainerAction, ids: string[], project?: string): Promise<void>;
  /** Asks, then removes: stopped ones with Undo for a few seconds, running ones stopped and removed at once. */
  removeContainers(ids: string[], project?: string): Promise<boolean>;
  /**
   * `docker run -d`: an image the engine lacks is pulled first, with its progress in the images
   * slice's transfer; a failed pull creates nothing. Ends in a toast.
   */
  runContainer(req: RunContainerRequest): Promise<{ id: string } | ContractError>;
}

const containersOf = (n: number) => `${n} container${n === 1 ? '' : 's'}`;

/** The question a removal asks: what goes, whether it is stopped first, whether it can be undone. */
export function removalQuestion(targets: ContainerSummary[], project?: string): ConfirmRequest {
  const live = targets.filter((c) => isLive(c.state));
  const one = targets.length === 1 ? targets[0] : null;
  const undoNote = 'It is kept for a few seconds: Undo in the notification brings it back.';
  const body = project
    ? live.length > 0
      ? `${containersOf(targets.length)} of ${project}, ${live.length} of them running: the running ones are stopped, then all are removed at once. This cannot be undone. Its networks and volumes are kept.`
      : `${containersOf(targets.length)} of ${project} will be removed. Its networks and volumes are kept. ${undoNote.replace('It is', 'They are')}`
    : one
      ? live.length > 0
        ? `${one.name} is ${one.state}: it will be stopped and removed at once. This cannot be undone.`
        : `${one.name} will be removed. ${undoNote}`
      : live.length > 0
        ? `${live.length} of them ${live.length === 1 ? 'is' : 'are'} running: ${live.length === 1 ? 'it is' : 'they are'} stopped, then all are removed at once. This cannot be undone.`
        : `They will be removed. ${undoNote.replace('It is', 'They are')}`;
  return {
    title: project
      ? `Delete project ${project}?`
      : one
        ? live.length > 0
          ? `Stop and remove ${one.name}?`
          : `Remove ${one.name}?`
        : `Remove ${containersOf(targets.length)}?`,
    body,
    items: one && !project ? undefined : targets.map((c) => c.name),
    confirmLabel: project ? 'Delete project' : live.length > 0 ? 'Stop and remove' : 'Remove',
  };
}

export const containersSlice: Slice<ContainersSlice> = (set, get) => {
  /** The transport the removals are watched on (tests replace it). */
  let watchingRemovals: unknown = null;
  let usageInFlight = false;
  /** Numbers the list requests, to tell which came after a removal was taken on. */
  let listSeq = 0;

  const setTransitions = (ids: string[], t: Transition | null) => {
    const transitions = { ...get().transitions };
    for (const id of ids) {
      if (t) transitions[id] = t;
      else delete transitions[id];
    }
    set({ transitions });
  };
  const unhide = (ids: string[]) => {
    const hiddenRemovals = { ...get().hiddenRemovals };
    for (const id of ids) delete hiddenRemovals[id];
    set({ hiddenRemovals });
  };
  const nameOf = (id: string) => get().containers.find((c) => c.id === id)?.name ?? id.slice(0, 12);

  /** How removals kept for undo end, pushed from main: a failure is told; either way the row may come back. */
  const watchRemovals = () => {
    const transport = api();
    if (watchingRemovals === transport) return;
    watchingRemovals = transport;
    transport.subscribe('containers.removals', undefined, (m) => {
      if (m.type === 'end') {
        if (watchingRemovals === transport) watchingRemovals = null;
        return;
      }
      const o = m.event;
      unhide([o.id]);
      if (o.outcome === 'failed') {
        get().notify({ kind: 'error', message: `Could not remove ${o.name}`, detail: o.message });
        void get().refreshContainers();
      }
    });
  };

  /** Runs `action` on each id at once, showing the transition meanwhile; answers the failures by name. */
  const runAll = async (action: Exclude<ContainerAction, 'remove'> | 'forceRemove', ids: string[]) => {
    setTransitions(ids, transitionOf[action === 'forceRemove' ? 'remove' : action]);
    const results = await Promise.all(
      ids.map((id) =>
        action === 'forceRemove'
          ? api().invoke('containers.remove', { id, force: true })
          : api().invoke(`containers.${action}`, { id }),
      ),
    );
    const failed = results.flatMap((r, i) => (r.ok ? [] : [{ id: ids[i], error: r.error }]));
    const names = new Map(ids.map((id) => [id, nameOf(id)]));
    setTransitions(ids, null);
    await get().refreshContainers();
    return { done: ids.length - failed.length, failed, names };
  };

  const tell = (
    action: ContainerAction,
    ids: string[],
    outcome: Awaited<ReturnType<typeof runAll>>,
    project?: string,
    skipped = 0,
  ) => {
    const { done, failed, names } = outcome;
    const what =
      project !== undefined
        ? `${project} (${containersOf(done)})`
        : ids.length === 1
          ? (names.get(ids[0]) ?? '')
          : containersOf(done);
    const skippedNote = skipped > 0 ? `; ${skipped} skipped (nothing to ${action})` : '';
    if (done > 0 || failed.length === 0) {
      get().notify({ kind: 'success', message: `${pastTense[action]} ${what}${skippedNote}` });
    }
    if (failed.length > 0) {
      get().notify({
        kind: 'error',
        message: `Could not ${action} ${failed.map((f) => names.get(f.id)).join(', ')}`,
        detail: failed.map((f) => `${names.get(f.id)}: ${f.error.message}`).join('\n'),
      });
    }
  };

  return {
    containers: [],
    containersError: null,
    containersLoaded: false,
    search: '',
    onlyRunning: false,
    healthFilter: 'any',
    containerSort: { key: 'name', descending: false },
    collapsedProjects: {},
    selected: {},
    transitions: {},
    usage: {},
    hiddenRemovals: {},
    async refreshContainers() {
      const seq = ++listSeq;
      const r = await api().invoke('containers.list', { all: true });
      if (!r.ok) return set({ containersError: r.error, containersLoaded: true });
      const hidden = get().hiddenRemovals;
      unhide(r.value.filter((c) => seq > (hidden[c.id] ?? Infinity)).map((c) => c.id));
      const containers = r.value.filter((c) => get().hiddenRemovals[c.id] === undefined);
      const ids = new Set(containers.map((c) => c.id));
      const selected = kept(get().selected, (id) => ids.has(id));
      set({ containers, containersError: null, containersLoaded: true, selected });
    },
    async refreshUsage() {
      if (usageInFlight) return;
      usageInFlight = true;
      try {
        const r = await api().invoke('containers.usage', undefined);
        if (r.ok) set({ usage: Object.fromEntries(r.value.map((u) => [u.id, u])) });
      } finally {
        usageInFlight = false;
      }
    },
    setSearch: (search) => set({ search }),
    setOnlyRunning: (onlyRunning) => set({ onlyRunning }),
    setHealthFilter: (healthFilter) => set({ healthFilter }),
    sortContainersBy(key) {
      const cur = get().containerSort;
      set({ containerSort: { key, descending: cur.key === key ? !cur.descending : false } });
    },
    toggleProject(project) {
      const collapsedProjects = { ...get().collapsedProjects };
      if (collapsedProjects[project]) delete collapsedProjects[project];
      else collapsedProjects[project] = true;
      set({ collapsedProjects });
    },
    toggleSelected: (id) => set({ selected: toggled(get().selected, id) }),
    setSelected: (ids) => set({ selected: selectionOf(ids) }),
    async containerAction(action, id) {
      if (action === 'remove') {
        await get().removeContainers([id]);
        return;
      }
      tell(action, [id], await runAll(action, [id]));
    },
    async bulkAction(action, ids, project) {
      const byId = new Map(get().containers.map((c) => [c.id, c]));
      const targets = ids.filter((id) => {
        const c = byId.get(id);
        return c !== undefined && canDo(action, c.state) && !get().transitions[id];
      });
      if (action === 'remove') {
        await get().removeContainers(targets, project);
        return;
      }
      if (targets.length === 0) {
        get().notify({
          kind: 'info',
          message: `Nothing to ${action}: no ${project ? `container of ${project}` : 'selected container'} can be ${pastTense[action].toLowerCase()} now`,
        });
        return;
      }
      tell(action, targets, await runAll(action, targets), project, ids.length - targets.length);
    },
    async removeContainers(ids, project) {
      const byId = new Map(get().containers.map((c) => [c.id, c]));
      const targets = ids.flatMap((id) => byId.get(id) ?? []);
      if (targets.length === 0) return false;
      if (!(await get().confirm(removalQuestion(targets, project)))) return false;
      const targetIds = targets.map((c) => c.id);
      if (targets.some((c) => isLive(c.state))) {
        tell('remove', targetIds, await runAll('forceRemove', targetIds), project);
        return true;
      }
      watchRemovals();
      const hiddenRemovals = { ...get().hiddenRemovals };
      for (const id of targetIds) hiddenRemovals[id] = Infinity;
      set({
        hiddenRemovals,
        containers: get().containers.filter((c) => hiddenRemovals[c.id] === undefined),
        selected: kept(get().selected, (id) => hiddenRemovals[id] === undefined),
      });
      const r = await api().invoke('containers.removeLater', { ids: targetIds });
      const what = project
        ? `${project} (${containersOf(targets.length)})`
        : targets.length === 1
          ? targets[0].name
          : containersOf(targets.length);
      if (!r.ok) {
        unhide(targetIds);
        await get().refreshContainers();
        get().notify({ kind: 'error', message: `Could not remove ${what}`, detail: r.error.message });
        return false;
      }
      const taken = { ...get().hiddenRemovals };
      for (const id of targetIds) if (taken[id] !== undefined) taken[id] = listSeq;
      set({ hiddenRemovals: taken });
      get().notify(
        {
          kind: 'success',
          message: `Removed ${what}`,
          undo: async () => {
            const u = await api().invoke('containers.undoRemove', { ids: targetIds });
            unhide(targetIds);
            await get().refreshContainers();
            if (!u.ok)
              get().notify({
                kind: 'error',
                message: `Could not bring back ${what}`,
                detail: u.error.message,
              });
            else if (u.value.restored.length < targetIds.length)
              get().notify({
                kind: 'error',
                message: `Too late to bring back ${containersOf(targetIds.length - u.value.restored.length)}: the removal had begun`,
              });
            else get().notify({ kind: 'success', message: `Brought back ${what}` });
          },
        },
        r.value.delayMs,
      );
      return true;
    },
    async runContainer(req) {
      const image = req.image.trim();
      let r = await api().invoke('containers.run', req);
      if (!r.ok && r.error.code === 'run.image_not_found') {
        const pulled = await get().startTransfer('pull', image, { forRun: true });
        // The pull's own toast says why it failed.
        if (pulled.phase !== 'done')
          return {
            kind: pulled.error?.kind ?? 'internal',
            code: 'run.pull_failed',
            message: `${image} is not here and could not be pulled: ${pulled.error?.message ?? 'the pull did not finish'}`,
          };
        r = await api().invoke('containers.run', req);
      }
      await get().refreshContainers();
      const name = req.name?.trim() || (r.ok ? r.value.id.slice(0, 12) : image);
      get().report(`Started container ${name} from ${image}`, r.ok ? null : r.error, `Cannot run ${image}`);
      return r.ok ? r.value : r.error;
    },
  };
};
