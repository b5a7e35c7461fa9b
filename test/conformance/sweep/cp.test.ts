// docker cp, as dockerd 20.10 answers it: every rule of SRC and DEST (file or folder, missing,
// trailing `/` and `/.`), symlinks, -L and -a, tars on stdin and stdout, stopped containers, volumes,
// binds, read-only root filesystems, `..`, and what each copy leaves behind.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { cliError, cpOut, host, hostTree, runningCt, tarOf, tree } from './cp-fixtures.ts';
import { eventsDuring } from './events.ts';
import { checkResult, type Expect, type Scenario, sweep } from './sweep.ts';

const ok: Expect = { code: 0, stdout: '', stderr: '' };
/** A scenario copying from the host tree into the running container `ct`. */
const into = (name: string, src: string, dest: string, expect: Expect, then: Scenario['then']): Scenario => ({
  name,
  setup: [hostTree, ...runningCt],
  run: (c) => c.docker(['cp', ...(src.startsWith('-') ? src.split(' ') : [host(c, src)]), dest]),
  expect,
  then,
});
const listing = (lines: string[]): Expect => ({ code: 0, stdout: `${lines.join('\n')}\n` });

const scenarios: Scenario[] = [
  into('file to a missing path: a file of that name', 'file', 'ct:/new', ok, [
    { run: tree('ct', '/new'), expect: listing(['/new regular file 644 0:0 5 ']) },
  ]),
  into('file over a file: its contents replaced', 'file', 'ct:/f', ok, [
    { run: ['exec', 'ct', 'cat', '/f'], expect: { code: 0, stdout: 'file\n' } },
  ]),
  into('file into a folder: under its own name', 'file', 'ct:/d', ok, [
    { run: tree('ct', '/d/file'), expect: listing(['/d/file regular file 644 0:0 5 ']) },
  ]),
  into('file into a folder named with a trailing slash', 'file', 'ct:/d/e/', ok, [
    {
      run: tree('ct', '/d/e'),
      expect: listing([
        '/d/e directory 755 0:0 4096 ',
        '/d/e/file regular file 644 0:0 5 ',
        '/d/e/g regular file 644 0:0 3 ',
      ]),
    },
  ]),
  into(
    'file to a missing folder (trailing slash): the destination directory must exist',
    'file',
    'ct:/missing/',
    { code: 1, stdout: '', stderr: cliError('no such directory') },
    [
      {
        run: ['exec', 'ct', 'ls', '/missing'],
        expect: { code: 1, stderr: 'ls: /missing: No such file or directory\n' },
      },
    ],
  ),
  into(
    'file to a file with a trailing slash: no such directory',
    'file',
    'ct:/f/',
    { code: 1, stdout: '', stderr: cliError('no such directory') },
    [{ run: ['exec', 'ct', 'cat', '/f'], expect: { code: 0, stdout: 'old\n' } }],
  ),
  into(
    'file under a missing folder: the folder is not found',
    'file',
    'ct:/nodir/x',
    {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: Could not find the file /nodir in container ct\n',
    },
    [],
  ),
  into(
    'file under a file: extraction point is not a directory',
    'file',
    'ct:/f/x',
    {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: extraction point is not a directory\n',
    },
    [],
  ),
  into('folder to a missing path: made with the folder contents', 'dir', 'ct:/newd', ok, [
    {
      run: tree('ct', '/newd'),
      expect: listing([
        '/newd directory 755 0:0 4096 ',
        '/newd/sub directory 755 0:0 4096 ',
        '/newd/sub/x regular file 644 0:0 6 ',
        '/newd/y regular file 644 0:0 4 ',
      ]),
    },
  ]),
  into('folder to a missing path with a trailing slash: made too', 'dir', 'ct:/newd/', ok, [
    { run: ['exec', 'ct', 'cat', '/newd/sub/x'], expect: { code: 0, stdout: 'inner\n' } },
  ]),
  into(
    'folder over a file: cannot copy a directory to a file',
    'dir',
    'ct:/f',
    { code: 1, stdout: '', stderr: cliError('cannot copy directory') },
    [{ run: ['exec', 'ct', 'cat', '/f'], expect: { code: 0, stdout: 'old\n' } }],
  ),
  into(
    'folder over a file named with a trailing slash: the daemon refuses the non-directory',
    'dir',
    'ct:/f/',
    {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: Error processing tar file(exit status 1): cannot overwrite non-directory "/f" with directory "/"\n',
    },
    [{ run: ['exec', 'ct', 'cat', '/f'], expect: { code: 0, stdout: 'old\n' } }],
  ),
  into('folder into a folder: a folder of its name inside', 'dir', 'ct:/d', ok, [
    {
      run: ['exec', 'ct', 'sh', '-c', 'ls /d /d/dir'],
      expect: { code: 0, stdout: '/d:\ndir\ne\nfile\nlk\n\n/d/dir:\nsub\ny\n' },
    },
  ]),
  into('folder/. into a folder: its contents merged in', 'dir/.', 'ct:/d', ok, [
    { run: ['exec', 'ct', 'ls', '/d'], expect: { code: 0, stdout: 'dir\ne\nfile\nlk\nsub\ny\n' } },
  ]),
  into('folder/ (trailing slash) into a folder: like the folder itself', 'dir/', 'ct:/d', ok, [
    { run: ['exec', 'ct', 'ls', '/d/dir'], expect: { code: 0, stdout: 'sub\ny\n' } },
  ]),
  into('folder/. to a missing path: made with the contents', 'dir/.', 'ct:/copy', ok, [
    { run: ['exec', 'ct', 'ls', '/copy'], expect: { code: 0, stdout: 'sub\ny\n' } },
  ]),
  into(
    'a folder where the destination has a file of that name',
    't/file',
    'ct:/d',
    {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: Error processing tar file(exit status 1): cannot overwrite non-directory "/d/file" with directory "/d"\n',
    },
    [{ run: ['exec', 'ct', 'cat', '/d/file'], expect: { code: 0, stdout: 'df\n' } }],
  ),
  into(
    'a file where the destination has a folder of that name',
    't/dir',
    'ct:/d',
    {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: Error processing tar file(exit status 1): cannot overwrite directory "/d/dir" with non-directory "/d"\n',
    },
    [{ run: ['exec', 'ct', 'ls', '-d', '/d/dir'], expect: { code: 0, stdout: '/d/dir\n' } }],
  ),
  into('file to a link to a folder: into the folder it points to', 'file', 'ct:/dl', ok, [
    { run: tree('ct', '/dl'), expect: listing(['/dl symbolic link 777 0:0 2 /d']) },
    { run: ['exec', 'ct', 'cat', '/d/file'], expect: { code: 0, stdout: 'file\n' } },
  ]),
  into('file to a link to a file: the file it points to is replaced, the link stays', 'file', 'ct:/fl', ok, [
    { run: tree('ct', '/fl'), expect: listing(['/fl symbolic link 777 0:0 2 /f']) },
    { run: ['exec', 'ct', 'cat', '/f'], expect: { code: 0, stdout: 'file\n' } },
  ]),
  into('file into a folder reached through a link in the middle of the path', 'file', 'ct:/dl/e', ok, [
    {
      run: tree('ct', '/d/e'),
      expect: listing([
        '/d/e directory 755 0:0 4096 ',
        '/d/e/file regular file 644 0:0 5 ',
        '/d/e/g regular file 644 0:0 3 ',
      ]),
    },
  ]),
  into('a symlink is copied as a link', 'link', 'ct:/lnk', ok, [
    { run: tree('ct', '/lnk'), expect: listing(['/lnk symbolic link 777 0:0 4 file']) },
  ]),
  {
    name: 'cp -L: a symlink is followed and its file copied',
    setup: [hostTree, ...runningCt],
    run: (c) => c.docker(['cp', '-L', host(c, 'link'), 'ct:/followed']),
    expect: ok,
    then: [{ run: tree('ct', '/followed'), expect: listing(['/followed regular file 644 0:0 5 ']) }],
  },
  into('owners of the host files are kept (no -a)', 'owned', 'ct:/o', ok, [
    {
      run: tree('ct', '/o'),
      expect: listing(['/o directory 755 1234:2345 4096 ', '/o/o regular file 644 1234:2345 2 ']),
    },
  ]),
  {
    name: 'cp -a into a container without a user: the tar owners, as without -a',
    setup: [hostTree, ...runningCt],
    run: (c) => c.docker(['cp', '-a', host(c, 'owned'), 'ct:/o']),
    expect: ok,
    then: [{ run: tree('ct', '/o/o'), expect: listing(['/o/o regular file 644 1234:2345 2 ']) }],
  },
  {
    name: 'cp -a into a container whose user is uid:gid: no such passwd entry',
    setup: [hostTree, ['run', '-d', '--name', 'ctu', '--user', '1000:1000', 'busybox', 'sleep', '300']],
    run: (c) => c.docker(['cp', '-a', host(c, 'owned'), 'ctu:/tmp/o']),
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: getent unable to find entry "1000:1000" in passwd database\n',
    },
    then: [{ run: ['exec', 'ctu', 'ls', '/tmp'], expect: { code: 0, stdout: '' } }],
  },
  {
    name: 'cp -a into a container whose user is named: everything owned by that user',
    only: {
      engine: 'berthd',
      why: "dockerd 20.10 looks the user up on the host (getent), a bug later dockerd fixed by reading the container's /etc/passwd, as berthd does",
    },
    setup: [hostTree, ['run', '-d', '--name', 'ctu', '--user', 'app', 'busybox', 'sleep', '300']],
    run: (c) => c.docker(['cp', '-a', host(c, 'owned'), 'ctu:/tmp/o']),
    expect: ok,
    then: [
      {
        run: tree('ctu', '/tmp/o'),
        expect: listing(['/tmp/o directory 755 1000:1000 4096 ', '/tmp/o/o regular file 644 1000:1000 2 ']),
      },
    ],
  },
  {
    name: 'a tar on stdin: its entries, owners and modes land in the folder',
    setup: [...runningCt],
    run: async (c) =>
      c.d.docker(['cp', '-', 'ct:/d'], {
        input: await tarOf([
          { name: 'sub', type: 'directory', mode: 0o700 },
          { name: 'sub/own', data: 'o\n', uid: 4321, gid: 8765, mode: 0o600 },
          { name: 'deep/er/file', data: 'deep\n' },
          { name: 'rel', type: 'symlink', linkname: 'sub/own' },
        ]),
      }),
    expect: ok,
    then: [
      {
        run: tree('ct', '/d'),
        expect: listing([
          '/d directory 755 0:0 4096 ',
          '/d/deep directory 755 0:0 4096 ',
          '/d/deep/er directory 755 0:0 4096 ',
          '/d/deep/er/file regular file 644 0:0 5 ',
          '/d/dir directory 755 0:0 4096 ',
          '/d/e directory 755 0:0 4096 ',
          '/d/e/g regular file 644 0:0 3 ',
          '/d/file regular file 644 0:0 3 ',
          '/d/lk symbolic link 777 0:0 4 file',
          '/d/rel symbolic link 777 0:0 7 sub/own',
          '/d/sub directory 700 0:0 4096 ',
          '/d/sub/own regular file 600 4321:8765 2 ',
        ]),
      },
    ],
  },
  {
    name: 'a tar entry climbing out of the folder is refused',
    setup: [...runningCt],
    run: async (c) =>
      c.d.docker(['cp', '-', 'ct:/d'], { input: await tarOf([{ name: '../up', data: 'x' }]) }),
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: Error processing tar file(exit status 1): "../up" is outside of "/d"\n',
    },
    then: [
      {
        run: ['exec', 'ct', 'ls', '/up'],
        expect: { code: 1, stderr: 'ls: /up: No such file or directory\n' },
      },
    ],
  },
  {
    name: 'a tar symlink pointing out of the folder is refused',
    setup: [...runningCt],
    run: async (c) =>
      c.d.docker(['cp', '-', 'ct:/d'], {
        input: await tarOf([{ name: 'rel', type: 'symlink', linkname: '../../../etc' }]),
      }),
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: Error processing tar file(exit status 1): invalid symlink "/d/rel" -> "../../../etc"\n',
    },
  },
  {
    name: 'a tar hard link to a file out of the folder is refused',
    setup: [...runningCt],
    run: async (c) =>
      c.d.docker(['cp', '-', 'ct:/d'], {
        input: await tarOf([{ name: 'hl', type: 'link', linkname: '../f' }]),
      }),
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: Error processing tar file(exit status 1): invalid hardlink "/f" -> "../f"\n',
    },
  },
  {
    name: 'links planted to / and /etc: copies through them stay in the container',
    setup: [
      hostTree,
      ...runningCt,
      ['exec', 'ct', 'sh', '-c', 'ln -s / /toroot && ln -s /etc /toetc && ln -s /etc /d/abs'],
    ],
    run: async (c) => {
      for (const args of [
        ['cp', host(c, 'file'), 'ct:/toroot/berth-sweep-at-root'],
        ['cp', host(c, 'file'), 'ct:/toetc/berth-sweep-at-etc'],
        ['cp', host(c, 'dir/.'), 'ct:/toroot/'],
      ]) {
        const r = c.docker(args);
        if (r.code !== 0) return r;
      }
      return c.d.docker(['cp', '-', 'ct:/d'], {
        input: await tarOf([{ name: 'abs/berth-sweep-through', data: 'through\n' }]),
      });
    },
    expect: (r, c) => {
      checkResult(r, ok);
      for (const f of ['/berth-sweep-at-root', '/etc/berth-sweep-at-etc', '/etc/berth-sweep-through', '/y'])
        assert.equal(c.docker(['exec', 'ct', 'test', '-f', f]).code, 0, `${f} in the container`);
      for (const f of ['/berth-sweep-at-root', '/etc/berth-sweep-at-etc', '/etc/berth-sweep-through'])
        assert.ok(!existsSync(f), `${f} written on the host`);
    },
  },
  {
    name: 'paths through .. stay inside the container',
    setup: [hostTree, ...runningCt],
    run: (c) => c.docker(['cp', host(c, 'file'), 'ct:/d/../../../../up-there']),
    expect: ok,
    then: [{ run: tree('ct', '/up-there'), expect: listing(['/up-there regular file 644 0:0 5 ']) }],
  },
  {
    name: 'into a container that was never started: the file is there when it runs',
    setup: [hostTree, ['create', '--name', 'cst', 'busybox', 'cat', '/copied']],
    run: (c) => c.docker(['cp', host(c, 'file'), 'cst:/copied']),
    expect: ok,
    then: [
      { run: ['start', '-a', 'cst'], expect: { code: 0, stdout: 'file\n' } },
      { run: ['diff', 'cst'], expect: { code: 0, stdout: 'A /copied\n' } },
    ],
  },
  {
    name: 'into a volume of a stopped container: the file is in the volume, and its mount point in the container',
    setup: [hostTree, ['create', '--name', 'cst', '-v', 'cpvol:/vol', 'busybox', 'true']],
    run: (c) => c.docker(['cp', host(c, 'file'), 'cst:/vol/in-volume']),
    expect: ok,
    then: [
      {
        run: ['run', '--rm', '-v', 'cpvol:/x', 'busybox', 'cat', '/x/in-volume'],
        expect: { code: 0, stdout: 'file\n' },
      },
      { run: ['diff', 'cst'], expect: { code: 0, stdout: 'A /vol\n' } },
    ],
  },
  {
    name: 'into a bind mount of a running container: the file lands in the host folder',
    setup: [
      hostTree,
      (c) =>
        c.must(['run', '-d', '--name', 'cb', '-v', `${host(c, 'dir')}:/bound`, 'busybox', 'sleep', '300']),
    ],
    run: (c) => c.docker(['cp', host(c, 'file'), 'cb:/bound/from-cp']),
    expect: (r, c) => {
      checkResult(r, ok);
      assert.equal(readFileSync(host(c, 'dir/from-cp'), 'utf8'), 'file\n');
    },
  },
  {
    name: 'into a read-only root filesystem: refused',
    setup: [
      hostTree,
      ['run', '-d', '--name', 'cro', '--read-only', '--tmpfs', '/tm', 'busybox', 'sleep', '300'],
    ],
    run: (c) => c.docker(['cp', host(c, 'file'), 'cro:/f']),
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: container rootfs is marked read-only\n',
    },
  },
  {
    name: 'into a tmpfs of a read-only container: the root filesystem is read-only all the same',
    setup: [
      hostTree,
      ['run', '-d', '--name', 'cro', '--read-only', '--tmpfs', '/tm', 'busybox', 'sleep', '300'],
    ],
    run: (c) => c.docker(['cp', host(c, 'file'), 'cro:/tm/f']),
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: container rootfs is marked read-only\n',
    },
  },
  {
    name: 'into a writable volume of a read-only container: allowed',
    setup: [
      hostTree,
      ['run', '-d', '--name', 'cro', '--read-only', '-v', 'rwvol:/vol', 'busybox', 'sleep', '300'],
    ],
    run: (c) => c.docker(['cp', host(c, 'file'), 'cro:/vol/f']),
    expect: ok,
    then: [{ run: ['exec', 'cro', 'cat', '/vol/f'], expect: { code: 0, stdout: 'file\n' } }],
  },
  {
    name: 'into a read-only volume: refused',
    setup: [hostTree, ['run', '-d', '--name', 'cro', '-v', 'rovol:/vol:ro', 'busybox', 'sleep', '300']],
    run: (c) => c.docker(['cp', host(c, 'file'), 'cro:/vol/f']),
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: mounted volume is marked read-only\n',
    },
  },
  {
    name: 'a missing host source',
    setup: [hostTree, ...runningCt],
    run: (c) => c.docker(['cp', host(c, 'nope'), 'ct:/x']),
    expect: { code: 1, stdout: '', stderr: 'lstat <root>/h/nope: no such file or directory\n' },
  },
  {
    name: 'a missing container',
    setup: [hostTree],
    run: (c) => c.docker(['cp', host(c, 'file'), 'nope:/x']),
    expect: { code: 1, stdout: '', stderr: 'Error response from daemon: No such container: nope\n' },
  },
  // Out of the container.
  {
    name: 'folder out to a missing host path: made with its contents',
    setup: [hostTree, ...runningCt],
    run: (c) => c.docker(['cp', 'ct:/d', host(c, 'out')]),
    expect: (r, c) => {
      checkResult(r, ok);
      assert.deepEqual(readdirSync(host(c, 'out')).sort(), ['dir', 'e', 'file', 'lk']);
      assert.equal(readFileSync(host(c, 'out/e/g'), 'utf8'), 'de\n');
    },
  },
  {
    name: 'folder/. out into an existing host folder: its contents merged in',
    setup: [hostTree, ...runningCt],
    run: (c) => c.docker(['cp', 'ct:/d/.', host(c, 'dir')]),
    expect: (r, c) => {
      checkResult(r, ok);
      assert.deepEqual(readdirSync(host(c, 'dir')).sort(), ['dir', 'e', 'file', 'lk', 'sub', 'y']);
    },
  },
  {
    name: 'a link out: copied as a link; with -L, what it points to',
    setup: [hostTree, ...runningCt],
    run: (c) => {
      const r = c.docker(['cp', 'ct:/fl', host(c, 'as-link')]);
      return r.code ? r : c.docker(['cp', '-L', 'ct:/fl', host(c, 'as-file')]);
    },
    expect: (r, c) => {
      checkResult(r, ok);
      assert.equal(readFileSync(host(c, 'as-file'), 'utf8'), 'old\n');
      assert.ok(statSync(host(c, 'as-file')).isFile());
      assert.equal(readlinkSync(host(c, 'as-link')), '/f');
    },
  },
  {
    name: 'a missing path out',
    setup: [...runningCt],
    run: ['cp', 'ct:/nope', '-'],
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: Could not find the file /nope in container ct\n',
    },
  },
  {
    name: 'a file asked for as a folder (trailing slash): not a directory',
    setup: [...runningCt],
    run: ['cp', 'ct:/f/', '-'],
    // dockerd names its own overlay path; berthd the path in the container.
    expect: {
      code: 1,
      stdout: '',
      stderr: /^Error response from daemon: lstat \S*\/f\/: not a directory\n$/,
    },
  },
  ...tarOut('folder: entries named from its name, folders first, names in byte order', '/d', [
    'd/ directory 755 root:root 0',
    'd/dir/ directory 755 root:root 0',
    'd/e/ directory 755 root:root 0',
    'd/e/g file 644 root:root 3',
    'd/file file 644 root:root 3',
    'd/lk symlink 777 root:root 0 -> file',
  ]),
  ...tarOut('folder/.: entries named ./', '/d/.', [
    './ directory 755 root:root 0',
    './dir/ directory 755 root:root 0',
    './e/ directory 755 root:root 0',
    './e/g file 644 root:root 3',
    './file file 644 root:root 3',
    './lk symlink 777 root:root 0 -> file',
  ]),
  ...tarOut('a link to a folder with a trailing slash: its target, named as the link', '/dl/', [
    'dl/ directory 755 root:root 0',
    'dl/dir/ directory 755 root:root 0',
    'dl/e/ directory 755 root:root 0',
    'dl/e/g file 644 root:root 3',
    'dl/file file 644 root:root 3',
    'dl/lk symlink 777 root:root 0 -> file',
  ]),
  ...tarOut('a link in the middle of the path is followed', '/dl/e', [
    'e/ directory 755 root:root 0',
    'e/g file 644 root:root 3',
  ]),
  ...tarOut('a link as the last element: the link itself', '/dl', ['dl symlink 777 root:root 0 -> /d']),
  ...tarOut('a dangling link: the link itself', '/dang', ['dang symlink 777 root:root 0 -> nowhere']),
  ...tarOut('a path through ..', '/d/e/../../f', ['f file 644 root:root 4']),
  {
    name: 'cp -L of a link out to stdout: the file it points to, under its own name',
    setup: [...runningCt],
    run: (c) => cpOut(c, ['cp', '-L', 'ct:/fl', '-'], true),
    expect: { code: 0, stdout: 'f file 644 root:root 4 "old\\n"\n', stderr: '' },
  },
  {
    name: 'the root out: entries named /…, with the init files and owners named from the container',
    setup: [...runningCt, ['exec', 'ct', 'chown', '1000:1000', '/f']],
    run: (c) => cpOut(c, ['cp', 'ct:/', '-']),
    expect: (r) => {
      checkResult({ ...r, stdout: '' }, ok);
      const lines = r.stdout.split('\n');
      assert.deepEqual(lines.slice(0, 3), [
        '/ directory 755 root:root 0',
        '/.dockerenv file 755 root:root 0',
        '/bin/ directory 755 root:root 0',
      ]);
      for (const want of [
        '/dev/console file 755 root:root 0',
        '/dev/pts/ directory 755 root:root 0',
        '/etc/mtab symlink 777 root:root 0 -> /proc/mounts',
        '/f file 644 app:app 4',
        '/proc/ directory 755 root:root 0',
      ])
        assert.ok(
          lines.includes(want),
          `${want} in ${lines.filter((l) => !l.startsWith('/bin/')).join('\n')}`,
        );
      assert.ok(!lines.some((l) => l.startsWith('/proc/1/') || l.startsWith('/dev/null')), 'kernel files');
    },
  },
  {
    name: "out of a stopped container's volume",
    setup: [['run', '--name', 'cst', '-v', 'outvol:/vol', 'busybox', 'sh', '-c', 'echo in-volume > /vol/v']],
    run: (c) => cpOut(c, ['cp', 'cst:/vol/v', '-'], true),
    expect: { code: 0, stdout: 'v file 644 root:root 10 "in-volume\\n"\n', stderr: '' },
  },
  {
    name: "/etc/hostname out of a running container: the engine's file, not the image's",
    setup: [['run', '-d', '--name', 'ct', '--hostname', 'sweep-host', 'busybox', 'sleep', '300']],
    run: (c) => cpOut(c, ['cp', 'ct:/etc/hostname', '-'], true),
    expect: { code: 0, stdout: 'hostname file 644 root:root 11 "sweep-host\\n"\n', stderr: '' },
  },
  {
    name: 'copies are container events: extract-to-dir and archive-path (a failed copy is none)',
    setup: [hostTree, ['run', '-d', '--name', 'evct', 'busybox', 'sleep', '300']],
    run: (c) =>
      eventsDuring(
        c,
        () => {
          c.must(['cp', host(c, 'file'), 'evct:/tmp/']);
          c.must(['cp', 'evct:/tmp/file', host(c, 'back')]);
          void c.docker(['cp', 'evct:/nope', host(c, 'back2')]);
        },
        ['container=evct', 'event=extract-to-dir', 'event=archive-path'],
        '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}',
      ),
    expect: { code: 0, stdout: 'container extract-to-dir evct\ncontainer archive-path evct\n', stderr: '' },
  },
];

/** `docker cp ct:<p> -` of the standard container, as a tar listing. */
function tarOut(name: string, p: string, lines: string[]): Scenario[] {
  return [
    {
      name: `tar out: ${name}`,
      setup: [...runningCt],
      run: (c) => cpOut(c, ['cp', `ct:${p}`, '-']),
      expect: { code: 0, stdout: `${lines.join('\n')}\n`, stderr: '' },
    },
  ];
}

sweep('cp', scenarios);
