import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPrefix } from '../../network/ipam.ts';
import { parseRoutes } from './host.ts';

test("the host's routes are read from /proc/net/route's little-endian hex, default routes left out", () => {
  const text = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'eth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0',
    'eth0\t0002A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0',
    'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
    'tun0\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0',
    '',
  ].join('\n');
  assert.deepEqual(parseRoutes(text).map(formatPrefix), ['192.168.2.0/24', '172.17.0.0/16', '10.0.0.0/8']);
  assert.deepEqual(parseRoutes(''), []);
});
