import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256 } from '../../core/ids.ts';
import type { EndpointState } from '../containers/model.ts';
import { ensurePredefined } from './predefined.ts';
import type { NetworkRecord } from './store.ts';
import { bridgeNetwork, containerRecord, testNet } from './test-helpers.ts';
import { networkSettings } from './views.ts';

const ep = (n: NetworkRecord, ip: string, live: boolean): EndpointState => ({
  NetworkID: n.Id,
  EndpointID: live ? 'ep' : '',
  IPAMConfig: null,
  Aliases: ['www'],
  MacAddress: live ? '02:42:ac:11:00:02' : '',
  DriverOpts: null,
  IPAddress: live ? ip : '',
  IPPrefixLen: live ? 16 : 0,
  Gateway: live ? n.IPAM.Config[0].Gateway : '',
  ...(live ? { HostIf: 'vexyz', IfName: 'eth0' } : {}),
});

test('a running container: the default bridge at the top level, each network with its DNS names', async () => {
  const t = await testNet({ options: { bip: '172.17.0.1/16' } });
  await ensurePredefined(t.ctx);
  const bridge = t.ctx.networks.get('bridge');
  const app = await bridgeNetwork(t.ctx, 'app', '172.18.0.0/16', '172.18.0.1');
  const rec = containerRecord(t, 'web', {
    Config: { Hostname: 'web', ExposedPorts: { '80/tcp': {} } },
    State: { Status: 'running', Pid: 99 },
  });
  rec.Endpoints = { bridge: ep(bridge, '172.17.0.2', true), app: ep(app, '172.18.0.2', true) };
  rec.PublishedPorts = [{ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 }];
  const v = networkSettings(t.ctx, rec) as Record<string, unknown>;
  const ns = t.ctx.netnsPath(rec.Id);
  assert.equal(v.SandboxKey, ns);
  assert.equal(v.SandboxID, sha256(ns).slice(7));
  assert.deepEqual([v.IPAddress, v.Gateway, v.MacAddress], ['172.17.0.2', '172.17.0.1', '02:42:ac:11:00:02']);
  assert.deepEqual(v.Ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] });
  const nets = v.Networks as Record<string, { DNSNames: string[] | null; IPAddress: string }>;
  assert.equal(nets.bridge.DNSNames, null);
  assert.deepEqual(nets.app.DNSNames, ['web', 'www', rec.Id.slice(0, 12)]);
  assert.equal(nets.app.IPAddress, '172.18.0.2');
  assert.equal(Object.keys(v)[0], 'Bridge');
  assert.equal(Object.keys(v).at(-1), 'Networks');
});

test("a stopped container shows its networks without addresses, and no sandbox; host mode shows the pid's", async () => {
  const t = await testNet({ options: { bip: '172.17.0.1/16' } });
  await ensurePredefined(t.ctx);
  const app = await bridgeNetwork(t.ctx, 'app', '172.18.0.0/16', '172.18.0.1');
  const rec = containerRecord(t, 'web', {
    HostConfig: { NetworkMode: 'app' },
    Config: { ExposedPorts: { '80/tcp': {} } },
  });
  rec.Endpoints = { app: ep(app, '', false) };
  const v = networkSettings(t.ctx, rec) as Record<string, unknown>;
  assert.deepEqual([v.SandboxKey, v.SandboxID, v.IPAddress, v.Ports], ['', '', '', {}]);
  assert.deepEqual(Object.keys(v.Networks as object), ['app']);

  const host = containerRecord(t, 'h', {
    HostConfig: { NetworkMode: 'host' },
    State: { Status: 'running', Pid: 7 },
  });
  host.Endpoints = { host: ep(t.ctx.networks.get('host'), '', false) };
  const hv = networkSettings(t.ctx, host) as Record<string, unknown>;
  assert.equal(hv.SandboxKey, '/proc/7/ns/net');
  assert.equal((hv.Networks as Record<string, { DNSNames: unknown }>).host.DNSNames, null);
});
