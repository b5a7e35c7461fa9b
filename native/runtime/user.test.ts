import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { testDir } from '../core/test-dir.ts';
import { processUser, resolveUser } from './user.ts';

function rootfs(): string {
  const r = testDir('berth-rootfs-');
  mkdirSync(path.join(r, 'etc'));
  writeFileSync(
    path.join(r, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n',
  );
  writeFileSync(path.join(r, 'etc/group'), 'root:x:0:\nwheel:x:10:app\napp:x:1000:\nstaff:x:50:app,other\n');
  return r;
}

test('-u forms resolve like Docker', async () => {
  const r = rootfs();
  assert.deepEqual(await resolveUser(r, ''), { uid: 0, gid: 0, additionalGids: [], home: '/root' });
  assert.deepEqual(await resolveUser(r, 'app'), {
    uid: 1000,
    gid: 1000,
    additionalGids: [10, 50],
    home: '/home/app',
  });
  assert.deepEqual(await resolveUser(r, '1000:10'), {
    uid: 1000,
    gid: 10,
    additionalGids: [],
    home: '/home/app',
  });
  assert.deepEqual(await resolveUser(r, 'app:staff'), {
    uid: 1000,
    gid: 50,
    additionalGids: [],
    home: '/home/app',
  });
  assert.deepEqual(await resolveUser(r, '4242'), { uid: 4242, gid: 0, additionalGids: [], home: '/' });
  await assert.rejects(
    resolveUser(r, 'ghost'),
    /unable to find user ghost: no matching entries in passwd file/,
  );
  await assert.rejects(
    resolveUser(r, 'app:ghosts'),
    /unable to find group ghosts: no matching entries in group file/,
  );
});

test('an /etc/passwd symlink is followed inside the rootfs, never on the host', async () => {
  const r = testDir('berth-rootfs-');
  mkdirSync(path.join(r, 'etc'));
  mkdirSync(path.join(r, 'data'));
  writeFileSync(path.join(r, 'data/pw'), 'inside:x:7:7::/in:/bin/sh\n');
  symlinkSync('/data/pw', path.join(r, 'etc/passwd'));
  assert.equal((await resolveUser(r, 'inside')).uid, 7);
  const r2 = testDir('berth-rootfs-');
  mkdirSync(path.join(r2, 'etc'));
  symlinkSync('../../../../../../etc/passwd', path.join(r2, 'etc/passwd'));
  // The host's root user must not be visible through the escape.
  await assert.rejects(
    resolveUser(r2, 'daemon'),
    /unable to find user daemon|too many levels of symbolic links/,
  );
});

test("a process's groups: the primary group first, the user's groups, then --group-add", async () => {
  const r = rootfs();
  assert.deepEqual((await processUser(r, '')).additionalGids, [0]);
  assert.deepEqual((await processUser(r, 'app')).additionalGids, [1000, 10, 50]);
  assert.deepEqual((await processUser(r, '4242:4242')).additionalGids, [4242]);
  assert.deepEqual(
    (await processUser(r, 'app', ['staff', '777', '50'])).additionalGids,
    [1000, 10, 50, 50, 777],
  );
  await assert.rejects(
    processUser(r, '', ['audio']),
    /^EngineError: Unable to find group audio: no matching entries in group file$/,
  );
});

test("an image's /etc/passwd that is not a regular file is read as empty, without waiting on it", async () => {
  // The image's files are read on berthd's own thread: a FIFO (a writer that never comes) must not
  // hold it, and a folder is no passwd file either.
  const r = testDir('berth-rootfs-');
  mkdirSync(path.join(r, 'etc'));
  execFileSync('mkfifo', [path.join(r, 'etc/passwd')]);
  mkdirSync(path.join(r, 'etc/group'));
  assert.deepEqual(await resolveUser(r, '1000'), { uid: 1000, gid: 0, additionalGids: [], home: '/' });
  await assert.rejects(resolveUser(r, 'app'), /unable to find user app/);
});
