import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { testDir } from '../../core/test-dir.ts';
import {
  chooseServiceCidr,
  lockServiceRanges,
  overlaps,
  parseRouteTable,
  serviceCidrFor,
} from './service-range.ts';

// What /proc/net/route says on a host with a default route, a Docker bridge and a VPN on 10.96/16.
const table = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
tun0\t0000600A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
`;

test('the route table as CIDRs, without the default route', () => {
  assert.deepEqual(parseRouteTable(table), ['172.17.0.0/16', '10.96.0.0/16', '192.0.2.0/24']);
  assert.deepEqual(parseRouteTable(''), []);
});

test('a range a route overlaps is passed over', () => {
  assert.ok(overlaps('10.96.0.0/12', '10.96.0.0/16'));
  assert.ok(overlaps('10.96.0.0/16', '10.96.0.0/12'));
  assert.ok(!overlaps('10.96.0.0/12', '10.112.0.0/16'));
  assert.equal(chooseServiceCidr([]), '10.96.0.0/12');
  assert.equal(chooseServiceCidr(parseRouteTable(table)), '10.43.0.0/16');
  assert.equal(chooseServiceCidr(['10.0.0.0/8']), '172.29.0.0/16');
});

test('the choice is kept in the data root and used again whatever the routes are then', async () => {
  const dir = testDir('berth-svc-range-');
  const routes = path.join(dir, 'route');
  writeFileSync(routes, table);
  assert.equal(await serviceCidrFor(dir, routes, []), '10.43.0.0/16');
  assert.equal(readFileSync(path.join(dir, 'service-cidr'), 'utf8'), '10.43.0.0/16\n');
  writeFileSync(routes, '');
  assert.equal(await serviceCidrFor(dir, routes, []), '10.43.0.0/16');
  // Another cluster on the host holds 10.43.0.10 (and the VPN 10.96/16): the next range.
  const other = testDir('berth-svc-range-');
  writeFileSync(routes, table);
  assert.equal(await serviceCidrFor(other, routes, ['10.43.0.10/32']), '172.29.0.0/16');
});

test('a range noted by another data root is passed over while that data root exists, even with its addresses down', async () => {
  const routes = path.join(testDir('berth-svc-routes-'), 'route');
  writeFileSync(routes, '');
  const noted = path.join(testDir('berth-svc-noted-'), 'ranges');
  const a = testDir('berth-svc-range-');
  const b = testDir('berth-svc-range-');
  const c = testDir('berth-svc-range-');
  assert.equal(await serviceCidrFor(a, routes, [], noted), '10.96.0.0/12');
  // a is off: none of its addresses is up. b chooses another range all the same.
  assert.equal(await serviceCidrFor(b, routes, [], noted), '10.43.0.0/16');
  assert.equal(await serviceCidrFor(a, routes, [], noted), '10.96.0.0/12', 'a keeps its own');
  assert.equal(readFileSync(noted, 'utf8'), `10.43.0.0/16 ${b}\n10.96.0.0/12 ${a}\n`, 'each noted once');
  // A data root that is gone frees its range.
  rmSync(a, { recursive: true, force: true });
  assert.equal(await serviceCidrFor(c, routes, [], noted), '10.96.0.0/12');
  assert.equal(readFileSync(noted, 'utf8'), `10.43.0.0/16 ${b}\n10.96.0.0/12 ${c}\n`);
  // Without the file, nothing is noted or read: the routes and addresses alone choose.
  assert.equal(await serviceCidrFor(testDir('berth-svc-range-'), routes, []), '10.96.0.0/12');
});

test('a cluster that waits too long for the service-range lock says who holds it', async () => {
  const dir = testDir('berth-svc-lock-');
  const file = path.join(dir, 'ranges.lock');
  const release = await lockServiceRanges(file);
  await assert.rejects(
    lockServiceRanges(file, 100),
    new RegExp(`another cluster on this host \\(pid ${process.pid}\\) holds ${file} while it chooses`),
  );
  await release();
  assert.deepEqual(readdirSync(dir), [], 'nothing is left behind');
});
