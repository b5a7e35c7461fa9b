import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContainerRecord } from '../containers/model.ts';
import { NetworkCrud } from './crud.ts';
import { ensurePredefined } from './predefined.ts';
import type { NetworkRecord } from './store.ts';
import { containerRecord, fakeHost, type SharedHost, sharedHost, testNet } from './test-helpers.ts';

async function setup(opts: { failListen?: boolean; shared?: SharedHost } = {}) {
  const t = await testNet({ options: { bip: '172.17.0.1/16' }, host: fakeHost({ shared: opts.shared }) });
  await ensurePredefined(t.ctx);
  const listening = new Set<string>();
  let settledCalls = 0;
  const crud = new NetworkCrud(
    t.ctx,
    {
      listen: async (n: NetworkRecord) => {
        if (opts.failListen) throw new Error('listen failed');
        listening.add(n.Name);
      },
      unlisten: async (n: NetworkRecord) => void listening.delete(n.Name),
    },
    async () => void settledCalls++,
  );
  return { ...t, crud, listening, settled: () => settledCalls };
}

/** A container with a live endpoint on the network. */
async function userOf(
  t: Awaited<ReturnType<typeof setup>>,
  n: NetworkRecord,
  name: string,
): Promise<ContainerRecord> {
  const rec = containerRecord(t, name, { State: { Status: 'running' } });
  rec.Endpoints = {
    [n.Name]: {
      NetworkID: n.Id,
      EndpointID: 'ep1',
      IPAMConfig: null,
      Aliases: null,
      MacAddress: '02:42:0a:00:00:02',
      DriverOpts: null,
      IPAddress: '172.18.0.2',
      IPPrefixLen: 16,
      Gateway: '172.18.0.1',
    },
  };
  await t.ctx.store.save(rec);
  return rec;
}

describe('network create', () => {
  test('picks a free pool, brings up its bridge with its rules, listens for DNS, says so', async () => {
    const t = await setup();
    const { Id } = await t.crud.create({ Name: 'app', Labels: { team: 'a' } });
    const n = t.ctx.networks.get('app');
    assert.equal(n.Id, Id);
    assert.deepEqual(n.IPAM.Config, [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }]);
    assert.equal(n.BridgeName, `br-${Id.slice(0, 12)}`);
    assert.deepEqual(t.host.calls, [`bridge br-${Id.slice(0, 12)} 172.18.0.1/16 mtu 1500`]);
    const rules = t.sys.inputs.join('');
    assert.match(
      rules,
      new RegExp(`-A BERTH-POST-t3st00 -s 172.18.0.0/16 ! -o ${n.BridgeName} -j MASQUERADE`),
    );
    assert.deepEqual([...t.listening], ['app']);
    assert.deepEqual(
      t.events.map((e) => `${e.Type} ${e.Action} ${e.Actor.Attributes.name}`),
      ['network create app'],
    );
  });

  test('networks made at once, by two engines on one host or by one, each get a subnet of their own', async () => {
    const shared = sharedHost();
    const [a, b] = await Promise.all([setup({ shared }), setup({ shared })]);
    // The hosts' bridges are not up in these fakes: 172.17 is taken by the records alone.
    await Promise.all([
      a.crud.create({ Name: 'app' }),
      b.crud.create({ Name: 'app' }),
      b.crud.create({ Name: 'db' }),
    ]);
    const subnetOf = (t: typeof a, name: string) =>
      t.ctx.networks.all().find((n) => n.Name === name)?.IPAM.Config[0].Subnet;
    const made = [subnetOf(a, 'app'), subnetOf(b, 'app'), subnetOf(b, 'db')];
    assert.equal(new Set(made).size, 3, `every network its own subnet: ${made.join(' ')}`);
    assert.equal(shared.maxHolders, 1, 'one create at a time from its choice to its bridge');
    // One name made twice at once: one network, and dockerd's conflict.
    const twice = await Promise.allSettled([
      a.crud.create({ Name: 'cache' }),
      a.crud.create({ Name: 'cache' }),
    ]);
    assert.deepEqual(twice.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const refused = twice.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.match(String(refused.reason), /network with name cache already exists/);
  });

  test("a user's subnet, gateway and range; an internal network gets no masquerading", async () => {
    const t = await setup();
    await t.crud.create({
      Name: 'lan',
      Internal: true,
      IPAM: { Config: [{ Subnet: '10.20.0.0/24', IPRange: '10.20.0.128/25' }] },
      Options: { 'com.docker.network.bridge.name': 'br-lan' },
    });
    const n = t.ctx.networks.get('lan');
    assert.deepEqual(n.IPAM.Config, [
      { Subnet: '10.20.0.0/24', Gateway: '10.20.0.1', IPRange: '10.20.0.128/25' },
    ]);
    assert.equal(n.UserSubnet, true);
    assert.equal(n.BridgeName, 'br-lan');
    assert.doesNotMatch(t.sys.inputs.join(''), /-s 10\.20\.0\.0\/24 ! -o br-lan -j MASQUERADE/);
    assert.match(t.sys.inputs.join(''), /-A BERTH-ISO1-t3st00 ! -s 10\.20\.0\.0\/24 -o br-lan -j DROP/);
  });

  test("refuses what dockerd refuses, with dockerd's words", async () => {
    const t = await setup();
    await t.crud.create({ Name: 'app' });
    await assert.rejects(t.crud.create({ Name: '' }), /network name must not be empty/);
    await assert.rejects(t.crud.create({ Name: '-x' }), /invalid network name "-x"/);
    await assert.rejects(t.crud.create({ Name: 'app' }), { kind: 'conflict' });
    await assert.rejects(t.crud.create({ Name: 'h', Driver: 'host' }), /only one instance of "host"/);
    await assert.rejects(t.crud.create({ Name: 'o', Driver: 'overlay' }), { kind: 'not-found' });
    await assert.rejects(t.crud.create({ Name: 'v6', IPAM: { Config: [{ Subnet: 'fd00::/64' }] } }), {
      kind: 'not-implemented',
    });
    await assert.rejects(
      t.crud.create({ Name: 'o2', IPAM: { Config: [{ Subnet: '172.17.5.0/24' }] } }),
      /Pool overlaps with other one on this address space/,
    );
    await assert.rejects(
      t.crud.create({ Name: 'g', IPAM: { Config: [{ Gateway: '10.0.0.1' }] } }),
      /need a subnet/,
    );
    await assert.rejects(
      t.crud.create({ Name: 'b', IPAM: { Config: [{ Subnet: '10.0.0.0/33' }] } }),
      /Invalid subnet/,
    );
    for (const bridge of ['a-bridge-too-long', 'br x', 'br/x', 'br\nlink del eth0']) {
      await assert.rejects(
        t.crud.create({ Name: 'named', Options: { 'com.docker.network.bridge.name': bridge } }),
        { kind: 'invalid', message: /invalid bridge name/ },
      );
    }
  });

  test('a failure half way takes back the bridge, its rules and the record', async () => {
    const t = await setup({ failListen: true });
    await assert.rejects(
      t.crud.create({ Name: 'app', Options: { 'com.docker.network.bridge.name': 'br-app' } }),
    );
    assert.equal(t.ctx.networks.find('app'), undefined);
    assert.equal(t.host.links.has('br-app'), false);
    assert.match(t.sys.inputs.at(-1) ?? '', /^\*nat\n-D BERTH-POST-t3st00 .*br-app/);
    assert.deepEqual(t.events, []);
  });
});

describe('network remove, prune, inspect', () => {
  test('predefined networks and networks with active endpoints stay', async () => {
    const t = await setup();
    await t.crud.create({ Name: 'app' });
    const n = t.ctx.networks.get('app');
    await assert.rejects(t.crud.remove('bridge'), /bridge is a pre-defined network and cannot be removed/);
    const c = await userOf(t, n, 'web');
    await assert.rejects(t.crud.remove('app'), /has active endpoints/);
    assert.deepEqual(await t.crud.prune(() => true), []);
    await t.ctx.store.delete(c);
    assert.deepEqual(await t.crud.prune(() => true), ['app']);
  });

  test('remove waits for stopped containers to settle, then takes down DNS, rules and bridge', async () => {
    const t = await setup();
    await t.crud.create({ Name: 'app', Options: { 'com.docker.network.bridge.name': 'br-app' } });
    t.events.length = 0;
    await t.crud.remove('app');
    assert.equal(t.settled(), 1);
    assert.deepEqual([...t.listening], []);
    assert.equal(t.host.links.has('br-app'), false);
    assert.match(t.sys.inputs.at(-1) ?? '', /-D BERTH-FWD-t3st00 -i br-app -o br-app -j ACCEPT/);
    assert.equal(t.ctx.networks.find('app'), undefined);
    assert.deepEqual(
      t.events.map((e) => e.Action),
      ['destroy'],
    );
  });

  test('prune leaves the networks its filter rejects', async () => {
    const t = await setup();
    await t.crud.create({ Name: 'keep', Labels: { keep: '1' } });
    await t.crud.create({ Name: 'drop' });
    assert.deepEqual(await t.crud.prune((n) => !n.Labels.keep), ['drop']);
    assert.ok(t.ctx.networks.find('keep'));
  });

  test("inspect lists live endpoints, hides berthd's own fields and a gateway it chose", async () => {
    const t = await setup();
    await t.crud.create({ Name: 'app', IPAM: { Config: [{ Subnet: '172.18.0.0/16' }] } });
    const n = t.ctx.networks.get('app');
    const c = await userOf(t, n, 'web');
    const view = t.crud.inspect(n) as Record<string, unknown>;
    assert.deepEqual((view.IPAM as { Config: unknown }).Config, [{ Subnet: '172.18.0.0/16' }]);
    assert.deepEqual(view.Containers, {
      [c.Id]: {
        Name: 'web',
        EndpointID: 'ep1',
        MacAddress: '02:42:0a:00:00:02',
        IPv4Address: '172.18.0.2/16',
        IPv6Address: '',
      },
    });
    assert.equal('BridgeName' in view || 'UserSubnet' in view || 'AutoGateway' in view, false);
    assert.deepEqual(Object.keys(view).slice(-3), ['Containers', 'Options', 'Labels']);
    const bridge = t.crud.inspect(t.ctx.networks.get('bridge')) as { IPAM: { Config: unknown } };
    assert.deepEqual(bridge.IPAM.Config, [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }]);
  });
});
