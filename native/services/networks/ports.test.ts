import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContainerRecord } from '../containers/model.ts';
import {
  hostPortRange,
  PublishedPorts,
  parsePortKey,
  portList,
  portMap,
  portSpecs,
  validatePorts,
} from './ports.ts';
import type { NetworkRecord } from './store.ts';
import { bridgeNetwork, containerRecord, testNet } from './test-helpers.ts';

describe('port specifications', () => {
  test("Docker's port keys and host port ranges", () => {
    assert.deepEqual(parsePortKey('80'), { port: 80, proto: 'tcp' });
    assert.deepEqual(parsePortKey('53/udp'), { port: 53, proto: 'udp' });
    assert.throws(() => parsePortKey('0/tcp'), /invalid port specification: "0"/);
    assert.throws(() => parsePortKey('x'), /invalid port specification/);
    assert.throws(() => parsePortKey('80/icmp'), /invalid proto: icmp/);
    assert.deepEqual(hostPortRange(''), [0, 0]);
    assert.deepEqual(hostPortRange('8000-8010'), [8000, 8010]);
    assert.throws(() => hostPortRange('9-1'), /invalid hostPort: 9-1/);
    assert.throws(() => hostPortRange('70000'), /invalid hostPort/);
  });

  test('-P publishes every exposed port without a binding; -p bindings win', async () => {
    const t = await testNet();
    const rec = containerRecord(t, 'web', {
      Config: { ExposedPorts: { '80/tcp': {}, '53/udp': {}, '443/tcp': {} } },
      HostConfig: {
        PublishAllPorts: true,
        PortBindings: { '443/tcp': [{ HostIp: '127.0.0.1', HostPort: '8443' }] },
      },
    });
    assert.deepEqual(
      portSpecs(rec).map(
        (s) => `${s.containerPort}/${s.proto} ${s.bindings.map((b) => `${b.HostIp}:${b.HostPort}`)}`,
      ),
      ['443/tcp 127.0.0.1:8443', '80/tcp :', '53/udp :'],
    );
    validatePorts(rec);
    const bad = containerRecord(t, 'bad', {
      HostConfig: { PortBindings: { '80/tcp': [{ HostPort: 'x' }] } },
    });
    assert.throws(() => validatePorts(bad), /invalid hostPort: x/);
  });
});

async function setup(opts: { ipv6?: boolean } = {}) {
  const t = await testNet();
  const n = await bridgeNetwork(t.ctx, 'app', '172.18.0.0/16', '172.18.0.1');
  const ports = new PublishedPorts(t.ctx);
  ports.ipv6 = opts.ipv6 ?? false;
  return { ...t, n, ports };
}

/** A running container on the network at `ip`, with the given bindings. */
function onNetwork(
  t: Awaited<ReturnType<typeof setup>>,
  n: NetworkRecord,
  name: string,
  ip: string,
  bindings: Record<string, Array<{ HostIp?: string; HostPort?: string }>>,
): ContainerRecord {
  const rec = containerRecord(t, name, {
    HostConfig: { PortBindings: bindings },
    State: { Status: 'running' },
  });
  rec.Endpoints = {
    app: {
      NetworkID: n.Id,
      EndpointID: `ep-${name}`,
      IPAMConfig: null,
      Aliases: null,
      MacAddress: '',
      DriverOpts: null,
      IPAddress: ip,
      IPPrefixLen: 16,
      Gateway: '172.18.0.1',
    },
  };
  return rec;
}

describe('published ports', () => {
  test('a binding holds its host port through a proxy to the container, with DNAT rules', async () => {
    const t = await setup();
    const rec = onNetwork(t, t.n, 'web', '172.18.0.2', { '80/tcp': [{ HostPort: '8080' }], '53/udp': [{}] });
    const published = await t.ports.bind(rec, t.n);
    assert.deepEqual(published, [
      { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 },
      { proto: 'udp', hostIp: '0.0.0.0', hostPort: 32768, containerPort: 53 },
    ]);
    assert.deepEqual(Object.fromEntries(t.host.proxies), {
      'tcp 0.0.0.0:8080': '172.18.0.2:80',
      'udp 0.0.0.0:32768': '172.18.0.2:53',
    });
    const rules = t.ports.rulesOf(rec, published).map((r) => `${r.table} ${r.chain} ${r.spec.join(' ')}`);
    assert.ok(
      rules.includes(
        'nat BERTH-t3st00 ! -i br-app -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80',
      ),
    );
    assert.equal(rules.length, 6);
  });

  test("a port another container holds is Docker's 'port is already allocated'; a range takes the next", async () => {
    const t = await setup();
    const first = onNetwork(t, t.n, 'one', '172.18.0.2', { '80/tcp': [{ HostPort: '8080' }] });
    first.PublishedPorts = await t.ports.bind(first, t.n);
    await t.ctx.store.save(first);
    const clash = onNetwork(t, t.n, 'two', '172.18.0.3', {
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
    });
    await assert.rejects(
      t.ports.bind(clash, t.n),
      /^EngineError: driver failed programming external connectivity on endpoint two \(ep-two\): Bind for 127\.0\.0\.1:8080 failed: port is already allocated$/,
    );
    const ranged = onNetwork(t, t.n, 'three', '172.18.0.4', { '80/tcp': [{ HostPort: '8080-8081' }] });
    assert.deepEqual(
      (await t.ports.bind(ranged, t.n)).map((p) => p.hostPort),
      [8081],
    );
  });

  test('a default binding listens on :: too when the host has IPv6, and does without it when that fails', async () => {
    const t = await setup({ ipv6: true });
    const rec = onNetwork(t, t.n, 'web', '172.18.0.2', { '80/tcp': [{}] });
    const both = await t.ports.bind(rec, t.n);
    assert.deepEqual(
      both.map((p) => `${p.hostIp}:${p.hostPort}`),
      ['0.0.0.0:32768', ':::32768'],
    );
    assert.equal(t.ports.rulesOf(rec, both).length, 3, 'no iptables rules for IPv6');
    await t.ports.unpublish(rec);
    t.host.unbindable.add('::');
    const v4 = await t.ports.bind(onNetwork(t, t.n, 'web2', '172.18.0.3', { '80/tcp': [{}] }), t.n);
    assert.deepEqual(
      v4.map((p) => p.hostIp),
      ['0.0.0.0'],
    );
  });

  test('a failed binding closes the ports already bound for the container', async () => {
    const t = await setup();
    t.host.unbindable.add('10.99.0.1');
    const rec = onNetwork(t, t.n, 'web', '172.18.0.2', {
      '80/tcp': [{ HostPort: '8080' }],
      '81/tcp': [{ HostIp: '10.99.0.1', HostPort: '8081' }],
    });
    await assert.rejects(t.ports.bind(rec, t.n), /cannot assign requested address/);
    assert.equal(t.host.proxies.size, 0);
  });

  test('unpublish frees the ports and deletes the rules; restore brings both back after a restart', async () => {
    const t = await setup();
    const rec = onNetwork(t, t.n, 'web', '172.18.0.2', { '80/tcp': [{ HostPort: '8080' }] });
    rec.PublishedPorts = await t.ports.bind(rec, t.n);
    await t.ports.unpublish(rec);
    assert.equal(t.host.proxies.size, 0);
    assert.match(t.sys.inputs.at(-1) ?? '', /-D BERTH-t3st00 ! -i br-app -p tcp -m tcp --dport 8080 -j DNAT/);
    const after = new PublishedPorts(t.ctx);
    await after.restore(rec);
    assert.deepEqual([...t.host.proxies.keys()], ['tcp 0.0.0.0:8080']);
    assert.match(t.sys.inputs.at(-1) ?? '', /-A BERTH-t3st00 ! -i br-app -p tcp -m tcp --dport 8080 -j DNAT/);
    await after.close();
    assert.equal(t.host.proxies.size, 0);
  });

  test('without a firewall there are no rules, only proxies', async () => {
    const t = await testNet({ iptables: false });
    const n = await bridgeNetwork(t.ctx, 'app', '172.18.0.0/16', '172.18.0.1');
    const ports = new PublishedPorts(t.ctx);
    const rec = containerRecord(t, 'web', {
      HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] } },
    });
    rec.Endpoints = onNetwork({ ...t, n, ports }, n, 'web', '172.18.0.2', {}).Endpoints;
    const published = await ports.bind(rec, n);
    assert.deepEqual(ports.rulesOf(rec, published), []);
    assert.equal(t.host.proxies.size, 1);
  });
});

test("ps Ports and inspect's Ports: exposed ports alone while stopped, with their bindings while running", async () => {
  const t = await testNet();
  const rec = containerRecord(t, 'web', { Config: { ExposedPorts: { '80/tcp': {}, '53/udp': {} } } });
  rec.PublishedPorts = [{ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 }];
  assert.deepEqual(portList(rec), [
    { PrivatePort: 80, Type: 'tcp' },
    { PrivatePort: 53, Type: 'udp' },
  ]);
  assert.deepEqual(portMap(rec), {});
  rec.State.Status = 'running';
  assert.deepEqual(portList(rec), [
    { PrivatePort: 53, Type: 'udp' },
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
  ]);
  assert.deepEqual(portMap(rec), { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '53/udp': null });
});
