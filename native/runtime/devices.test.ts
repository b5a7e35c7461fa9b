import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { devicesFromPath, splitDevT, throttleDevices } from './devices.ts';

test('dev_t splits into major and minor as glibc does', () => {
  assert.deepEqual(splitDevT(0x0103n), { major: 1, minor: 3 });
  assert.deepEqual(splitDevT((254n << 8n) | 0n), { major: 254, minor: 0 });
  // Large minors live in the upper bits.
  assert.deepEqual(splitDevT(0x00100a00n | 0x5n), { major: 10, minor: 0x105 });
});

test('a device node maps to a node in the container and a cgroup rule with its permissions', async () => {
  const [d] = await devicesFromPath('/dev/null', '/dev/mynull', 'rw');
  assert.deepEqual(d.device, {
    path: '/dev/mynull',
    type: 'c',
    major: 1,
    minor: 3,
    fileMode: 0o666,
    uid: 0,
    gid: 0,
  });
  assert.deepEqual(d.rule, { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' });
});

test("a directory gives every device node under it; errors carry dockerd's words", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-dev-'));
  try {
    await fs.mkdir(path.join(dir, 'sub'));
    await fs.symlink('/dev/zero', path.join(dir, 'sub', 'z'));
    await fs.writeFile(path.join(dir, 'plain'), '');
    // Only nodes count: a symlink inside a directory is not followed, as in dockerd's walk.
    await assert.rejects(
      devicesFromPath(dir, '/dev/x', 'rwm'),
      new RegExp(`error gathering device information while adding custom device "${dir}": not a device node`),
    );
    const viaLink = await devicesFromPath(path.join(dir, 'sub', 'z'), '/dev/z', 'rwm');
    assert.deepEqual(
      viaLink.map((d) => [d.device.path, d.device.major, d.device.minor]),
      [['/dev/z', 1, 5]],
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  const pts = await devicesFromPath('/dev/pts', '/dev/hostpts', 'r').catch(() => []);
  for (const d of pts) assert.ok(d.device.path.startsWith('/dev/hostpts/'));
  await assert.rejects(devicesFromPath('/dev/nonexist', '/dev/nonexist', 'rwm'), {
    message:
      'error gathering device information while adding custom device "/dev/nonexist": no such file or directory',
  });
});

test('block I/O throttles name the device by number', async () => {
  assert.deepEqual(await throttleDevices([{ Path: '/dev/null', Rate: 100 }]), [
    { major: 1, minor: 3, rate: 100 },
  ]);
  await assert.rejects(
    throttleDevices([{ Path: '/dev/nope', Rate: 1 }]),
    /\/dev\/nope: no such file or directory/,
  );
  assert.deepEqual(await throttleDevices(null), []);
});
