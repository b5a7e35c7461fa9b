import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIPv4 } from '../../network/ipam.ts';
import { defaultBridgeName, ensurePredefined, isDefaultBridge } from './predefined.ts';
import { fakeHost, testNet, testTag } from './test-helpers.ts';

const names = (t: Awaited<ReturnType<typeof testNet>>) =>
  t.ctx.networks
    .all()
    .map((n) => `${n.Name}:${n.Driver}`)
    .sort();

test('none, host and the default bridge are made once, the bridge from --bridge and --bip', async () => {
  const t = await testNet({ options: { bridge: 'bt-x', bip: '10.77.0.1/24' } });
  await ensurePredefined(t.ctx);
  await ensurePredefined(t.ctx);
  assert.deepEqual(names(t), ['bridge:bridge', 'host:host', 'none:null']);
  const bridge = t.ctx.networks.get('bridge');
  assert.deepEqual(bridge.IPAM.Config, [{ Subnet: '10.77.0.0/24', Gateway: '10.77.0.1' }]);
  assert.equal(bridge.BridgeName, 'bt-x');
  assert.equal(bridge.Options['com.docker.network.bridge.name'], 'bt-x');
  assert.equal(isDefaultBridge(bridge), true);
  assert.equal(isDefaultBridge(t.ctx.networks.get('host')), false);
});

test("without --bip the default bridge takes the first pool the host's routes leave free, and keeps it", async () => {
  const host = fakeHost({ routes: [{ base: parseIPv4('172.17.0.0') as number, bits: 16 }] });
  const t = await testNet({ host });
  await ensurePredefined(t.ctx);
  const first = t.ctx.networks.get('bridge');
  assert.equal(first.IPAM.Config[0].Subnet, '172.18.0.0/16');
  assert.equal(first.BridgeName, `bt0${testTag}`);

  // A restart on a host that now routes 172.18/16 elsewhere keeps the subnet it had, and the id.
  const again = await testNet({ dir: t.dir, host: fakeHost({ routes: [] }) });
  await again.ctx.networks.load();
  await ensurePredefined(again.ctx);
  assert.equal(again.ctx.networks.get('bridge').IPAM.Config[0].Subnet, '172.18.0.0/16');
  assert.equal(again.ctx.networks.get('bridge').Id, first.Id);
});

test('--bridge=none removes the default bridge and leaves host and none', async () => {
  const t = await testNet({ options: { bip: '10.77.0.1/24' } });
  await ensurePredefined(t.ctx);
  const off = await testNet({ dir: t.dir, options: { bridge: 'none' } });
  await off.ctx.networks.load();
  await ensurePredefined(off.ctx);
  assert.deepEqual(names(off), ['host:host', 'none:null']);
});

test("the default bridge's Linux name: --bridge, berth0 for the system daemon, tagged otherwise", () => {
  assert.equal(defaultBridgeName({ bridge: 'br9' }, '-abc123'), 'br9');
  assert.equal(defaultBridgeName({}, ''), 'berth0');
  assert.equal(defaultBridgeName({}, '-abc123'), 'bt0-abc123');
});
