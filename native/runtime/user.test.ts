import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { isEngineError } from '../core/errors.ts';
import { resolveUser } from './user.ts';

let rootfs: string;
let outside: string;

const passwd = `root:x:0:0:root:/root:/bin/sh
# a comment
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
app:x:1000:1000:App:/home/app:/bin/sh
nohome:x:1001:1001::/:/bin/sh
`;
const group = `root:x:0:root
bin:x:1:root,app
wheel:x:10:root
app:x:1000:
staff:x:50:app, nohome
`;

before(async () => {
  rootfs = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-user-'));
  outside = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-user-outside-'));
  await fs.mkdir(path.join(rootfs, 'etc'));
  await fs.writeFile(path.join(rootfs, 'etc/passwd'), passwd);
  await fs.writeFile(path.join(rootfs, 'etc/group'), group);
});

after(async () => {
  await fs.rm(rootfs, { recursive: true, force: true });
  await fs.rm(outside, { recursive: true, force: true });
});

test("'' is root with root's supplementary groups", async () => {
  assert.deepEqual(await resolveUser(rootfs, ''), {
    uid: 0,
    gid: 0,
    additionalGids: [0, 1, 10],
    home: '/root',
  });
});

test('a name gives its uid, primary gid, home and groups it is a member of', async () => {
  assert.deepEqual(await resolveUser(rootfs, 'app'), {
    uid: 1000,
    gid: 1000,
    additionalGids: [1, 50],
    home: '/home/app',
  });
});

test('a numeric uid in passwd is that user; one not in passwd is fine', async () => {
  assert.deepEqual(await resolveUser(rootfs, '1000'), await resolveUser(rootfs, 'app'));
  assert.deepEqual(await resolveUser(rootfs, '4242'), { uid: 4242, gid: 0, additionalGids: [], home: '/' });
});

test('an explicit group replaces the primary one and drops supplementary groups', async () => {
  assert.deepEqual(await resolveUser(rootfs, 'app:wheel'), {
    uid: 1000,
    gid: 10,
    additionalGids: [],
    home: '/home/app',
  });
  assert.deepEqual(await resolveUser(rootfs, 'app:77'), {
    uid: 1000,
    gid: 77,
    additionalGids: [],
    home: '/home/app',
  });
  assert.deepEqual(await resolveUser(rootfs, '4242:staff'), {
    uid: 4242,
    gid: 50,
    additionalGids: [],
    home: '/',
  });
  assert.deepEqual(await resolveUser(rootfs, '4242:4343'), {
    uid: 4242,
    gid: 4343,
    additionalGids: [],
    home: '/',
  });
});

test('`name:` keeps the supplementary groups', async () => {
  assert.deepEqual((await resolveUser(rootfs, 'app:')).additionalGids, [1, 50]);
});

test('unknown user and group are invalid with Docker wording', async () => {
  await assert.rejects(
    resolveUser(rootfs, 'xyz'),
    (err) =>
      isEngineError(err, 'invalid') &&
      err.message === 'unable to find user xyz: no matching entries in passwd file',
  );
  await assert.rejects(
    resolveUser(rootfs, 'app:xyz'),
    (err) =>
      isEngineError(err, 'invalid') &&
      err.message === 'unable to find group xyz: no matching entries in group file',
  );
  await assert.rejects(resolveUser(rootfs, '2147483648'), /uids and gids must be in range/);
});

test('an image without /etc/passwd still runs as root or as a number', async () => {
  const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-user-empty-'));
  try {
    assert.deepEqual(await resolveUser(empty, ''), { uid: 0, gid: 0, additionalGids: [], home: '/' });
    assert.deepEqual(await resolveUser(empty, '5:6'), { uid: 5, gid: 6, additionalGids: [], home: '/' });
    await assert.rejects(resolveUser(empty, 'app'), /unable to find user app/);
  } finally {
    await fs.rm(empty, { recursive: true, force: true });
  }
});

test('a symlinked /etc/passwd is resolved inside the rootfs, never on the host', async () => {
  const evil = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-user-evil-'));
  try {
    await fs.writeFile(path.join(outside, 'passwd'), 'evil:x:0:0::/evil:/bin/sh\n');
    await fs.mkdir(path.join(evil, 'etc'));
    // Absolute and climbing links both aim at the host file; inside the rootfs they lead nowhere.
    await fs.symlink(path.join(outside, 'passwd'), path.join(evil, 'etc/passwd'));
    await assert.rejects(resolveUser(evil, 'evil'), /unable to find user evil/);
    await fs.rm(path.join(evil, 'etc/passwd'));
    await fs.symlink(`../../../../../../..${outside}/passwd`, path.join(evil, 'etc/passwd'));
    await assert.rejects(resolveUser(evil, 'evil'), /unable to find user evil/);
    // A link that stays inside the rootfs is followed.
    await fs.mkdir(path.join(evil, 'data'));
    await fs.writeFile(path.join(evil, 'data/passwd'), 'inside:x:7:8::/in:/bin/sh\n');
    await fs.rm(path.join(evil, 'etc/passwd'));
    await fs.symlink('/data/passwd', path.join(evil, 'etc/passwd'));
    assert.deepEqual(await resolveUser(evil, 'inside'), { uid: 7, gid: 8, additionalGids: [], home: '/in' });
  } finally {
    await fs.rm(evil, { recursive: true, force: true });
  }
});
