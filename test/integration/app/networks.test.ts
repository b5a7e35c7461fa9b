// The network handlers against a real berthd.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createEngineClient,
  createHandlers,
  dispatchInvoke,
  type Handlers,
} from '../../../electron/main/index.ts';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../../conformance/harness.ts';

describe('network handlers against berthd', () => {
  let daemon: Daemon;
  let h: Handlers;
  // An unusual range: bridges of every test daemon on this host share its routing table.
  const octet = 10 + Math.floor(Math.random() * 240);
  const subnet = `10.231.${octet}.0/24`;
  before(async () => {
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    h = createHandlers(createEngineClient(daemon.host));
  });
  after(async () => {
    if (daemon) await stopDaemon(daemon);
  });

  const find = async (name: string) => {
    const r = await dispatchInvoke(h, 'networks.list', undefined);
    assert.ok(r.ok, JSON.stringify(r));
    return r.value.find((n) => n.name === name);
  };

  test('the built-in networks are listed as such', async () => {
    const bridge = await find('bridge');
    assert.equal(bridge?.builtin, true);
    assert.equal(bridge?.driver, 'bridge');
    assert.match(bridge?.subnet ?? '', /\/\d+$/);
    assert.equal((await find('none'))?.builtin, true);
  });

  test('create with a subnet; a container on it shows with its IP; removing it in use is refused', async () => {
    const c = await dispatchInvoke(h, 'networks.create', { name: 'unit-net', subnet });
    assert.ok(c.ok, JSON.stringify(c));
    const n = await find('unit-net');
    assert.equal(n?.id, c.value.id);
    assert.equal(n?.subnet, subnet);
    // Not asked for, so not reported: the engine lists the IPAM config as given (dockerd does too).
    assert.equal(n?.gateway, undefined);
    assert.equal(n?.internal, false);
    assert.equal(n?.builtin, false);
    assert.equal(n?.scope, 'local');
    assert.deepEqual(n?.containers, []);
    const run = daemon.docker([
      'run',
      '-d',
      '--name',
      'unit-on-net',
      '--network',
      'unit-net',
      'busybox',
      'sleep',
      '300',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const attached = (await find('unit-net'))?.containers;
    assert.equal(attached?.length, 1);
    assert.equal(attached?.[0].containerName, 'unit-on-net');
    assert.equal(attached?.[0].containerId, run.stdout.trim());
    assert.match(attached?.[0].ipv4 ?? '', new RegExp(`^10\\.231\\.${octet}\\.\\d+$`));
    const busy = await dispatchInvoke(h, 'networks.remove', { id: 'unit-net' });
    assert.equal(busy.ok, false);
    if (!busy.ok) {
      assert.equal(busy.error.kind, 'forbidden');
      assert.match(busy.error.message, /has active endpoints/);
    }
  });

  test('removing a pre-defined network is refused with the engine message', async () => {
    const r = await dispatchInvoke(h, 'networks.remove', { id: 'bridge' });
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error.message, /pre-defined network and cannot be removed/);
  });

  test('bad input is refused before the engine sees it; an overlapping subnet by the engine', async () => {
    const bad = await dispatchInvoke(h, 'networks.create', { name: 'x', subnet: 'nope' });
    assert.ok(!bad.ok && bad.error.code === 'network.bad_subnet');
    const overlap = await dispatchInvoke(h, 'networks.create', { name: 'unit-overlap', subnet });
    assert.equal(overlap.ok, false);
    if (!overlap.ok) assert.match(overlap.error.message, /overlaps/);
  });

  test('internal networks; remove once unused; prune removes unused networks only', async () => {
    const internal = await dispatchInvoke(h, 'networks.create', {
      name: 'unit-internal',
      internal: true,
      subnet: `10.233.${octet}.0/24`,
      gateway: `10.233.${octet}.254`,
    });
    assert.ok(internal.ok, JSON.stringify(internal));
    const made = await find('unit-internal');
    assert.equal(made?.internal, true);
    assert.equal(made?.gateway, `10.233.${octet}.254`, 'a gateway given is shown');
    assert.equal(daemon.docker(['rm', '-f', 'unit-on-net']).code, 0);
    assert.ok((await dispatchInvoke(h, 'networks.remove', { id: 'unit-net' })).ok);
    assert.equal(await find('unit-net'), undefined);
    const pruned = await dispatchInvoke(h, 'networks.prune', undefined);
    assert.ok(pruned.ok, JSON.stringify(pruned));
    assert.deepEqual(pruned.value.deleted, ['unit-internal']);
    assert.ok(await find('bridge'), 'built-in networks stay');
  });
});
