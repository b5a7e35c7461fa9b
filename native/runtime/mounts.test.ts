import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEngineError } from '../core/errors.ts';
import {
  defaultMounts,
  etcMounts,
  maskedPaths,
  parseTmpfsFlag,
  readonlyPaths,
  tmpfsMount,
  tmpfsSize,
} from './mounts.ts';

const byDest = (mounts: ReturnType<typeof defaultMounts>) => new Map(mounts.map((m) => [m.destination, m]));

test("the default mounts are Docker's", () => {
  const m = byDest(defaultMounts({ privileged: false }));
  assert.deepEqual(
    [...m.keys()],
    ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm'],
  );
  assert.deepEqual(m.get('/proc'), {
    destination: '/proc',
    type: 'proc',
    source: 'proc',
    options: ['nosuid', 'noexec', 'nodev'],
  });
  assert.deepEqual(m.get('/dev')?.options, ['nosuid', 'strictatime', 'mode=755', 'size=65536k']);
  assert.equal(m.get('/dev/pts')?.type, 'devpts');
  assert.deepEqual(m.get('/dev/pts')?.options, [
    'nosuid',
    'noexec',
    'newinstance',
    'ptmxmode=0666',
    'mode=0620',
    'gid=5',
  ]);
  assert.ok(m.get('/sys')?.options.includes('ro'));
  assert.equal(m.get('/sys/fs/cgroup')?.type, 'cgroup');
  assert.ok(m.get('/sys/fs/cgroup')?.options.includes('ro'));
  assert.equal(m.get('/dev/mqueue')?.type, 'mqueue');
  assert.deepEqual(m.get('/dev/shm')?.options, ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864']);
});

test('shm size follows --shm-size; privileged gets rw /sys and cgroups', () => {
  const m = byDest(defaultMounts({ privileged: true, shmSize: 1 << 20 }));
  assert.ok(m.get('/dev/shm')?.options.includes('size=1048576'));
  assert.ok(m.get('/sys')?.options.includes('rw'));
  assert.ok(!m.get('/sys/fs/cgroup')?.options.includes('ro'));
});

test('the /etc files are rbind rprivate, and ro only with a read-only rootfs', () => {
  const files = { hosts: '/h/hosts', hostname: '/h/hostname', resolvConf: '/h/resolv.conf' };
  const rw = etcMounts(files, false);
  assert.deepEqual(
    rw.map((m) => [m.destination, m.source, m.type]),
    [
      ['/etc/resolv.conf', '/h/resolv.conf', 'bind'],
      ['/etc/hostname', '/h/hostname', 'bind'],
      ['/etc/hosts', '/h/hosts', 'bind'],
    ],
  );
  for (const m of rw) assert.deepEqual(m.options, ['rbind', 'rprivate']);
  for (const m of etcMounts(files, true)) assert.ok(m.options.includes('ro'));
});

test('masked and read-only paths are the Docker lists', () => {
  assert.ok(maskedPaths.includes('/proc/kcore') && maskedPaths.includes('/sys/firmware'));
  assert.equal(maskedPaths.length, 11);
  assert.deepEqual(readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
});

test('--tmpfs values split at the first colon', () => {
  assert.deepEqual(parseTmpfsFlag('/run:rw,size=64m'), ['/run', 'rw,size=64m']);
  assert.deepEqual(parseTmpfsFlag('/run'), ['/run', '']);
  assert.throws(
    () => parseTmpfsFlag(':size=1m'),
    (e) => isEngineError(e, 'invalid'),
  );
});

test('tmpfs gets noexec,nosuid,nodev by default; user options override', () => {
  assert.deepEqual(tmpfsMount('/run', ''), {
    destination: '/run',
    type: 'tmpfs',
    source: 'tmpfs',
    options: ['noexec', 'nosuid', 'nodev'],
  });
  assert.deepEqual(tmpfsMount('/run', 'rw,size=64m').options, [
    'noexec',
    'nosuid',
    'nodev',
    'rw',
    'size=67108864',
  ]);
  assert.deepEqual(tmpfsMount('/x', 'exec,mode=1777,size=1k').options, [
    'exec',
    'nosuid',
    'nodev',
    'mode=1777',
    'size=1024',
  ]);
  assert.deepEqual(tmpfsMount('/x', 'size=1k,size=2k').options, ['noexec', 'nosuid', 'nodev', 'size=2048']);
  assert.deepEqual(tmpfsMount('/x', 'uid=1000,gid=1000').options, [
    'noexec',
    'nosuid',
    'nodev',
    'uid=1000',
    'gid=1000',
  ]);
});

test('tmpfs sizes take Docker units', () => {
  assert.equal(tmpfsSize('65536'), '65536');
  assert.equal(tmpfsSize('64m'), String(64 * 1024 * 1024));
  assert.equal(tmpfsSize('1GB'), String(1024 ** 3));
  assert.equal(tmpfsSize('1.5k'), '1536');
  assert.equal(tmpfsSize('50%'), '50%');
  assert.throws(() => tmpfsSize('lots'), /invalid size/);
});

test('bad tmpfs paths and options are invalid', () => {
  for (const [dest, opts] of [
    ['run', ''],
    ['/', ''],
    ['/x', 'bogus'],
    ['/x', 'mode=999'],
    ['/x', 'foo=1'],
  ]) {
    assert.throws(
      () => tmpfsMount(dest, opts),
      (e) => isEngineError(e, 'invalid'),
      `${dest}:${opts}`,
    );
  }
});
