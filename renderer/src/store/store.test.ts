// The store's slices against a fake BerthApi (the transport seam); the store is reset between cases.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type {
  BerthApi,
  ContainerSummary,
  InvokeChannel,
  InvokeRequest,
  Result,
} from '../../../electron/contract/index.ts';
import { setApi } from '../api/client.ts';
import { filterContainers, parseRoute, routeHash, useStore } from './index.ts';

const initial = useStore.getState();

function container(name: string, state: ContainerSummary['state'] = 'running'): ContainerSummary {
  return { id: `${name}-id`, name, image: 'busybox', state, status: '', created: 0, ports: [] };
}

/** An engine in memory: a list of containers; remove of `locked` fails. */
function fakeApi(containers: ContainerSummary[], calls: string[]): BerthApi {
  const fail = (message: string): Result<never> => ({
    ok: false,
    error: { kind: 'conflict', code: 'http.409', message },
  });
  const handle = (channel: InvokeChannel, req: unknown): Result<unknown> => {
    calls.push(channel);
    if (channel === 'containers.list') return { ok: true, value: [...containers] };
    if (channel === 'containers.remove') {
      const { id } = req as InvokeRequest<'containers.remove'>;
      if (id === 'locked-id') return fail('cannot remove locked');
      containers.splice(
        containers.findIndex((c) => c.id === id),
        1,
      );
      return { ok: true, value: undefined };
    }
    if (channel === 'engine.info')
      return { ok: false, error: { kind: 'unreachable', code: 'engine.enoent', message: 'down' } };
    return { ok: true, value: undefined };
  };
  return {
    invoke: (async (channel: InvokeChannel, req: unknown) => handle(channel, req)) as BerthApi['invoke'],
    subscribe: () => () => undefined,
  };
}

describe('store', () => {
  let calls: string[];
  let engine: ContainerSummary[];
  beforeEach(() => {
    useStore.setState(initial, true);
    calls = [];
    engine = [container('web'), container('db', 'exited'), container('locked')];
    setApi(fakeApi(engine, calls));
  });

  test('refreshContainers loads the list and drops selections of containers that are gone', async () => {
    useStore.getState().setSelected(['web-id', 'ghost-id']);
    await useStore.getState().refreshContainers();
    assert.equal(useStore.getState().containers.length, 3);
    assert.deepEqual(Object.keys(useStore.getState().selected), ['web-id']);
  });

  test('removeSelected removes each selected container, refreshes and reports a failure inline', async () => {
    await useStore.getState().refreshContainers();
    useStore.getState().setSelected(['web-id', 'locked-id']);
    const err = await useStore.getState().removeSelected();
    assert.equal(err?.message, 'cannot remove locked');
    assert.deepEqual(
      useStore.getState().containers.map((c) => c.name),
      ['db', 'locked'],
    );
    assert.deepEqual(useStore.getState().selected, {});
  });

  test('an unreachable engine is kept as an error, not thrown', async () => {
    await useStore.getState().refreshEngine();
    assert.equal(useStore.getState().engineError?.kind, 'unreachable');
    assert.equal(useStore.getState().engineLoaded, true);
  });

  test('toggleSelected and the theme toggle', () => {
    useStore.getState().toggleSelected('a');
    useStore.getState().toggleSelected('b');
    useStore.getState().toggleSelected('a');
    assert.deepEqual(useStore.getState().selected, { b: true });
    const before = useStore.getState().theme;
    useStore.getState().toggleTheme();
    assert.notEqual(useStore.getState().theme, before);
  });

  test('filterContainers matches name, image, id prefix and state', () => {
    const list = [container('alpha-1'), container('beta', 'exited')];
    assert.deepEqual(
      filterContainers(list, 'ALPHA').map((c) => c.name),
      ['alpha-1'],
    );
    assert.deepEqual(
      filterContainers(list, 'exited').map((c) => c.name),
      ['beta'],
    );
    assert.equal(filterContainers(list, 'busybox').length, 2);
    assert.equal(filterContainers(list, '  ').length, 2);
  });

  test('routes round-trip through the URL hash', () => {
    for (const r of [
      { screen: 'dashboard' },
      { screen: 'containers' },
      { screen: 'images' },
      { screen: 'container', id: 'a/b c' },
      { screen: 'volumes' },
      { screen: 'volume', name: 'my.data' },
      { screen: 'networks' },
    ] as const) {
      assert.deepEqual(parseRoute(routeHash(r)), r);
    }
    assert.deepEqual(parseRoute('#/nonsense'), { screen: 'dashboard' });
  });
});
