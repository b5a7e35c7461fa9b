// The networks slice against a fake BerthApi (the transport seam); the store is reset between cases.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { BerthApi, InvokeChannel, NetworkSummary, Result } from '../../../electron/contract/index.ts';
import { setApi } from '../api/client.ts';
import { filterNetworks, type UseFilter, useStore } from './index.ts';

const initial = useStore.getState();

function network(name: string, builtin = false): NetworkSummary {
  return {
    id: `${name}-id`,
    name,
    driver: 'bridge',
    scope: 'local',
    internal: false,
    builtin,
    containers: [],
  };
}

describe('networks slice', () => {
  let nets: NetworkSummary[];
  beforeEach(() => {
    useStore.setState(initial, true);
    nets = [network('bridge', true), network('app')];
    const handle = (channel: InvokeChannel, req: unknown): Result<unknown> => {
      if (channel === 'networks.list') return { ok: true, value: [...nets] };
      if (channel === 'networks.create') {
        nets.push(network((req as { name: string }).name));
        return { ok: true, value: { id: 'x' } };
      }
      if (channel === 'networks.remove')
        return {
          ok: false,
          error: { kind: 'forbidden', code: 'http.403', message: 'bridge is a pre-defined network' },
        };
      return { ok: false, error: { kind: 'unreachable', code: 'engine.enoent', message: 'down' } };
    };
    setApi({
      invoke: (async (channel: InvokeChannel, req: unknown) => handle(channel, req)) as BerthApi['invoke'],
      subscribe: () => () => undefined,
    });
  });

  test('create refreshes the list; a refused removal answers with the engine message', async () => {
    assert.equal(await useStore.getState().createNetwork({ name: 'web', subnet: '10.9.0.0/24' }), null);
    assert.deepEqual(
      useStore.getState().networks.map((n) => n.name),
      ['bridge', 'app', 'web'],
    );
    const err = await useStore.getState().removeNetwork('bridge-id');
    assert.equal(err?.kind, 'forbidden');
    assert.match(err?.message ?? '', /pre-defined/);
    assert.equal(useStore.getState().networks.length, 3);
  });

  test('a failing prune is an error value, not a throw', async () => {
    const r = await useStore.getState().pruneNetworks();
    assert.ok('kind' in r && r.kind === 'unreachable');
  });

  test("the engine's own networks are never selected, one by one or all at once", async () => {
    await useStore.getState().refreshNetworks();
    useStore.getState().toggleNetwork('bridge-id');
    assert.deepEqual(useStore.getState().selectedNetworks, {});
    useStore.getState().setSelectedNetworks(['bridge-id', 'app-id']);
    assert.deepEqual(useStore.getState().selectedNetworks, { 'app-id': true });
  });
});

describe('filterNetworks', () => {
  const withUser = {
    ...network('web'),
    subnet: '10.9.0.0/24',
    containers: [{ containerId: 'c1', containerName: 'shop-web-1', ipv4: '10.9.0.2' }],
  };
  const list = [network('bridge', true), withUser, network('idle')];
  test('searches names, subnets and containers; filters in use and unused', () => {
    const names = (search: string, filter: UseFilter = 'all') =>
      filterNetworks(list, search, filter).map((n) => n.name);
    assert.deepEqual(names('shop'), ['web']);
    assert.deepEqual(names('10.9.'), ['web']);
    assert.deepEqual(names('BRIDGE'), ['bridge', 'web', 'idle'], 'the driver, as a word');
    assert.deepEqual(names('', 'used'), ['web']);
    assert.deepEqual(names('', 'unused'), ['bridge', 'idle']);
  });
});
