import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { describe, test } from 'node:test';
import type { Clock } from '../../core/clock.ts';
import type { ContainerRecord, EndpointState, PublishedPort } from '../containers/model.ts';
import { ensurePredefined } from './predefined.ts';
import { Sandboxes, vethGraceMs, writeEtcFiles } from './sandbox.ts';
import type { NetworkRecord } from './store.ts';
import { bridgeNetwork, containerRecord, testNet } from './test-helpers.ts';

/** A clock whose timers fire at once and move time on: waiting out a grace period takes no real time. */
function hurriedClock(): Clock {
  let now = 1_000_000;
  return {
    now: () => now,
    setTimeout(fn, ms) {
      now += ms;
      queueMicrotask(fn);
      return { cancel() {} };
    },
  };
}

function endpoint(n: NetworkRecord, over: Partial<EndpointState> = {}): EndpointState {
  return {
    NetworkID: n.Id,
    EndpointID: '',
    IPAMConfig: null,
    Aliases: null,
    MacAddress: '',
    DriverOpts: null,
    IPAddress: '',
    IPPrefixLen: 0,
    Gateway: '',
    ...over,
  };
}

async function setup(dnsPort = 5353) {
  const t = await testNet({ options: { bip: '172.17.0.1/16' }, clock: hurriedClock() });
  await ensurePredefined(t.ctx);
  const app = await bridgeNetwork(t.ctx, 'app', '172.18.0.0/16', '172.18.0.1', { UserSubnet: true });
  // One address only (10.9.0.2): a second container gets one only if the first gave it back.
  const tiny = await bridgeNetwork(t.ctx, 'tiny', '10.9.0.0/30', '10.9.0.1');
  const bound: string[] = [];
  const unpublished: string[] = [];
  const ports = {
    bind: async (rec: ContainerRecord, n: NetworkRecord): Promise<PublishedPort[]> => {
      bound.push(`${rec.Name} on ${n.Name}`);
      return Object.keys(rec.HostConfig.PortBindings ?? {}).length
        ? [{ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 }]
        : [];
    },
    rulesOf: (_rec: ContainerRecord, ps: PublishedPort[]) =>
      ps.map((p) => ({
        table: 'nat' as const,
        chain: 'BERTH-t3st00',
        spec: ['--dport', String(p.hostPort)],
      })),
    unpublish: async (rec: ContainerRecord) => void unpublished.push(rec.Name),
  };
  const sandboxes = new Sandboxes(t.ctx, ports, () => dnsPort);
  return { ...t, app, tiny, bridge: t.ctx.networks.get('bridge'), sandboxes, bound, unpublished };
}

describe('container sandboxes', () => {
  test('a container on a user network: namespace, veth with address and DNS redirect, /etc files, ports', async () => {
    const t = await setup();
    const rec = containerRecord(t, 'web', {
      HostConfig: { NetworkMode: 'app', PortBindings: { '80/tcp': [{}] } },
      Config: { Hostname: 'web', Domainname: 'example.com' },
    });
    rec.Endpoints = { app: endpoint(t.app) };
    await fs.writeFile(rec.HostsPath, '127.0.0.1\tlocalhost\n');
    await fs.writeFile(rec.ResolvConfPath, 'nameserver 10.0.0.53\nsearch corp\noptions ndots:5 edns0\n');

    const { network, ready } = await t.sandboxes.attach(rec);
    const ns = t.ctx.netnsPath(rec.Id);
    assert.deepEqual(network, { mode: 'path', path: ns });
    assert.equal(t.host.netns.has(ns), true, 'the namespace exists before the runtime runs');
    await ready;

    const ep = rec.Endpoints.app;
    assert.deepEqual(
      [ep.IPAddress, ep.IPPrefixLen, ep.Gateway, ep.MacAddress, ep.IfName],
      ['172.18.0.2', 16, '172.18.0.1', '02:42:ac:12:00:02', 'eth0'],
    );
    const plan = t.host.plans.at(-1);
    assert.deepEqual(plan?.endpoints, [
      {
        netns: ns,
        hostIf: ep.HostIf,
        ifName: 'eth0',
        bridge: 'br-app',
        ip: '172.18.0.2',
        prefixLen: 16,
        mac: '02:42:ac:12:00:02',
        defaultGateway: '172.18.0.1',
        mtu: 1500,
        dns: { address: '172.18.0.1', port: 5353 },
      },
    ]);
    assert.equal(plan?.hostRules, '*nat\n-A BERTH-t3st00 --dport 8080\nCOMMIT\n');
    assert.deepEqual(rec.PublishedPorts, [
      { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 },
    ]);
    assert.equal(
      await fs.readFile(rec.HostsPath, 'utf8'),
      '127.0.0.1\tlocalhost\n172.18.0.2\tweb.example.com web\n',
    );
    assert.equal(
      await fs.readFile(rec.ResolvConfPath, 'utf8'),
      'search corp\nnameserver 127.0.0.11\noptions ndots:5 edns0\n',
      "dockerd's order, the user's ndots kept",
    );
    assert.deepEqual(
      t.events.map((e) => `${e.Action} ${e.Actor.Attributes.name}`),
      ['connect app'],
    );
  });

  test('the default bridge gets no DNS redirect and keeps the resolv.conf it had; the first network routes', async () => {
    const t = await setup();
    const rec = containerRecord(t, 'web');
    rec.Endpoints = { bridge: endpoint(t.bridge), app: endpoint(t.app) };
    await fs.writeFile(rec.ResolvConfPath, 'nameserver 10.0.0.53\n');
    await (await t.sandboxes.attach(rec)).ready;
    const [eth0, eth1] = t.host.plans.at(-1)?.endpoints ?? [];
    assert.deepEqual(
      [eth0.ifName, eth0.defaultGateway, eth0.dns, eth1.ifName, eth1.defaultGateway, eth1.dns],
      ['eth0', '172.17.0.1', undefined, 'eth1', undefined, { address: '172.18.0.1', port: 5353 }],
    );
    const alone = containerRecord(t, 'alone');
    alone.Endpoints = { bridge: endpoint(t.bridge) };
    await fs.writeFile(alone.ResolvConfPath, 'nameserver 10.0.0.53\n');
    await (await t.sandboxes.attach(alone)).ready;
    assert.equal(await fs.readFile(alone.ResolvConfPath, 'utf8'), 'nameserver 10.0.0.53\n');
  });

  test('resolv.conf gets ndots:0 when it had no ndots', async () => {
    const t = await setup();
    const rec = containerRecord(t, 'web');
    rec.Endpoints = { app: endpoint(t.app) };
    await fs.writeFile(rec.ResolvConfPath, 'nameserver 10.0.0.53\noptions edns0\n');
    await (await t.sandboxes.attach(rec)).ready;
    assert.equal(
      await fs.readFile(rec.ResolvConfPath, 'utf8'),
      'nameserver 127.0.0.11\noptions edns0 ndots:0\n',
    );
  });

  test('before the DNS server has a port, no redirect is planned', async () => {
    const t = await setup(0);
    const rec = containerRecord(t, 'web');
    rec.Endpoints = { app: endpoint(t.app) };
    await (await t.sandboxes.attach(rec)).ready;
    assert.equal(t.host.plans.at(-1)?.endpoints[0].dns, undefined);
  });

  test('host, none and container: modes make no sandbox of their own', async () => {
    const t = await setup();
    const host = containerRecord(t, 'h', { HostConfig: { NetworkMode: 'host' } });
    assert.deepEqual(await t.sandboxes.attach(host), { network: { mode: 'host' } });
    const none = containerRecord(t, 'n', { HostConfig: { NetworkMode: 'none' } });
    none.Endpoints = { none: endpoint(t.ctx.networks.get('none')) };
    assert.deepEqual(await t.sandboxes.attach(none), { network: { mode: 'none' } });

    const other = containerRecord(t, 'other', { State: { Status: 'exited', Pid: 0 } });
    await t.ctx.store.save(other);
    const joiner = containerRecord(t, 'j', { HostConfig: { NetworkMode: `container:${other.Id}` } });
    await assert.rejects(t.sandboxes.attach(joiner), /cannot join network of a non running container/);
    other.State.Status = 'running';
    other.State.Pid = 4242;
    assert.deepEqual(await t.sandboxes.attach(joiner), {
      network: { mode: 'path', path: '/proc/4242/ns/net' },
    });
    t.host.netns.add(t.ctx.netnsPath(other.Id));
    assert.deepEqual(await t.sandboxes.attach(joiner), {
      network: { mode: 'path', path: t.ctx.netnsPath(other.Id) },
    });
    assert.equal(t.host.plans.length, 0);
  });

  test("a failure making the interfaces is the engine's error, and undoes the namespace and address", async () => {
    const t = await setup();
    t.host.failSandbox = 'RTNETLINK answers: File exists';
    const rec = containerRecord(t, 'web');
    rec.Endpoints = { tiny: endpoint(t.tiny) };
    const { ready } = await t.sandboxes.attach(rec);
    assert.ok(ready);
    await assert.rejects(
      ready,
      /^EngineError: failed to set up container networking: RTNETLINK answers: File exists$/,
    );
    assert.equal(t.host.netns.size, 0);
    assert.deepEqual(t.unpublished, ['/web']);
    await t.sandboxes.settled();
    const again = containerRecord(t, 'again');
    again.Endpoints = { tiny: endpoint(t.tiny) };
    await (await t.sandboxes.attach(again)).ready;
    assert.equal(again.Endpoints.tiny.IPAddress, '10.9.0.2', 'the address went back to the pool');
  });
});

describe('tearing a sandbox down', () => {
  test('detach empties the endpoints, unmounts the namespace, and frees the address once the veth is gone', async () => {
    const t = await setup();
    const rec = containerRecord(t, 'web');
    rec.Endpoints = { tiny: endpoint(t.tiny) };
    await (await t.sandboxes.attach(rec)).ready;
    const hostIf = rec.Endpoints.tiny.HostIf as string;
    t.events.length = 0;
    await t.sandboxes.detach(rec);
    assert.deepEqual(rec.Endpoints.tiny, endpoint(t.tiny));
    assert.deepEqual(rec.PublishedPorts, []);
    assert.equal(t.host.netns.size, 0);
    assert.deepEqual(
      t.events.map((e) => `${e.Action} ${e.Actor.Attributes.name}`),
      ['disconnect tiny'],
    );
    // The kernel has not destroyed the veth: berthd waits its grace period, then deletes it itself.
    await t.sandboxes.settled();
    assert.equal(t.host.links.has(hostIf), false);
    assert.ok(t.host.calls.includes(`del ${hostIf}`));
    assert.ok(vethGraceMs > 0);
    const next = containerRecord(t, 'next');
    next.Endpoints = { tiny: endpoint(t.tiny) };
    await (await t.sandboxes.attach(next)).ready;
    assert.equal(next.Endpoints.tiny.IPAddress, '10.9.0.2');
  });

  test('a static address and a user MAC survive a stop; a restart waits for the old veth', async () => {
    const t = await setup();
    const rec = containerRecord(t, 'web', { Config: { MacAddress: '02:00:00:00:00:09' } as object });
    rec.Endpoints = {
      app: endpoint(t.app, { IPAMConfig: { IPv4Address: '172.18.0.9' }, MacAddress: '02:00:00:00:00:09' }),
    };
    await (await t.sandboxes.attach(rec)).ready;
    assert.equal(rec.Endpoints.app.IPAddress, '172.18.0.9');
    await t.sandboxes.detach(rec);
    assert.equal(rec.Endpoints.app.MacAddress, '02:00:00:00:00:09');
    await (await t.sandboxes.attach(rec)).ready;
    assert.equal(rec.Endpoints.app.IPAddress, '172.18.0.9', 'the same static address again');
  });

  test('connect of a running container plugs eth<N> in; disconnect unplugs it and frees the address', async () => {
    const t = await setup();
    const rec = containerRecord(t, 'web');
    rec.Endpoints = { bridge: endpoint(t.bridge) };
    await (await t.sandboxes.attach(rec)).ready;
    const ep = endpoint(t.tiny);
    rec.Endpoints.tiny = ep;
    await t.sandboxes.plug(rec, t.tiny, ep);
    const link = t.host.plans.at(-1)?.endpoints[0];
    assert.deepEqual(
      [link?.ifName, link?.ip, link?.defaultGateway, link?.dns?.port],
      ['eth1', '10.9.0.2', undefined, 5353],
    );
    await t.sandboxes.unplug(t.tiny, ep);
    assert.equal(t.host.links.has(ep.HostIf as string), false);
    const ep2 = endpoint(t.tiny);
    await t.sandboxes.plug(rec, t.tiny, ep2);
    assert.equal(ep2.IPAddress, '10.9.0.2');
  });
});

test('/etc/hosts keeps its other lines and gets one own line, however often it is written', async () => {
  const t = await testNet();
  const n = await bridgeNetwork(t.ctx, 'app', '172.18.0.0/16', '172.18.0.1');
  const rec = containerRecord(t, 'web', { Config: { Hostname: 'web' } });
  rec.Endpoints = { app: endpoint(n, { IPAddress: '172.18.0.5' }) };
  await fs.writeFile(rec.HostsPath, '127.0.0.1\tlocalhost\n127.0.1.1\tweb\n172.18.0.4\tweb\n');
  await writeEtcFiles(rec, false);
  await writeEtcFiles(rec, false);
  assert.equal(await fs.readFile(rec.HostsPath, 'utf8'), '127.0.0.1\tlocalhost\n172.18.0.5\tweb\n');
});
