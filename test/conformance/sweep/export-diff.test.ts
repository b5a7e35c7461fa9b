// docker diff and docker export, as dockerd 20.10 reports a container's filesystem: the changes
// against its image and init layer (A/C/D, a folder before what is in it), and the tar of its root
// filesystem (names without ./, the init layer's files, owners named from the container).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../harness.ts';
import { dockerBytes, listTar } from './cp-fixtures.ts';
import { type Ctx, checkResult, type Scenario, sweep } from './sweep.ts';

/**
 * dockerd walks the changes out of a Go map: the order of siblings varies from run to run, a folder
 * always comes before what is in it. The lines are compared sorted, and the order checked for that.
 */
function changes(want: string[]) {
  return (r: RunResult) => {
    checkResult({ ...r, stdout: '' }, { code: 0, stdout: '', stderr: '' });
    const lines = r.stdout.split('\n').filter(Boolean);
    assert.deepEqual([...lines].sort(), [...want].sort());
    const seen = new Set<string>();
    for (const l of lines) {
      const p = l.slice(2);
      const parent = path.posix.dirname(p);
      if (parent !== '/' && lines.some((x) => x.slice(2) === parent))
        assert.ok(seen.has(parent), `${p} before its folder ${parent}`);
      seen.add(p);
    }
  };
}

/** `docker export` read as a listing, only the entries that are not busybox's applets. */
async function exported(c: Ctx, ct: string): Promise<RunResult> {
  const r = dockerBytes(c, ['export', ct]);
  if (r.code !== 0) return { code: r.code, stdout: r.stdout.toString(), stderr: r.stderr };
  const lines = (await listTar(r.stdout))
    .split('\n')
    .filter((l) => l && !/^(bin|sbin|usr\/bin|usr\/sbin)\/\S/.test(l));
  return { code: 0, stdout: `${lines.join('\n')}\n`, stderr: r.stderr };
}

const scenarios: Scenario[] = [
  {
    name: 'diff: a container that changed nothing has no changes (the /etc files are not its own)',
    setup: [['run', '--name', 'dc', 'busybox', 'true']],
    run: ['diff', 'dc'],
    expect: { code: 0, stdout: '', stderr: '' },
  },
  {
    name: 'diff: added, changed and deleted; a changed folder before what is in it',
    setup: [
      [
        'run',
        '--name',
        'dc',
        'busybox',
        'sh',
        '-c',
        'mkdir -p /a/b/c && echo x > /tmp/new && rm /usr/bin/env && echo more >> /etc/passwd && rm -r /home/app',
      ],
    ],
    run: ['diff', 'dc'],
    expect: changes([
      'A /a',
      'A /a/b',
      'A /a/b/c',
      'C /etc',
      'C /etc/passwd',
      'C /home',
      'D /home/app',
      'C /tmp',
      'A /tmp/new',
      'C /usr',
      'C /usr/bin',
      'D /usr/bin/env',
    ]),
  },
  {
    name: 'diff: a mode or owner set to what it was is no change; a new owner is',
    setup: [
      [
        'run',
        '--name',
        'dc',
        'busybox',
        'sh',
        '-c',
        'chmod 644 /etc/passwd; chown 0:0 /etc/group; chown 1000 /tmp',
      ],
    ],
    run: ['diff', 'dc'],
    expect: changes(['C /tmp']),
  },
  {
    name: 'diff: the mount points of volumes, binds and tmpfs are added by the start',
    setup: [
      (c) =>
        void c.must([
          'run',
          '--name',
          'dc',
          '-v',
          '/data',
          '-v',
          `${c.d.root}:/bound`,
          '--tmpfs',
          '/scratch',
          'busybox',
          'sh',
          '-c',
          'echo v > /data/in-volume; echo t > /scratch/in-tmpfs',
        ]),
    ],
    run: ['diff', 'dc'],
    expect: changes(['A /bound', 'A /data', 'A /scratch']),
  },
  {
    name: 'diff: a created container has none',
    setup: [['create', '--name', 'dc', '-v', '/data', 'busybox', 'true']],
    run: ['diff', 'dc'],
    expect: { code: 0, stdout: '', stderr: '' },
  },
  {
    name: 'diff and export: a missing container',
    run: (c) => {
      const a = c.docker(['diff', 'nope']);
      const b = c.docker(['export', 'nope']);
      return { code: a.code || b.code, stdout: a.stdout + b.stdout, stderr: a.stderr + b.stderr };
    },
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: No such container: nope\nError response from daemon: No such container: nope\n',
    },
  },
  {
    name: 'export of a created container: names without ./, the init files, byte order, owners by name',
    setup: [['create', '--name', 'ex', 'busybox', 'true']],
    run: (c) => exported(c, 'ex'),
    expect: {
      code: 0,
      stdout: [
        '.dockerenv file 755 root:root 0',
        'bin/ directory 755 root:root 0',
        'dev/ directory 755 root:root 0',
        'dev/console file 755 root:root 0',
        'dev/pts/ directory 755 root:root 0',
        'dev/shm/ directory 755 root:root 0',
        'etc/ directory 755 root:root 0',
        'etc/group file 644 root:root 66',
        'etc/hostname file 755 root:root 0',
        'etc/hosts file 755 root:root 0',
        'etc/mtab symlink 777 root:root 0 -> /proc/mounts',
        'etc/passwd file 644 root:root 161',
        'etc/resolv.conf file 755 root:root 0',
        'home/ directory 755 root:root 0',
        'home/app/ directory 755 app:app 0',
        'proc/ directory 755 root:root 0',
        'root/ directory 700 root:root 0',
        'sys/ directory 755 root:root 0',
        'tmp/ directory 1777 root:root 0',
        'usr/ directory 755 root:root 0',
        'usr/bin/ directory 755 root:root 0',
        'var/ directory 755 root:root 0',
        '',
      ].join('\n'),
      stderr: '',
    },
  },
  {
    name: 'export: what the container wrote, not what its volumes hold; a deleted file is gone',
    setup: [
      [
        'run',
        '--name',
        'ex',
        '-v',
        '/vol',
        'busybox',
        'sh',
        '-c',
        'echo v > /vol/in-volume; echo w > /written; chown 1000:1000 /written; rm /etc/group; touch /n; chown 65534:65534 /n',
      ],
    ],
    run: async (c) => {
      const r = await exported(c, 'ex');
      return {
        ...r,
        stdout: r.stdout
          .split('\n')
          .filter((l) => /^(n |vol|written|etc\/group)/.test(l))
          .join('\n'),
      };
    },
    // /etc/group went: group 1000 has no name; 0 and 65534 get the names the host's C library makes up.
    expect: {
      code: 0,
      stdout: 'n file 644 nobody:nogroup 0\nvol/ directory 755 root:root 0\nwritten file 644 app: 2',
      stderr: '',
    },
  },
  {
    name: 'export: a folder of 2000 small files comes out whole',
    setup: [
      [
        'run',
        '--name',
        'ex',
        'busybox',
        'sh',
        '-c',
        'mkdir /many && cd /many && for i in $(seq 1 2000); do echo $i > f$i; done',
      ],
    ],
    run: async (c) => {
      const r = dockerBytes(c, ['export', 'ex']);
      if (r.code !== 0) return { code: r.code, stdout: '', stderr: r.stderr };
      const many = (await listTar(r.stdout, true)).split('\n').filter((l) => l.startsWith('many/'));
      const wrong = many.filter((l, i) => i > 0 && !/^many\/f(\d+) file 644 root:root \d+ "\1\\n"$/.test(l));
      return { code: 0, stdout: `${many.length} entries\n${wrong.slice(0, 3).join('\n')}`, stderr: r.stderr };
    },
    expect: { code: 0, stdout: '2001 entries\n', stderr: '' },
  },
  {
    name: 'export -o: the same tar in a file',
    setup: [['create', '--name', 'ex', 'busybox', 'true']],
    run: async (c) => {
      const out = path.join(c.d.root, 'export.tar');
      const r = c.docker(['export', '-o', out, 'ex']);
      if (r.code) return r;
      const lines = (await listTar(readFileSync(out))).split('\n').filter((l) => l.startsWith('etc/'));
      return { code: 0, stdout: r.stdout + lines.join('\n'), stderr: r.stderr };
    },
    expect: {
      code: 0,
      stdout:
        'etc/ directory 755 root:root 0\netc/group file 644 root:root 66\netc/hostname file 755 root:root 0\n' +
        'etc/hosts file 755 root:root 0\netc/mtab symlink 777 root:root 0 -> /proc/mounts\n' +
        'etc/passwd file 644 root:root 161\netc/resolv.conf file 755 root:root 0',
      stderr: '',
    },
  },
  {
    name: 'export: the container event',
    setup: [['create', '--name', 'ex', 'busybox', 'true']],
    run: (c) => {
      const since = (Date.now() / 1000).toFixed(3);
      dockerBytes(c, ['export', 'ex']);
      const until = (Date.now() / 1000 + 1).toFixed(3);
      return c.docker([
        'events',
        '--since',
        since,
        '--until',
        until,
        '--filter',
        'container=ex',
        '--format',
        '{{.Action}} {{.Actor.Attributes.name}}',
      ]);
    },
    expect: { code: 0, stdout: 'export ex\n', stderr: '' },
  },
];

sweep('diff and export', scenarios);
