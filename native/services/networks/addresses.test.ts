import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIPv4, formatPrefix, parseIPv4 } from '../../network/ipam.ts';
import { AddressPools, usedPrefixes } from './addresses.ts';
import { baseRecord } from './predefined.ts';

const net = (id: string, subnet: string, gateway: string, IPRange?: string) => ({
  ...baseRecord(id, 'bridge', ''),
  Id: id,
  IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: subnet, Gateway: gateway, IPRange }] },
});

test('each network has its own pool, which skips the gateway and hands addresses out in order', () => {
  const pools = new AddressPools();
  const a = net('a', '10.1.0.0/24', '10.1.0.1');
  const b = net('b', '10.2.0.0/24', '10.2.0.1', '10.2.0.128/25');
  const take = (n: typeof a) => formatIPv4(pools.of(n).allocate());
  assert.deepEqual([take(a), take(a), take(b)], ['10.1.0.2', '10.1.0.3', '10.2.0.128']);
  assert.equal(pools.of(a), pools.of(a), 'one allocator per network');
});

test('released addresses come back; releasing on an unused network or an empty address is no error', () => {
  const pools = new AddressPools();
  const a = net('a', '10.1.0.0/30', '10.1.0.1');
  assert.equal(formatIPv4(pools.of(a).allocate()), '10.1.0.2');
  assert.throws(() => pools.of(a).allocate(), /no available IPv4 addresses/);
  pools.release('a', '10.1.0.2');
  assert.equal(formatIPv4(pools.of(a).allocate()), '10.1.0.2');
  pools.release('never-used', '10.9.0.2');
  pools.release('a', '');
});

test('a forgotten network starts over with an empty pool', () => {
  const pools = new AddressPools();
  const a = net('a', '10.1.0.0/24', '10.1.0.1');
  pools.of(a).claim(parseIPv4('10.1.0.2') as number);
  assert.equal(formatIPv4(pools.of(a).allocate()), '10.1.0.3');
  pools.forget('a');
  assert.equal(formatIPv4(pools.of(a).allocate()), '10.1.0.2');
});

test("used prefixes are our networks' subnets and the host's routes", () => {
  const used = usedPrefixes(
    [net('a', '10.1.0.0/24', '10.1.0.1'), net('b', '172.17.0.0/16', '172.17.0.1')],
    [{ base: parseIPv4('192.168.1.0') as number, bits: 24 }],
  );
  assert.deepEqual(used.map(formatPrefix), ['10.1.0.0/24', '172.17.0.0/16', '192.168.1.0/24']);
});
