import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContainerRecord, EndpointState } from '../containers/model.ts';
import { Endpoints } from './endpoints.ts';
import { ensurePredefined } from './predefined.ts';
import type { NetworkRecord } from './store.ts';
import { bridgeNetwork, containerRecord, testNet } from './test-helpers.ts';

async function setup(opts: { failPlug?: boolean } = {}) {
  const t = await testNet({ options: { bip: '172.17.0.1/16' } });
  await ensurePredefined(t.ctx);
  const app = await bridgeNetwork(t.ctx, 'app', '172.18.0.0/16', '172.18.0.1');
  const lan = await bridgeNetwork(t.ctx, 'lan', '10.20.0.0/24', '10.20.0.1', { UserSubnet: true });
  const plugged: string[] = [];
  const unplugged: string[] = [];
  const endpoints = new Endpoints(t.ctx, {
    plug: async (rec: ContainerRecord, n: NetworkRecord, ep: EndpointState) => {
      if (opts.failPlug) throw new Error('no more interfaces');
      ep.IPAddress = '10.20.0.7';
      plugged.push(`${rec.Name} ${n.Name}`);
    },
    unplug: async (n: NetworkRecord, ep: EndpointState) => void unplugged.push(`${n.Name} ${ep.IPAddress}`),
  });
  return { ...t, app, lan, endpoints, plugged, unplugged };
}

describe('endpoints at create', () => {
  test('the default network is the bridge; EndpointsConfig adds networks with aliases, static address and MAC', async () => {
    const t = await setup();
    const plain = containerRecord(t, 'plain');
    await t.endpoints.prepare(plain, undefined);
    assert.deepEqual(Object.keys(plain.Endpoints ?? {}), ['bridge']);
    assert.equal(plain.Endpoints?.bridge.NetworkID, t.ctx.networks.get('bridge').Id);

    const rec = containerRecord(t, 'web', { HostConfig: { NetworkMode: 'app' } });
    await t.endpoints.prepare(rec, {
      EndpointsConfig: {
        app: { Aliases: ['www'] },
        lan: { IPAMConfig: { IPv4Address: '10.20.0.9' }, MacAddress: '02:00:00:00:00:09' },
      },
    });
    assert.deepEqual(
      Object.entries(rec.Endpoints ?? {}).map(([k, e]) => [
        k,
        e.Aliases,
        e.IPAMConfig,
        e.MacAddress,
        e.IPAddress,
      ]),
      [
        ['app', ['www'], null, '', ''],
        ['lan', null, { IPv4Address: '10.20.0.9' }, '02:00:00:00:00:09', ''],
      ],
    );
  });

  test('--network container:<name> records the full id (when it exists yet) and no endpoints', async () => {
    const t = await setup();
    const other = containerRecord(t, 'other');
    await t.ctx.store.save(other);
    const rec = containerRecord(t, 'j', { HostConfig: { NetworkMode: 'container:other' } });
    await t.endpoints.prepare(rec, undefined);
    assert.equal(rec.HostConfig.NetworkMode, `container:${other.Id}`);
    assert.deepEqual(rec.Endpoints, {});
    // dockerd looks the other container up only at start.
    const later = containerRecord(t, 'k', { HostConfig: { NetworkMode: 'container:nope' } });
    await t.endpoints.prepare(later, undefined);
    assert.equal(later.HostConfig.NetworkMode, 'container:nope');
    const self = containerRecord(t, 'other', { HostConfig: { NetworkMode: 'container:other' } });
    await assert.rejects(t.endpoints.prepare(self, undefined), /cannot join own network/);
  });

  test('published ports mean nothing in the host namespace', async () => {
    const t = await setup();
    const rec = containerRecord(t, 'h', {
      HostConfig: { NetworkMode: 'host', PortBindings: { '80/tcp': [{ HostPort: '80' }] } },
    });
    await t.endpoints.prepare(rec, undefined);
    assert.deepEqual(rec.HostConfig.PortBindings, {});
    assert.deepEqual(Object.keys(rec.Endpoints ?? {}), ['host']);
  });

  test("bad configurations get dockerd's 400s (never a 404, which makes the CLI pull)", async () => {
    const t = await setup();
    const prep = (name: string, hc: object, nc?: unknown) =>
      t.endpoints.prepare(containerRecord(t, name, { HostConfig: hc }), nc);
    await assert.rejects(prep('a', { NetworkMode: 'nope' }), {
      kind: 'invalid',
      message: 'network nope not found',
    });
    await assert.rejects(prep('b', {}, { EndpointsConfig: { nope: {} } }), { kind: 'invalid' });
    await assert.rejects(
      prep(
        'c',
        { NetworkMode: 'app' },
        { EndpointsConfig: { app: { IPAMConfig: { IPv4Address: '172.18.0.9' } } } },
      ),
      /user specified IP address is supported only when connecting to networks with user configured subnets/,
    );
    await assert.rejects(
      prep(
        'd',
        { NetworkMode: 'lan' },
        { EndpointsConfig: { lan: { IPAMConfig: { IPv4Address: '10.21.0.9' } } } },
      ),
      /no configured subnet or ip-range contain the IP address 10\.21\.0\.9/,
    );
    await assert.rejects(
      prep('e', {}, { EndpointsConfig: { bridge: { Aliases: ['x'] } } }),
      /network-scoped alias is supported only for containers in user defined networks/,
    );
    await assert.rejects(
      prep('f', { NetworkMode: 'app' }, { EndpointsConfig: { host: {} } }),
      /endpoints: app, host/,
    );
    await assert.rejects(
      t.endpoints.prepare(containerRecord(t, 'g', { Config: { MacAddress: 'zz' } as object }), undefined),
      /invalid MAC address: zz/,
    );
    await assert.rejects(prep('h', { PortBindings: { '80/icmp': [] } }), /invalid proto: icmp/);
  });
});

describe('network connect and disconnect', () => {
  test('a running container is plugged in at once and the connect event comes; a stopped one waits', async () => {
    const t = await setup();
    const running = containerRecord(t, 'run', { State: { Status: 'running' } });
    await t.endpoints.prepare(running, undefined);
    await t.ctx.store.save(running);
    await t.endpoints.connect('lan', { Container: 'run', EndpointConfig: { Aliases: ['db'] } });
    assert.deepEqual(t.plugged, ['/run lan']);
    assert.deepEqual(Object.keys(t.ctx.store.get('run').Endpoints ?? {}), ['bridge', 'lan']);
    assert.deepEqual(t.ctx.store.get('run').Endpoints?.lan.Aliases, ['db']);

    const stopped = containerRecord(t, 'stopped');
    await t.endpoints.prepare(stopped, undefined);
    await t.ctx.store.save(stopped);
    await t.endpoints.connect('app', { Container: 'stopped' });
    assert.deepEqual(t.plugged, ['/run lan']);
    assert.deepEqual(
      t.events.map((e) => `${e.Action} ${e.Actor.Attributes.name}`),
      ['connect lan'],
    );
    await assert.rejects(
      t.endpoints.connect('app', { Container: 'stopped' }),
      /endpoint with name stopped already exists/,
    );
  });

  test('a failed plug leaves the container as it was', async () => {
    const t = await setup({ failPlug: true });
    const rec = containerRecord(t, 'run', { State: { Status: 'running' } });
    await t.endpoints.prepare(rec, undefined);
    await t.ctx.store.save(rec);
    await assert.rejects(t.endpoints.connect('lan', { Container: 'run' }), /no more interfaces/);
    assert.deepEqual(Object.keys(t.ctx.store.get('run').Endpoints ?? {}), ['bridge']);
    assert.deepEqual(t.events, []);
  });

  test('containers in the host or another namespace, and the none and host networks, cannot be connected', async () => {
    const t = await setup();
    const host = containerRecord(t, 'h', { HostConfig: { NetworkMode: 'host' } });
    await t.ctx.store.save(host);
    await assert.rejects(t.endpoints.connect('app', { Container: 'h' }), /sharing network namespace/);
    const plain = containerRecord(t, 'p');
    await t.endpoints.prepare(plain, undefined);
    await t.ctx.store.save(plain);
    await assert.rejects(t.endpoints.connect('none', { Container: 'p' }), /private \(none\) mode/);
    await assert.rejects(t.endpoints.connect('host', { Container: 'p' }), /connected to host network/);
    await assert.rejects(t.endpoints.connect('app', { Container: 'nobody' }), { kind: 'not-found' });
  });

  test('disconnect unplugs and says so twice for a live endpoint (leave, then disconnect), as dockerd', async () => {
    const t = await setup();
    const rec = containerRecord(t, 'run', { State: { Status: 'running' } });
    await t.endpoints.prepare(rec, undefined);
    await t.ctx.store.save(rec);
    await t.endpoints.connect('lan', { Container: 'run' });
    t.events.length = 0;
    await t.endpoints.disconnect('lan', { Container: 'run' });
    assert.deepEqual(t.unplugged, ['lan 10.20.0.7']);
    assert.deepEqual(Object.keys(t.ctx.store.get('run').Endpoints ?? {}), ['bridge']);
    assert.deepEqual(
      t.events.map((e) => e.Action),
      ['disconnect', 'disconnect'],
    );
    await assert.rejects(
      t.endpoints.disconnect('lan', { Container: 'run' }),
      /is not connected to network lan/,
    );
    await assert.rejects(t.endpoints.disconnect('lan', { Container: 'nobody' }), { kind: 'not-found' });
    await t.endpoints.disconnect('lan', { Container: 'nobody', Force: true });
  });
});
