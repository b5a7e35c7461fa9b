// The store's slices against a fake BerthApi (the transport seam); the store is reset between cases.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type {
  BerthApi,
  ContainerSummary,
  EventChannel,
  InvokeChannel,
  InvokeRequest,
  RemovalOutcome,
  Result,
  StreamMessage,
} from '../../../electron/contract/index.ts';
import { setApi } from '../api/client.ts';
import { parseRoute, routeHash, useStore } from './index.ts';

const initial = useStore.getState();

function container(name: string, state: ContainerSummary['state'] = 'running'): ContainerSummary {
  return { id: `${name}-id`, name, image: 'busybox', state, status: '', created: 0, ports: [] };
}

interface Fake {
  api: BerthApi;
  calls: string[];
  /** Requests by channel, in order. */
  reqs: Map<string, unknown[]>;
  /** Pushes an event to the `containers.removals` subscriber. */
  pushRemoval(o: RemovalOutcome): void;
  /** While set, `containers.stop` waits for it. */
  stopGate: Promise<void> | null;
  /** Main lets a pending removal go without a word (as when another window undoes it). */
  forget(id: string): void;
}

/** An engine in memory: a list of containers; anything done to `locked` fails; removals wait for undo. */
function fakeApi(containers: ContainerSummary[]): Fake {
  const fail = (message: string): Result<never> => ({
    ok: false,
    error: { kind: 'conflict', code: 'http.409', message },
  });
  const pending = new Set<string>();
  let removals: ((m: StreamMessage<'containers.removals'>) => void) | null = null;
  const fake: Fake = {
    calls: [],
    reqs: new Map(),
    stopGate: null,
    pushRemoval: (o) => removals?.({ type: 'event', event: o }),
    forget: (id) => pending.delete(id),
    api: {} as BerthApi,
  };
  const find = (id: string) => containers.find((c) => c.id === id);
  const handle = async (channel: InvokeChannel, req: unknown): Promise<Result<unknown>> => {
    fake.calls.push(channel);
    fake.reqs.set(channel, [...(fake.reqs.get(channel) ?? []), req]);
    const id = (req as { id?: string } | undefined)?.id ?? '';
    if (id === 'locked-id') return fail('cannot touch locked');
    switch (channel) {
      case 'containers.list':
        return { ok: true, value: containers.filter((c) => !pending.has(c.id)) };
      case 'containers.remove': {
        const { force } = req as InvokeRequest<'containers.remove'>;
        if (find(id)?.state === 'running' && !force) return fail('container is running');
        containers.splice(containers.indexOf(find(id) as ContainerSummary), 1);
        return { ok: true, value: undefined };
      }
      case 'containers.removeLater':
        for (const i of (req as InvokeRequest<'containers.removeLater'>).ids) pending.add(i);
        return { ok: true, value: { delayMs: 5000 } };
      case 'containers.undoRemove': {
        const ids = (req as InvokeRequest<'containers.undoRemove'>).ids.filter((i) => pending.delete(i));
        return { ok: true, value: { restored: ids } };
      }
      case 'containers.stop': {
        await fake.stopGate;
        const c = find(id);
        if (c) c.state = 'exited';
        return { ok: true, value: undefined };
      }
      case 'containers.start': {
        const c = find(id);
        if (c) c.state = 'running';
        return { ok: true, value: undefined };
      }
      case 'containers.usage':
        return {
          ok: true,
          value: containers
            .filter((c) => c.state === 'running')
            .map((c) => ({ id: c.id, cpuPercent: 12.5, memoryUsage: 1e6, memoryLimit: 1e9 })),
        };
      case 'engine.info':
        return { ok: false, error: { kind: 'unreachable', code: 'engine.enoent', message: 'down' } };
      default:
        return { ok: true, value: undefined };
    }
  };
  fake.api = {
    invoke: ((channel: InvokeChannel, req: unknown) => handle(channel, req)) as BerthApi['invoke'],
    subscribe: ((channel: EventChannel, _params: unknown, onMessage: (m: unknown) => void) => {
      if (channel === 'containers.removals')
        removals = onMessage as (m: StreamMessage<'containers.removals'>) => void;
      return () => undefined;
    }) as BerthApi['subscribe'],
  };
  return fake;
}

const tick = () => new Promise((r) => setImmediate(r));
const s = () => useStore.getState();
const names = () => s().containers.map((c) => c.name);
const toasts = () => s().toasts.map((t) => `${t.kind}: ${t.message}${t.detail ? ` (${t.detail})` : ''}`);

/** Starts an action that asks, waits for its question, answers it, and waits for the action. */
async function answering<T>(action: () => Promise<T>, ok: boolean) {
  const done = action();
  await tick();
  const asked = s().confirming;
  assert.ok(asked, 'a confirmation was asked');
  s().answerConfirm(ok);
  return { asked, result: await done };
}

describe('store', () => {
  let fake: Fake;
  let engine: ContainerSummary[];
  beforeEach(async () => {
    for (const t of s().toasts) s().dismissToast(t.id);
    useStore.setState(initial, true);
    engine = [container('web'), container('db', 'exited'), container('locked'), container('cache', 'exited')];
    fake = fakeApi(engine);
    setApi(fake.api);
    await s().refreshContainers();
  });

  test('refreshContainers loads the list and drops selections of containers that are gone', async () => {
    s().setSelected(['web-id', 'ghost-id']);
    await s().refreshContainers();
    assert.equal(s().containers.length, 4);
    assert.deepEqual(Object.keys(s().selected), ['web-id']);
  });

  test('removing a running container asks, saying it is stopped first and cannot be undone; Cancel keeps it', async () => {
    const { asked } = await answering(() => s().containerAction('remove', 'web-id'), false);
    assert.equal(asked.title, 'Stop and remove web?');
    assert.match(
      String(asked.body),
      /web is running: it will be stopped and removed at once\. This cannot be undone\./,
    );
    assert.equal(asked.confirmLabel, 'Stop and remove');
    assert.equal(fake.calls.includes('containers.remove'), false);
    assert.ok(names().includes('web'));

    await answering(() => s().containerAction('remove', 'web-id'), true);
    assert.deepEqual(fake.reqs.get('containers.remove'), [{ id: 'web-id', force: true }]);
    assert.equal(names().includes('web'), false);
    assert.deepEqual(toasts(), ['success: Removed web']);
  });

  test('removing a stopped container hides it at once, toasts Undo, and Undo brings it back', async () => {
    const { asked } = await answering(() => s().containerAction('remove', 'db-id'), true);
    assert.equal(asked.title, 'Remove db?');
    assert.match(String(asked.body), /Undo/);
    assert.deepEqual(fake.reqs.get('containers.removeLater'), [{ ids: ['db-id'] }]);
    assert.equal(fake.calls.includes('containers.remove'), false, 'nothing removed yet');
    assert.equal(names().includes('db'), false, 'gone from the list at once');
    await s().refreshContainers();
    assert.equal(names().includes('db'), false, 'and stays gone');
    const toast = s().toasts.at(-1);
    assert.equal(toast?.message, 'Removed db');
    await toast?.undo?.();
    assert.deepEqual(fake.reqs.get('containers.undoRemove'), [{ ids: ['db-id'] }]);
    assert.ok(names().includes('db'));
    assert.equal(s().toasts.at(-1)?.message, 'Brought back db');
  });

  test('a removal kept for undo that fails later is told, and the row comes back', async () => {
    await answering(() => s().containerAction('remove', 'db-id'), true);
    fake.pushRemoval({ id: 'db-id', name: 'db', outcome: 'failed', message: 'device busy' });
    await tick();
    assert.deepEqual(s().hiddenRemovals, {});
    assert.equal(toasts().at(-1), 'error: Could not remove db (device busy)');
  });

  test('a removal main let go of unheard (undone in another window) comes back with the next list', async () => {
    await answering(() => s().containerAction('remove', 'db-id'), true);
    await s().refreshContainers();
    assert.equal(names().includes('db'), false);
    fake.forget('db-id');
    await s().refreshContainers();
    assert.ok(names().includes('db'));
    assert.deepEqual(s().hiddenRemovals, {});
  });

  test('bulk removal lists the names; with a running one all go at once, failures named', async () => {
    s().setSelected(['web-id', 'db-id', 'locked-id']);
    const { asked } = await answering(() => s().bulkAction('remove', Object.keys(s().selected)), true);
    assert.equal(asked.title, 'Remove 3 containers?');
    assert.deepEqual(asked.items, ['web', 'db', 'locked']);
    assert.match(String(asked.body), /2 of them are running: they are stopped, then all are removed at once/);
    assert.deepEqual(names(), ['locked', 'cache']);
    assert.deepEqual(toasts(), [
      'success: Removed 2 containers',
      'error: Could not remove locked (locked: cannot touch locked)',
    ]);
    assert.deepEqual(s().selected, { 'locked-id': true }, 'what failed stays selected, to try again');
  });

  test('bulk stop acts on the containers that can stop and says how many it skipped', async () => {
    await s().bulkAction('stop', ['web-id', 'db-id', 'cache-id']);
    assert.deepEqual(fake.reqs.get('containers.stop'), [{ id: 'web-id' }]);
    assert.deepEqual(toasts(), ['success: Stopped web; 2 skipped (nothing to stop)']);
    await s().bulkAction('start', ['web-id', 'db-id', 'cache-id'], 'shop');
    assert.equal(toasts().at(-1), 'success: Started shop (3 containers)');
  });

  test('an action shows its transition ("stopping") while it runs, and its toast when done', async () => {
    let open: () => void = () => {};
    fake.stopGate = new Promise<void>((r) => {
      open = r;
    });
    const done = s().containerAction('stop', 'web-id');
    await tick();
    assert.equal(s().transitions['web-id'], 'stopping');
    open();
    await done;
    assert.deepEqual(s().transitions, {});
    assert.equal(s().containers.find((c) => c.name === 'web')?.state, 'exited');
    assert.deepEqual(toasts(), ['success: Stopped web']);
  });

  test('refreshUsage keeps CPU and memory by container id', async () => {
    await s().refreshUsage();
    assert.deepEqual(Object.keys(s().usage).sort(), ['locked-id', 'web-id']);
    assert.equal(s().usage['web-id'].cpuPercent, 12.5);
  });

  test('sorting by the same column again turns the order round; projects collapse and expand', () => {
    s().sortContainersBy('cpu');
    assert.deepEqual(s().containerSort, { key: 'cpu', descending: false });
    s().sortContainersBy('cpu');
    assert.deepEqual(s().containerSort, { key: 'cpu', descending: true });
    s().toggleProject('shop');
    assert.deepEqual(s().collapsedProjects, { shop: true });
    s().toggleProject('shop');
    assert.deepEqual(s().collapsedProjects, {});
  });

  test('an unreachable engine is kept as an error, not thrown', async () => {
    await s().refreshEngine();
    assert.equal(s().engineError?.kind, 'unreachable');
    assert.equal(s().engineLoaded, true);
  });

  test('toggleSelected and the theme toggle', () => {
    s().toggleSelected('a');
    s().toggleSelected('b');
    s().toggleSelected('a');
    assert.deepEqual(s().selected, { b: true });
    const before = s().theme;
    s().toggleTheme();
    assert.notEqual(s().theme, before);
  });

  test('routes round-trip through the URL hash', () => {
    for (const r of [
      { screen: 'dashboard' },
      { screen: 'containers' },
      { screen: 'containers', project: 'my shop' },
      { screen: 'images' },
      { screen: 'container', id: 'a/b c' },
      { screen: 'volumes' },
      { screen: 'volume', name: 'my.data' },
      { screen: 'networks' },
    ] as const) {
      assert.deepEqual(parseRoute(routeHash(r)), r);
    }
    assert.equal(routeHash({ screen: 'containers', project: 'shop' }), '#/projects/shop');
    assert.deepEqual(parseRoute('#/nonsense'), { screen: 'dashboard' });
  });
});
