import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHost, differences, keptInTmp, linkNames, mountPoints } from './host-state.mjs';

test('link names come from ip -o link show, without the peer suffix', () => {
  const text =
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT\\    link/loopback 00:00:00:00:00:00\n' +
    '7: vethab12@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master bt0-1a2b3c\n' +
    '3: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n';
  assert.deepEqual(linkNames(text), ['eth0', 'lo', 'vethab12']);
});

test('every link, rule and chain that appeared or went is listed; the same state lists nothing', () => {
  const before = {
    links: ['eth0', 'lo'],
    filter: ['-P FORWARD ACCEPT', '-N BERTH-1'],
    nat: ['-P PREROUTING ACCEPT'],
  };
  assert.deepEqual(differences(before, structuredClone(before)), []);
  const after = {
    links: ['eth0', 'lo', 'bt0-abc'],
    filter: ['-P FORWARD DROP', '-N BERTH-1'],
    nat: ['-P PREROUTING ACCEPT', '-A POSTROUTING -j BERTH-POST-abc'],
  };
  assert.deepEqual(differences(before, after), [
    '+ link: bt0-abc',
    '- iptables: -P FORWARD ACCEPT',
    '+ iptables: -P FORWARD DROP',
    '+ iptables -t nat: -A POSTROUTING -j BERTH-POST-abc',
  ]);
  const printed = [];
  const print = (l) => printed.push(l);
  assert.deepEqual(checkHost(before, after, print), { pass: 0, fail: 1, skipped: 0 });
  assert.match(printed[0], /^✖ the host is left as found .*: 4 difference\(s\)\n {2}\+ link: bt0-abc\n/);
  assert.deepEqual(checkHost(before, structuredClone(before), print), { pass: 1, fail: 0, skipped: 0 });
  assert.deepEqual(checkHost({ unavailable: 'not root' }, before, print), { pass: 0, fail: 0, skipped: 1 });
  assert.match(printed[2], /# SKIP not root$/);
});

test('mount points come from mountinfo; mounts, temporary entries and processes that appear or go are listed', () => {
  const info =
    '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n' +
    '310 22 0:52 / /tmp/bt-x1/data/overlay/abc/merged rw,relatime - overlay overlay rw,lowerdir=/l\n';
  assert.deepEqual(mountPoints(info), ['/', '/tmp/bt-x1/data/overlay/abc/merged']);
  const base = { links: [], filter: [], nat: [] };
  const before = { ...base, mounts: ['/'], tmp: ['berth-test.log'], processes: ['1 /sbin/init'] };
  const after = {
    ...base,
    mounts: ['/', '/tmp/bt-x1/data/overlay/abc/merged'],
    tmp: ['berth-net-Ab12Cd', 'berth-test.log'],
    processes: ['1 /sbin/init', '4242 /bin/sh -c sleep 300'],
  };
  const diff = differences(before, after);
  assert.deepEqual(
    diff.map((l) => l.replace(/^\+ \/\S+: /, '+ tmp: ')),
    [
      '+ mount: /tmp/bt-x1/data/overlay/abc/merged',
      '+ tmp: berth-net-Ab12Cd',
      '+ process: 4242 /bin/sh -c sleep 300',
    ],
  );
  // A snapshot from before these were recorded compares as empty, not as everything gone.
  assert.deepEqual(differences(base, base), []);
});

test('the caches tools keep in the temporary directory are not counted as left behind; a test directory is', () => {
  const kept = (n) => keptInTmp.some((re) => re.test(n));
  for (const n of ['tsx-0', '.X11-unix', 'jiti', 'berth-image-fixtures', 'berth-vm-machine-kernel'])
    assert.ok(kept(n), n);
  for (const n of ['berth-net-Ab12Cd', 'bt-x1y2z3', 'rootfs-Ab12Cd', 'playwright-artifacts-x'])
    assert.ok(!kept(n), n);
});
