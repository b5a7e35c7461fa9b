// The kube slice against a fake BerthApi (the transport seam): contexts and namespaces, and live lists
// from `kube.watch`: a snapshot then batched changes, a reconnect that shows and relists, a problem that
// stays with its own list, and a switch of context or namespace that resubscribes.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type {
  BerthApi,
  EventChannel,
  InvokeChannel,
  KubeContextsView,
  KubeListParams,
  KubeWatchEvent,
  PodRow,
  Result,
  StreamMessage,
} from '../../../electron/contract/index.ts';
import { setApi } from '../api/client.ts';
import {
  activeKubeContext,
  activeKubeNamespace,
  kindListParams,
  kubeAheadMs,
  kubeBatchMs,
  listKey,
  parseRoute,
  type Route,
  routeHash,
  useStore,
} from './index.ts';

const initial = useStore.getState();

function pod(name: string, patch: Partial<PodRow> = {}): PodRow {
  return {
    kind: 'pods',
    uid: `uid-${name}`,
    name,
    namespace: 'default',
    createdAt: '2026-01-01T00:00:00Z',
    resourceVersion: '1',
    labels: {},
    deleting: false,
    status: 'Pending',
    phase: 'Pending',
    ready: 0,
    total: 1,
    restarts: 0,
    containers: ['main'],
    initContainers: [],
    ...patch,
  };
}

const contexts = (active: string, current = 'berth'): KubeContextsView => ({
  contexts: [
    {
      name: 'berth',
      cluster: 'berth',
      server: 'https://127.0.0.1:6443',
      user: 'berth',
      berth: true,
      current: current === 'berth',
    },
    {
      name: 'prod',
      cluster: 'prod',
      server: 'https://10.0.0.1:6443',
      user: 'me',
      namespace: 'shop',
      berth: false,
      current: current === 'prod',
    },
  ],
  active,
  files: ['/h/.kube/config'],
});

interface Watch {
  params: KubeListParams;
  send(e: KubeWatchEvent): void;
  end(error?: { kind: 'forbidden' | 'unreachable'; message: string }): void;
  open: boolean;
}

function fakeApi(handle: (channel: InvokeChannel, req: unknown) => Result<unknown>) {
  const calls: { channel: string; req: unknown }[] = [];
  const watches: Watch[] = [];
  const api: BerthApi = {
    invoke: (async (channel: InvokeChannel, req: unknown) => {
      calls.push({ channel, req });
      return handle(channel, req);
    }) as BerthApi['invoke'],
    subscribe: ((channel: EventChannel, params: unknown, on: (m: StreamMessage<EventChannel>) => void) => {
      assert.equal(channel, 'kube.watch');
      const w: Watch = {
        params: params as KubeListParams,
        open: true,
        send: (event) => {
          if (w.open) on({ type: 'event', event } as StreamMessage<EventChannel>);
        },
        end: (e) => {
          if (!w.open) return;
          w.open = false;
          on({ type: 'end', ...(e ? { error: { ...e, code: e.kind } } : {}) });
        },
      };
      watches.push(w);
      return () => {
        w.open = false;
      };
    }) as BerthApi['subscribe'],
  };
  return { api, calls, watches, open: () => watches.filter((w) => w.open) };
}

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const frame = () => new Promise((r) => setTimeout(r, kubeBatchMs * 3));
const list = (p: KubeListParams) => useStore.getState().kubeLists[listKey(p)];
const names = (p: KubeListParams) => [...(list(p)?.rows.values() ?? [])].map((r) => r.name).sort();

describe('kube slice', () => {
  beforeEach(() => useStore.setState(initial, true));

  test('a snapshot, then changes applied together in one batch, untouched rows kept as they were', async () => {
    const f = fakeApi(() => ok(undefined));
    setApi(f.api);
    const params: KubeListParams = { context: 'berth', kind: 'pods', namespace: 'default' };
    const stop = useStore.getState().watchKubeList(params);
    assert.equal(list(params)?.loaded, false, 'loading until the snapshot');
    const [w] = f.watches;
    w.send({ type: 'state', state: 'syncing' });
    w.send({ type: 'snapshot', rows: [pod('a'), pod('b'), pod('c')], resourceVersion: '10' });
    w.send({ type: 'state', state: 'live' });
    assert.deepEqual(names(params), ['a', 'b', 'c']);
    assert.equal(list(params)?.state, 'live');
    const b = list(params)?.rows.get('uid-b');

    let updates = 0;
    const unsub = useStore.subscribe((s, prev) => {
      if (s.kubeLists !== prev.kubeLists) updates++;
    });
    w.send({ type: 'changes', upserts: [pod('a', { status: 'Running', ready: 1 })], deletes: [] });
    w.send({ type: 'changes', upserts: [pod('d')], deletes: ['uid-c'] });
    w.send({
      type: 'changes',
      upserts: [pod('a', { status: 'CrashLoopBackOff', restarts: 2 })],
      deletes: [],
    });
    assert.equal(updates, 0, 'changes wait for their burst');
    await frame();
    unsub();
    assert.equal(updates, 1, 'three changes, one store update');
    assert.deepEqual(names(params), ['a', 'b', 'd']);
    const a = list(params)?.rows.get('uid-a') as PodRow;
    assert.equal(a.status, 'CrashLoopBackOff', 'the last change wins');
    assert.equal(
      list(params)?.rows.get('uid-b'),
      b,
      'an untouched row is the same object (memoised rows skip it)',
    );
    stop();
    assert.equal(f.open().length, 0);
    assert.equal(list(params), undefined, 'the list goes with its last viewer');
  });

  test('a lost watch shows reconnecting with the rows as last seen, then its relist replaces them', async () => {
    const f = fakeApi(() => ok(undefined));
    setApi(f.api);
    const params: KubeListParams = { context: 'berth', kind: 'pods', namespace: null };
    const stop = useStore.getState().watchKubeList(params);
    const [w] = f.watches;
    w.send({ type: 'snapshot', rows: [pod('a'), pod('b')], resourceVersion: '1' });
    w.send({ type: 'state', state: 'live' });
    w.send({ type: 'changes', upserts: [pod('c')], deletes: [] });
    const problem = { kind: 'unreachable' as const, message: 'connect ECONNREFUSED 127.0.0.1:6443' };
    w.send({ type: 'state', state: 'reconnecting', problem });
    assert.equal(list(params)?.state, 'reconnecting');
    assert.deepEqual(list(params)?.problem, problem);
    assert.deepEqual(names(params), ['a', 'b', 'c'], 'pending changes are applied before the state');
    w.send({ type: 'snapshot', rows: [pod('b'), pod('e')], resourceVersion: '7' });
    w.send({ type: 'state', state: 'live' });
    assert.deepEqual(names(params), ['b', 'e'], 'what went while the watch was down is gone');
    assert.equal(list(params)?.state, 'live');
    assert.equal(list(params)?.problem, undefined);
    stop();
  });

  test('a forbidden list says so and leaves the others; a stream that ends says why', async () => {
    const f = fakeApi(() => ok(undefined));
    setApi(f.api);
    const pods: KubeListParams = { context: 'prod', kind: 'pods', namespace: 'shop' };
    const secrets: KubeListParams = { context: 'prod', kind: 'secrets', namespace: 'shop' };
    const events: KubeListParams = { context: 'prod', kind: 'events', namespace: 'shop' };
    const stops = [pods, secrets, events].map((p) => useStore.getState().watchKubeList(p));
    const [wp, ws, we] = f.watches;
    wp.send({ type: 'snapshot', rows: [pod('a', { namespace: 'shop' })], resourceVersion: '1' });
    wp.send({ type: 'state', state: 'live' });
    const forbidden = {
      kind: 'forbidden' as const,
      message: 'secrets is forbidden: User "me" cannot list resource "secrets" in the namespace "shop"',
    };
    ws.send({ type: 'state', state: 'error', problem: forbidden });
    we.end({ kind: 'unreachable', message: 'the connection to the Berth server closed' });
    assert.equal(list(secrets)?.state, 'error');
    assert.deepEqual(list(secrets)?.problem, forbidden);
    assert.equal(list(secrets)?.loaded, false);
    assert.equal(list(events)?.state, 'error');
    assert.equal(list(events)?.problem?.kind, 'unreachable');
    assert.equal(list(pods)?.state, 'live');
    assert.equal(list(pods)?.problem, undefined);
    assert.deepEqual(names(pods), ['a']);
    for (const s of stops) s();
  });

  test('views of one list share one watch; the last to go stops it', () => {
    const f = fakeApi(() => ok(undefined));
    setApi(f.api);
    const params: KubeListParams = { context: 'berth', kind: 'deployments', namespace: null };
    const one = useStore.getState().watchKubeList(params);
    const two = useStore.getState().watchKubeList({ ...params });
    assert.equal(f.watches.length, 1);
    one();
    one();
    assert.equal(f.open().length, 1, 'a stop called twice counts once');
    two();
    assert.equal(f.open().length, 0);
  });

  test('switching context or namespace: the screens resubscribe; the kubeconfig is written only when asked', async () => {
    let active = 'berth';
    let current = 'berth';
    const f = fakeApi((channel, req) => {
      if (channel === 'kube.contexts') return ok(contexts(active, current));
      if (channel === 'kube.setActiveContext') {
        active = (req as { context: string }).context;
        return ok(contexts(active, current));
      }
      if (channel === 'kube.useContext') {
        current = (req as { context: string }).context;
        return ok(contexts(active, current));
      }
      return { ok: false, error: { kind: 'unsupported', code: 'x', message: 'x' } };
    });
    setApi(f.api);
    const s = () => useStore.getState();
    await s().loadKubeContexts();
    assert.equal(activeKubeContext(s()), 'berth');
    assert.equal(activeKubeNamespace(s()), null, 'a context naming no namespace shows all');

    // What a screen does: watch the list of the active context and namespace, again when they change.
    let stop = () => {};
    const follow = () => {
      stop();
      const ctx = activeKubeContext(s());
      if (ctx) stop = s().watchKubeList({ context: ctx, kind: 'pods', namespace: activeKubeNamespace(s()) });
    };
    follow();
    const unfollow = useStore.subscribe((st, prev) => {
      if (
        activeKubeContext(st) !== activeKubeContext(prev) ||
        activeKubeNamespace(st) !== activeKubeNamespace(prev)
      )
        follow();
    });

    assert.equal(await s().setKubeContext('prod'), null);
    assert.equal(activeKubeContext(s()), 'prod');
    assert.equal(activeKubeNamespace(s()), 'shop', "the context's own namespace");
    s().setKubeNamespace('web');
    s().setKubeNamespace(null);
    await s().setKubeContext('berth');
    s().setKubeNamespace('kube-system');
    await s().setKubeContext('prod');
    assert.equal(activeKubeNamespace(s()), null, 'the choice made in a context is kept for it');
    assert.deepEqual(
      f.watches.map((w) => `${w.params.context}/${w.params.namespace ?? '*'}`),
      ['berth/*', 'prod/shop', 'prod/web', 'prod/*', 'berth/*', 'berth/kube-system', 'prod/*'],
    );
    assert.equal(f.open().length, 1, 'only the list shown is watched');
    assert.equal(Object.keys(s().kubeLists).length, 1);
    assert.ok(!f.calls.some((c) => c.channel === 'kube.useContext'), 'switching never writes the kubeconfig');
    assert.equal(current, 'berth');

    assert.equal(await s().makeKubeContextCurrent('prod'), null);
    assert.equal(s().kubeContexts?.contexts.find((c) => c.name === 'prod')?.current, true);
    unfollow();
    stop();
  });

  test('a navigation to a kind asks for its list at once; the screen takes it over, and it goes with the screen', async (t) => {
    const f = fakeApi((channel) => (channel === 'kube.contexts' ? ok(contexts('prod')) : ok(undefined)));
    setApi(f.api);
    await useStore.getState().loadKubeContexts();
    t.mock.timers.enable({ apis: ['setTimeout'] });
    useStore.getState().navigate({ screen: 'kube', kind: 'pods' });
    // Before any screen rendered: the list the pods screen shows (prod's own namespace) is asked for.
    assert.equal(f.watches.length, 1);
    const screen = kindListParams(
      { context: 'prod', namespace: activeKubeNamespace(useStore.getState()) },
      'pods',
    );
    assert.deepEqual(f.watches[0].params, screen);
    assert.deepEqual(screen, { context: 'prod', kind: 'pods', namespace: 'shop' });
    // The screen's own watch is the same subscription.
    const stop = useStore.getState().watchKubeList(screen as KubeListParams);
    assert.equal(f.watches.length, 1);
    t.mock.timers.tick(kubeAheadMs);
    assert.equal(f.open().length, 1, 'held by the screen after the navigation let go');
    stop();
    assert.equal(f.open().length, 0);
    // A navigation whose screen never comes: the list goes after kubeAheadMs.
    useStore.getState().navigate({ screen: 'kube', kind: 'deployments' });
    assert.equal(f.open().length, 1);
    t.mock.timers.tick(kubeAheadMs - 1);
    assert.equal(f.open().length, 1);
    t.mock.timers.tick(1);
    assert.equal(f.open().length, 0);
    assert.equal(list({ context: 'prod', kind: 'deployments', namespace: 'shop' }), undefined);
  });

  test('contexts that cannot be read: the error is kept for the screen', async () => {
    const f = fakeApi(() => ({
      ok: false,
      error: { kind: 'invalid_argument', code: 'kube.config', message: 'bad YAML in /h/.kube/config' },
    }));
    setApi(f.api);
    await useStore.getState().loadKubeContexts();
    assert.equal(useStore.getState().kubeContextsError?.message, 'bad YAML in /h/.kube/config');
    assert.equal(activeKubeContext(useStore.getState()), null);
  });

  test('routes: a kind’s list and one object (cluster-scoped ones without a namespace) survive a reload', () => {
    const routes: Route[] = [
      { screen: 'kube', kind: 'pods' },
      { screen: 'kube', kind: 'secrets' },
      { screen: 'kubeObject', kind: 'deployments', namespace: 'shop', name: 'web' },
      { screen: 'kubeObject', kind: 'namespaces', namespace: '', name: 'kube-system' },
      { screen: 'kubeObject', kind: 'pods', namespace: 'a b', name: 'web/1' },
    ];
    for (const r of routes) assert.deepEqual(parseRoute(routeHash(r)), r);
    assert.equal(routeHash({ screen: 'kube', kind: 'pods' }), '#/kube/pods');
    assert.deepEqual(parseRoute('#/kube/nonsense'), { screen: 'kube', kind: 'pods' });
  });
});
