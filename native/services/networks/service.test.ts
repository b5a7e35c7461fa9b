import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { systemClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/log.ts';
import { testDir } from '../../core/test-dir.ts';
import { ContainerStore } from '../containers/store.ts';
import { EventBus } from '../events.ts';
import { daemonTag, NetworkService } from './service.ts';
import { containerRecord, type FakeHost, fakeHost, iptablesSys, sharedHost } from './test-helpers.ts';

/**
 * The facade as the engine builds it, over a fake host and a recording iptables, in a temp root. User
 * networks get loopback subnets: the embedded DNS server really listens on their gateways.
 */
async function engineNetworks(
  dir: string,
  opts: { host?: FakeHost; brokenIptables?: boolean; bip?: string } = {},
) {
  const store = new ContainerStore(path.join(dir, 'containers'), silentLogger);
  await store.load();
  const sys = iptablesSys();
  sys.broken = opts.brokenIptables ?? false;
  const host = opts.host ?? fakeHost();
  const svc = new NetworkService({
    sys,
    log: silentLogger,
    clock: systemClock,
    events: new EventBus(),
    store,
    dataRoot: dir,
    execRoot: path.join(dir, 'exec'),
    options: { iptables: true, dns: [], bip: 'bip' in opts ? opts.bip : '10.88.0.1/24' },
    host,
  });
  await svc.init();
  return { svc, store, sys, host };
}

const tmp = async () => testDir('berth-netsvc-');

describe('the network service', () => {
  test('init makes the predefined networks, its chains, and brings up every bridge', async () => {
    const dir = await tmp();
    const { svc, sys, host } = await engineNetworks(dir);
    try {
      const tag = daemonTag(path.join(dir, 'exec'));
      assert.match(tag, /^-[0-9a-f]{6}$/);
      assert.equal(daemonTag('/run/berth'), '');
      assert.deepEqual(
        svc.networks
          .all()
          .map((n) => n.Name)
          .sort(),
        ['bridge', 'host', 'none'],
      );
      assert.deepEqual(host.calls, [`forwarding`, `bridge bt0${tag} 10.88.0.1/24 mtu 1500`]);
      assert.match(sys.inputs[0], new RegExp(`:BERTH${tag} - \\[0:0\\]`));
      assert.match(sys.inputs[0], new RegExp(`\\n-I FORWARD 1 -j BERTH-FWD${tag}\\n`));
      assert.ok(!sys.commands.some((c) => c.startsWith('iptables ')), 'no jump checked one by one');
    } finally {
      await svc.shutdown();
    }
  });

  test('two engines started at once on one host pick default bridges of their own', async () => {
    const shared = sharedHost();
    const dirs = [await tmp(), await tmp()];
    const engines = await Promise.all(
      dirs.map((dir) => engineNetworks(dir, { host: fakeHost({ shared }), bip: undefined })),
    );
    try {
      const subnets = engines.map(
        (e) => e.svc.networks.all().find((n) => n.Name === 'bridge')?.IPAM.Config[0].Subnet,
      );
      // Whichever takes the lock first takes the first pool.
      assert.deepEqual(subnets.sort(), ['172.17.0.0/16', '172.18.0.0/16'], 'one default pool each');
      assert.equal(shared.maxHolders, 1, 'one engine at a time from its choice to its bridge');
    } finally {
      for (const e of engines) await e.svc.shutdown();
    }
  });

  test('a container goes through create, start, inspect and stop; a network in use cannot go', async () => {
    const dir = await tmp();
    const { svc, store, host } = await engineNetworks(dir);
    try {
      await svc.create({ Name: 'app', IPAM: { Config: [{ Subnet: '127.89.0.0/24' }] } });
      const rec = containerRecord({ dir }, 'web', {
        HostConfig: { NetworkMode: 'app', PortBindings: { '80/tcp': [{ HostPort: '8080' }] } },
      });
      await svc.prepare(rec, { EndpointsConfig: { app: { Aliases: ['www'] } } });
      await store.save(rec);
      const { ready } = await svc.attach(rec);
      await ready;
      rec.State.Status = 'running';
      await store.save(rec);
      assert.deepEqual([...host.proxies.keys()], ['tcp 0.0.0.0:8080']);
      const net = svc.inspect(svc.networks.get('app')) as {
        Containers: Record<string, { IPv4Address: string }>;
      };
      assert.equal(net.Containers[rec.Id].IPv4Address, '127.89.0.2/24');
      assert.deepEqual(svc.ports(rec), [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }]);
      const settings = svc.view(rec) as { Networks: Record<string, { DNSNames: string[] }> };
      assert.deepEqual(settings.Networks.app.DNSNames.slice(0, 2), ['web', 'www']);
      assert.equal(svc.usersOf(svc.networks.get('app')).length, 1);
      await assert.rejects(svc.remove('app'), /has active endpoints/);

      await svc.detach(rec);
      rec.State.Status = 'exited';
      await store.save(rec);
      assert.equal(host.proxies.size, 0);
      await svc.remove('app');
      assert.equal(svc.networks.find('app'), undefined);
    } finally {
      await svc.shutdown();
    }
  });

  test('unusable iptables: networks still work, ports through the proxy alone', async () => {
    const dir = await tmp();
    const { svc, store, sys, host } = await engineNetworks(dir, { brokenIptables: true });
    try {
      const rec = containerRecord({ dir }, 'web', {
        HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] } },
      });
      await svc.prepare(rec, undefined);
      await store.save(rec);
      await (await svc.attach(rec)).ready;
      assert.deepEqual([...host.proxies.keys()], ['tcp 0.0.0.0:8080']);
      assert.equal(host.plans.at(-1)?.hostRules, undefined);
      assert.equal(sys.inputs.length, 0);
    } finally {
      await svc.shutdown();
    }
  });

  test('a restart keeps running containers: their addresses stay taken and their ports come back', async () => {
    const dir = await tmp();
    const first = await engineNetworks(dir);
    await first.svc.create({ Name: 'tiny', IPAM: { Config: [{ Subnet: '127.90.0.0/30' }] } });
    const rec = containerRecord({ dir }, 'web', {
      HostConfig: { NetworkMode: 'tiny', PortBindings: { '80/tcp': [{ HostPort: '8080' }] } },
    });
    await first.svc.prepare(rec, undefined);
    await (await first.svc.attach(rec)).ready;
    rec.State.Status = 'running';
    await first.store.save(rec);
    await first.svc.shutdown();
    assert.equal(first.host.proxies.size, 0, 'proxies close with berthd');

    const host = fakeHost();
    const again = await engineNetworks(dir, { host });
    try {
      assert.deepEqual([...host.proxies.keys()], ['tcp 0.0.0.0:8080']);
      const late = containerRecord({ dir }, 'late', { HostConfig: { NetworkMode: 'tiny' } });
      await again.svc.prepare(late, undefined);
      // The one address of the subnet is still the running container's.
      await assert.rejects(again.svc.attach(late), /no available IPv4 addresses/);
    } finally {
      await again.svc.shutdown();
    }
  });
});
