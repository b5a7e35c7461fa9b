// docker volume create/ls/inspect/rm/prune and anonymous volumes, as dockerd 20.10 answers them.
import type { RunResult } from '../harness.ts';
import { eventsDuring } from './events.ts';
import { type Ctx, type Scenario, sweep } from './sweep.ts';

/** dockerd 20.10 speaks API 1.41, where `volume prune` takes named volumes too: pinned so both engines do. */
const api141 = (c: Ctx, args: string[]): RunResult =>
  c.d.docker(args, { env: { DOCKER_API_VERSION: '1.41' } });

const inUse = (name: string) => ['create', '--name', name, '-v', 'used:/data', 'busybox', 'true'];

const scenarios: Scenario[] = [
  {
    name: 'create prints the name; inspect shows driver, labels, options and scope',
    run: [
      'volume',
      'create',
      '--label',
      'a=b',
      '--label',
      'c',
      '-o',
      'type=tmpfs',
      '-o',
      'device=tmpfs',
      'v1',
    ],
    expect: { code: 0, stdout: 'v1\n', stderr: '' },
    then: [
      {
        run: [
          'volume',
          'inspect',
          '-f',
          '{{.Name}} {{.Driver}} {{.Labels}} {{.Options}} {{.Scope}} {{.Mountpoint}}',
          'v1',
        ],
        expect: {
          code: 0,
          stdout: 'v1 local map[a:b c:] map[device:tmpfs type:tmpfs] local <data-root>/volumes/v1/_data\n',
        },
      },
    ],
  },
  {
    name: 'inspect: the whole JSON of a volume',
    setup: [['volume', 'create', '--label', 'k=v', 'v1']],
    run: ['volume', 'inspect', 'v1'],
    expect: {
      code: 0,
      stdout: `[
    {
        "CreatedAt": "<time>",
        "Driver": "local",
        "Labels": {
            "k": "v"
        },
        "Mountpoint": "<data-root>/volumes/v1/_data",
        "Name": "v1",
        "Options": null,
        "Scope": "local"
    }
]
`,
      stderr: '',
    },
  },
  {
    name: 'create of a name that exists returns it as it is, whatever labels come with it',
    setup: [['volume', 'create', 'v1']],
    run: ['volume', 'create', '--label', 'new=1', 'v1'],
    expect: { code: 0, stdout: 'v1\n', stderr: '' },
    then: [{ run: ['volume', 'inspect', '-f', '{{.Labels}}', 'v1'], expect: { code: 0, stdout: 'map[]\n' } }],
  },
  {
    name: 'create of a name that exists does not look at the options (they would not make a volume)',
    setup: [['volume', 'create', 'v1']],
    run: ['volume', 'create', '-o', 'type=tmpfs', 'v1'],
    expect: { code: 0, stdout: 'v1\n', stderr: '' },
    then: [
      { run: ['volume', 'inspect', '-f', '{{.Options}}', 'v1'], expect: { code: 0, stdout: 'map[]\n' } },
    ],
  },
  {
    name: 'create: a name with a slash',
    run: ['volume', 'create', 'bad/name'],
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: create bad/name: "bad/name" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path\n',
    },
  },
  {
    name: 'create: a one-character name',
    run: ['volume', 'create', 'a'],
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: create a: volume name is too short, names should be at least two alphanumeric characters\n',
    },
  },
  {
    name: 'create: a driver that is not there',
    run: ['volume', 'create', '-d', 'nodriver', 'v3'],
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: create v3: error looking up volume plugin nodriver: plugin "nodriver" not found\n',
    },
    then: [{ run: ['volume', 'ls', '-q'], expect: { code: 0, stdout: '' } }],
  },
  {
    name: 'create: an option the local driver does not know',
    run: ['volume', 'create', '-o', 'bogus=1', 'v9'],
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: create v9: invalid option: "bogus"\n',
    },
  },
  {
    name: 'create: a mount type without its device',
    run: ['volume', 'create', '-o', 'type=tmpfs', 'v9'],
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: create v9: missing required option: "device"\n',
    },
  },
  {
    name: 'create without a name: anonymous, a 64-hex name',
    only: {
      engine: 'berthd',
      why: 'dockerd ≥ 23 (API 1.42) labels a volume made without a name com.docker.volume.anonymous, so that prune takes it; 20.10 left it unlabelled',
    },
    run: (c) => {
      const name = c.must(['volume', 'create']).trim();
      return c.docker(['volume', 'inspect', '-f', '{{.Name}} {{.Labels}}', name]);
    },
    expect: { code: 0, stdout: '<id> map[com.docker.volume.anonymous:]\n', stderr: '' },
  },
  {
    name: 'ls: a table of driver and name, sorted by name',
    setup: [
      ['volume', 'create', 'zeta'],
      ['volume', 'create', 'alpha'],
      ['volume', 'create', 'mid'],
    ],
    run: ['volume', 'ls'],
    expect: {
      code: 0,
      stdout: 'DRIVER    VOLUME NAME\nlocal     alpha\nlocal     mid\nlocal     zeta\n',
      stderr: '',
    },
  },
  {
    name: 'ls --format: name, driver, labels, mount point, scope; and json',
    setup: [['volume', 'create', '--label', 'a=b', 'v1']],
    run: (c) => {
      const t = c.docker([
        'volume',
        'ls',
        '--format',
        '{{.Name}}|{{.Driver}}|{{.Labels}}|{{.Mountpoint}}|{{.Scope}}',
      ]);
      const j = c.docker(['volume', 'ls', '--format', 'json']);
      return { code: t.code || j.code, stdout: t.stdout + j.stdout, stderr: t.stderr + j.stderr };
    },
    expect: {
      code: 0,
      stdout:
        'v1|local|a=b|<data-root>/volumes/v1/_data|local\n' +
        '{"Availability":"N/A","Driver":"local","Group":"N/A","Labels":"a=b","Links":"N/A","Mountpoint":"<data-root>/volumes/v1/_data","Name":"v1","Scope":"local","Size":"N/A","Status":"N/A"}\n',
      stderr: '',
    },
  },
  {
    name: 'ls filters: dangling, name (a pattern), label, label=value, driver',
    setup: [
      ['volume', 'create', '--label', 'a=b', 'web-data'],
      ['volume', 'create', '--label', 'a=c', 'web-logs'],
      ['volume', 'create', 'db'],
      inUse('user'),
    ],
    run: (c) => {
      const out: string[] = [];
      for (const f of [
        ['dangling=true'],
        ['dangling=false'],
        ['name=^web'],
        ['name=s$'],
        ['label=a'],
        ['label=a=b'],
        ['driver=local', 'name=db'],
        ['dangling=0', 'label=a'],
      ]) {
        const r = c.docker(['volume', 'ls', '-q', ...f.flatMap((x) => ['-f', x])]);
        out.push(`${f.join(' ')}: ${r.stdout.trim().split('\n').join(',')}`);
      }
      return { code: 0, stdout: `${out.join('\n')}\n`, stderr: '' };
    },
    expect: {
      code: 0,
      stdout:
        'dangling=true: db,web-data,web-logs\ndangling=false: used\nname=^web: web-data,web-logs\nname=s$: web-logs\n' +
        'label=a: web-data,web-logs\nlabel=a=b: web-data\ndriver=local name=db: db\ndangling=0 label=a: \n',
      stderr: '',
    },
  },
  {
    name: 'ls: a filter it does not know',
    run: ['volume', 'ls', '-f', 'bogus=1'],
    expect: { code: 1, stdout: '', stderr: "Error response from daemon: Invalid filter 'bogus'\n" },
  },
  {
    name: 'ls: dangling with a value that is not a boolean',
    run: ['volume', 'ls', '-f', 'dangling=maybe'],
    expect: {
      code: 1,
      stdout: '',
      stderr: "Error response from daemon: Invalid filter 'dangling=[maybe]'\n",
    },
  },
  {
    name: 'inspect: a missing volume prints [] and the error',
    run: ['volume', 'inspect', 'nope'],
    expect: { code: 1, stdout: '[]\n', stderr: 'Error response from daemon: get nope: no such volume\n' },
  },
  {
    name: 'inspect: one there and one missing, the one there is printed',
    setup: [['volume', 'create', 'v1']],
    run: ['volume', 'inspect', '-f', '{{.Name}}', 'v1', 'nope'],
    expect: { code: 1, stdout: 'v1\n', stderr: 'Error response from daemon: get nope: no such volume\n' },
  },
  {
    name: 'rm: a volume in use, with the ids of the containers that use it',
    setup: [inUse('u1'), inUse('u2')],
    run: ['volume', 'rm', 'used'],
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: remove used: volume is in use - [<id>, <id>]\n',
    },
  },
  {
    name: 'rm -f: a volume in use is still refused',
    setup: [inUse('u1')],
    run: ['volume', 'rm', '-f', 'used'],
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: remove used: volume is in use - [<id>]\n',
    },
    then: [{ run: ['volume', 'ls', '-q'], expect: { code: 0, stdout: 'used\n' } }],
  },
  {
    name: 'rm: several, one missing: the others go, the missing one fails',
    setup: [
      ['volume', 'create', 'v1'],
      ['volume', 'create', 'v2'],
    ],
    run: ['volume', 'rm', 'v1', 'nope', 'v2'],
    expect: { code: 1, stdout: 'v1\nv2\n', stderr: 'Error response from daemon: get nope: no such volume\n' },
    then: [{ run: ['volume', 'ls', '-q'], expect: { code: 0, stdout: '' } }],
  },
  {
    name: 'rm -f: a missing volume is no error',
    run: ['volume', 'rm', '-f', 'nope'],
    expect: { code: 0, stdout: 'nope\n', stderr: '' },
  },
  {
    name: 'run -v /path makes an anonymous volume; rm -v takes it and leaves named ones',
    setup: [
      ['run', '--name', 'anon', '-v', '/data', '-v', 'keep:/keep', 'busybox', 'sh', '-c', 'echo x > /data/f'],
    ],
    run: (c) => {
      const before = c.docker(['volume', 'ls', '-q']);
      const rm = c.docker(['rm', '-v', 'anon']);
      return { code: rm.code, stdout: before.stdout + rm.stdout, stderr: rm.stderr };
    },
    expect: { code: 0, stdout: '<id>\nkeep\nanon\n', stderr: '' },
    then: [{ run: ['volume', 'ls', '-q'], expect: { code: 0, stdout: 'keep\n' } }],
  },
  {
    name: "an image's VOLUME becomes an anonymous volume with the image's files in it",
    setup: [
      ['run', '--name', 'base', 'busybox', 'sh', '-c', 'mkdir /vol && echo from-image > /vol/f'],
      ['commit', '--change', 'VOLUME /vol', 'base', 'sweep-vol:1'],
      ['rm', 'base'],
    ],
    run: ['run', '--name', 'withvol', 'sweep-vol:1', 'cat', '/vol/f'],
    expect: { code: 0, stdout: 'from-image\n', stderr: '' },
    then: [
      {
        run: [
          'inspect',
          '-f',
          '{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}}{{end}}',
          'withvol',
        ],
        expect: { code: 0, stdout: 'volume <id> /vol true\n' },
      },
      { run: ['volume', 'ls', '-q', '-f', 'dangling=false'], expect: { code: 0, stdout: '<id>\n' } },
    ],
  },
  {
    name: 'prune (API 1.41): every unused volume, named or not; in use ones stay',
    setup: [
      ['volume', 'create', 'unused'],
      ['run', '--name', 'filler', '-v', 'unused:/d', 'busybox', 'sh', '-c', 'printf 12345 > /d/f'],
      ['rm', 'filler'],
      inUse('user'),
    ],
    run: (c) => api141(c, ['volume', 'prune', '-f']),
    expect: { code: 0, stdout: 'Deleted Volumes:\nunused\n\nTotal reclaimed space: 5B\n', stderr: '' },
    then: [{ run: ['volume', 'ls', '-q'], expect: { code: 0, stdout: 'used\n' } }],
  },
  {
    name: 'prune (API 1.41) --filter label= and label!=',
    setup: [
      ['volume', 'create', '--label', 'keep=yes', 'kept'],
      ['volume', 'create', '--label', 'keep=no', 'gone'],
      ['volume', 'create', 'plain'],
    ],
    run: (c) => {
      const a = api141(c, ['volume', 'prune', '-f', '--filter', 'label=keep=no']);
      const b = api141(c, ['volume', 'prune', '-f', '--filter', 'label!=keep']);
      return { code: a.code || b.code, stdout: a.stdout + b.stdout, stderr: a.stderr + b.stderr };
    },
    expect: {
      code: 0,
      stdout:
        'Deleted Volumes:\ngone\n\nTotal reclaimed space: 0B\nDeleted Volumes:\nplain\n\nTotal reclaimed space: 0B\n',
      stderr: '',
    },
    then: [{ run: ['volume', 'ls', '-q'], expect: { code: 0, stdout: 'kept\n' } }],
  },
  {
    name: 'prune: nothing to prune',
    run: ['volume', 'prune', '-f'],
    expect: { code: 0, stdout: 'Total reclaimed space: 0B\n', stderr: '' },
  },
  {
    name: 'prune: a filter it does not know',
    run: ['volume', 'prune', '-f', '--filter', 'until=1h'],
    expect: { code: 1, stdout: '', stderr: "Error response from daemon: Invalid filter 'until'\n" },
  },
  {
    name: 'prune (API 1.41): the all filter did not exist yet',
    run: (c) => api141(c, ['volume', 'prune', '-f', '--filter', 'all=true']),
    expect: { code: 1, stdout: '', stderr: "Error response from daemon: Invalid filter 'all'\n" },
  },
  {
    name: 'prune (API ≥ 1.42): anonymous volumes only; -a takes named ones too',
    only: {
      engine: 'berthd',
      why: 'API 1.42 (dockerd 23) narrowed volume prune to anonymous volumes and added -a; dockerd 20.10 speaks 1.41, where the CLI refuses -a',
    },
    setup: [
      ['volume', 'create', 'named'],
      ['run', '--name', 'anon', '-v', '/data', 'busybox', 'true'],
      ['rm', 'anon'],
    ],
    run: (c) => {
      const a = c.docker(['volume', 'prune', '-f']);
      const b = c.docker(['volume', 'prune', '-a', '-f']);
      return { code: a.code || b.code, stdout: a.stdout + b.stdout, stderr: a.stderr + b.stderr };
    },
    expect: {
      code: 0,
      stdout:
        'Deleted Volumes:\n<id>\n\nTotal reclaimed space: 0B\nDeleted Volumes:\nnamed\n\nTotal reclaimed space: 0B\n',
      stderr: '',
    },
  },
  {
    name: 'events: create, mount, unmount and destroy of a volume',
    run: (c) =>
      eventsDuring(
        c,
        () => {
          c.must(['volume', 'create', 'ev']);
          c.must(['run', '--name', 'evc', '-v', 'ev:/d', 'busybox', 'true']);
          c.must(['rm', 'evc']);
          c.must(['volume', 'rm', 'ev']);
        },
        ['type=volume'],
        '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}} {{.Actor.Attributes.destination}}',
      ),
    expect: {
      code: 0,
      stdout:
        'volume create ev local <no value>\nvolume create ev local <no value>\nvolume mount ev local /d\nvolume unmount ev local <no value>\nvolume destroy ev local <no value>\n',
      stderr: '',
    },
  },
  {
    name: 'events --filter event=: only those actions',
    run: (c) =>
      eventsDuring(
        c,
        () => {
          c.must(['volume', 'create', 'ev']);
          c.must(['volume', 'rm', 'ev']);
        },
        ['type=volume', 'event=destroy'],
        '{{.Action}} {{.Actor.ID}}',
      ),
    expect: { code: 0, stdout: 'destroy ev\n', stderr: '' },
  },
];

sweep('volume', scenarios);
