// docker system df and docker system prune, as dockerd 20.10 answers them.
import type { RunResult } from '../harness.ts';
import { type Ctx, normalize, type Scenario, sweep } from './sweep.ts';

/** dockerd 20.10 speaks API 1.41, where `volume prune` (and so `system prune --volumes`) takes named volumes too. */
const api141 = (c: Ctx, args: string[]): RunResult =>
  c.d.docker(args, { env: { DOCKER_API_VERSION: '1.41' } });

/** A stopped container with 50 KiB of its own, one using a volume with 100 KiB, a running one, an anonymous volume. */
const usage: Scenario['setup'] = [
  ['volume', 'create', 'dfv'],
  [
    'run',
    '--name',
    'dfc',
    '-v',
    'dfv:/data',
    'busybox',
    'sh',
    '-c',
    'dd if=/dev/zero of=/data/z bs=1k count=100 2>/dev/null; dd if=/dev/zero of=/big bs=1k count=50 2>/dev/null',
  ],
  ['run', '-d', '--name', 'dfr', 'busybox', 'sleep', '300'],
  ['run', '--name', 'anon', '-v', '/anon', 'busybox', 'true'],
];

/** Lines sorted: dockerd lists what a prune deleted in the order of a Go map. */
const sorted = (r: RunResult): RunResult => ({ ...r, stdout: sortSections(normalize(r.stdout)) });
function sortSections(s: string): string {
  return s
    .split('\n\n')
    .map((section) => {
      const [head, ...rest] = section.split('\n');
      return [head, ...rest.sort()].join('\n');
    })
    .join('\n\n');
}

const scenarios: Scenario[] = [
  {
    name: 'df: nothing but the image',
    run: ['system', 'df'],
    expect: {
      code: 0,
      stdout:
        'TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n' +
        'Images          1         0         1.984MB   1.984MB (100%)\n' +
        'Containers      0         0         0B        0B\n' +
        'Local Volumes   0         0         0B        0B\n' +
        'Build Cache     0         0         0B        0B\n',
      stderr: '',
    },
  },
  {
    name: 'df: containers and volumes, what is active and what could go',
    setup: usage,
    run: ['system', 'df'],
    expect: {
      code: 0,
      stdout:
        'TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n' +
        'Images          1         1         1.984MB   0B (0%)\n' +
        'Containers      3         1         51.2kB    51.2kB (100%)\n' +
        'Local Volumes   2         2         102.4kB   0B (0%)\n' +
        'Build Cache     0         0         0B        0B\n',
      stderr: '',
    },
  },
  {
    name: 'df --format: a template and json',
    setup: usage,
    run: (c) => {
      const t = c.docker([
        'system',
        'df',
        '--format',
        '{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}',
      ]);
      const j = c.docker(['system', 'df', '--format', 'json']);
      return { code: t.code || j.code, stdout: t.stdout + j.stdout, stderr: t.stderr + j.stderr };
    },
    expect: {
      code: 0,
      stdout:
        'Images|1|1|1.984MB|0B (0%)\nContainers|3|1|51.2kB|51.2kB (100%)\nLocal Volumes|2|2|102.4kB|0B (0%)\nBuild Cache|0|0|0B|0B\n' +
        '{"Active":"1","Reclaimable":"0B (0%)","Size":"1.984MB","TotalCount":"1","Type":"Images"}\n' +
        '{"Active":"1","Reclaimable":"51.2kB (100%)","Size":"51.2kB","TotalCount":"3","Type":"Containers"}\n' +
        '{"Active":"2","Reclaimable":"0B (0%)","Size":"102.4kB","TotalCount":"2","Type":"Local Volumes"}\n' +
        '{"Active":"0","Reclaimable":"0B","Size":"0B","TotalCount":"0","Type":"Build Cache"}\n',
      stderr: '',
    },
  },
  {
    name: 'df -v: images, containers and volumes one by one',
    setup: usage,
    run: [
      'system',
      'df',
      '-v',
      '--format',
      '{{range .Images}}{{.Repository}}:{{.Tag}} {{.Size}} {{.SharedSize}} {{.UniqueSize}} {{.Containers}}{{println}}{{end}}' +
        '{{range .Containers}}{{.Names}} {{.Image}} {{.Command}} {{.LocalVolumes}} {{.Size}} {{.State}}{{println}}{{end}}' +
        '{{range .Volumes}}{{.Name}} {{.Links}} {{.Size}}{{println}}{{end}}{{len .BuildCache}}',
    ],
    expect: (r) => {
      // The containers come newest first, the volumes in the order of a Go map: compared sorted.
      const lines = r.stdout.trim().split('\n');
      const want = [
        'busybox:latest 1.98MB 0B 1.984MB 3',
        'anon busybox "true" 1 0B exited',
        'dfr busybox "sleep 300" 0 0B running',
        'dfc busybox "sh -c \'dd if=/dev/zero of=/data/z bs=1k count=100 2>/dev/null; dd if=/dev/zero of=/big bs=1k count=50 2>/dev/null\'" 1 51.2kB exited',
        'dfv 1 102.4kB',
        '<id> 1 0B',
        '0',
      ];
      if (
        JSON.stringify(lines.map((l) => l.replace(/\b[0-9a-f]{64}\b/, '<id>')).sort()) !==
        JSON.stringify([...want].sort())
      )
        throw new Error(`df -v: ${JSON.stringify(lines)}`);
      if (r.code !== 0 || r.stderr !== '') throw new Error(`df -v: ${r.code} ${r.stderr}`);
    },
  },
  {
    name: 'df -v: the section headings',
    run: ['system', 'df', '-v'],
    expect: {
      code: 0,
      stdout:
        'Images space usage:\n\n' +
        'REPOSITORY   TAG       IMAGE ID       CREATED       SIZE      SHARED SIZE   UNIQUE SIZE   CONTAINERS\n' +
        'busybox      latest    <short-id>   <ago>   1.98MB    0B            1.984MB       0\n\n' +
        'Containers space usage:\n\n' +
        'CONTAINER ID   IMAGE     COMMAND   LOCAL VOLUMES   SIZE      CREATED   STATUS    NAMES\n\n' +
        'Local Volumes space usage:\n\n' +
        'VOLUME NAME   LINKS     SIZE\n\n' +
        'Build cache usage: 0B\n\n' +
        'CACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED\n',
      stderr: '',
    },
  },
  {
    name: 'prune: stopped containers and unused networks, with the space they held; volumes stay',
    setup: [
      ...usage,
      ['network', 'create', '--subnet', '10.213.40.0/24', 'sp-unused'],
      ['network', 'create', '--subnet', '10.213.41.0/24', 'sp-used'],
      ['run', '-d', '--name', 'onnet', '--network', 'sp-used', 'busybox', 'sleep', '300'],
    ],
    run: (c) => sorted(c.docker(['system', 'prune', '-f'])),
    expect: {
      code: 0,
      stdout:
        'Deleted Containers:\n<id>\n<id>\n\nDeleted Networks:\nsp-unused\n\nTotal reclaimed space: 51.2kB\n',
      stderr: '',
    },
    then: [
      { run: ['ps', '-a', '--format', '{{.Names}}'], expect: { code: 0, stdout: 'onnet\ndfr\n' } },
      { run: ['volume', 'ls', '-q', '-f', 'name=dfv'], expect: { code: 0, stdout: 'dfv\n' } },
    ],
  },
  {
    name: 'prune --volumes (API 1.41): unused volumes too, named and anonymous',
    setup: usage,
    run: (c) => sorted(api141(c, ['system', 'prune', '-f', '--volumes'])),
    expect: {
      code: 0,
      stdout:
        'Deleted Containers:\n<id>\n<id>\n\nDeleted Volumes:\n<id>\ndfv\n\nTotal reclaimed space: 153.6kB\n',
      stderr: '',
    },
    then: [{ run: ['volume', 'ls', '-q'], expect: { code: 0, stdout: '' } }],
  },
  {
    name: 'prune -a: images no container uses, untagged and deleted',
    setup: [
      ['run', '--name', 'base', 'busybox', 'sh', '-c', 'echo layer > /layer'],
      ['commit', 'base', 'sweep-sys:1'],
      ['rm', 'base'],
      ['run', '-d', '--name', 'keep', 'busybox', 'sleep', '300'],
    ],
    run: ['system', 'prune', '-a', '-f'],
    expect: {
      code: 0,
      stdout:
        'Deleted Images:\nuntagged: sweep-sys:1\ndeleted: sha256:<digest>\ndeleted: sha256:<digest>\n\nTotal reclaimed space: 6B\n',
      stderr: '',
    },
    then: [
      {
        run: ['images', '--format', '{{.Repository}}:{{.Tag}}'],
        expect: { code: 0, stdout: 'busybox:latest\n' },
      },
    ],
  },
  {
    name: 'prune --filter label=: only what carries the label',
    setup: [
      ['run', '--name', 'kept', 'busybox', 'true'],
      ['run', '--name', 'gone', '--label', 'sweep=1', 'busybox', 'true'],
      ['network', 'create', '--subnet', '10.213.42.0/24', '--label', 'sweep=1', 'sp-gone'],
      ['network', 'create', '--subnet', '10.213.43.0/24', 'sp-kept'],
    ],
    run: ['system', 'prune', '-f', '--filter', 'label=sweep=1'],
    expect: {
      code: 0,
      stdout: 'Deleted Containers:\n<id>\n\nDeleted Networks:\nsp-gone\n\nTotal reclaimed space: 0B\n',
      stderr: '',
    },
    then: [{ run: ['ps', '-a', '--format', '{{.Names}}'], expect: { code: 0, stdout: 'kept\n' } }],
  },
  {
    name: 'prune --filter until=: what is older',
    setup: [
      ['run', '--name', 'recent', 'busybox', 'true'],
      ['network', 'create', '--subnet', '10.213.44.0/24', 'sp-recent'],
    ],
    run: ['system', 'prune', '-f', '--filter', 'until=1h'],
    expect: { code: 0, stdout: 'Total reclaimed space: 0B\n', stderr: '' },
    then: [{ run: ['ps', '-a', '--format', '{{.Names}}'], expect: { code: 0, stdout: 'recent\n' } }],
  },
  {
    name: 'prune: bad filters remove nothing',
    setup: [['run', '--name', 'stays', 'busybox', 'true']],
    run: (c) => {
      const a = c.docker(['system', 'prune', '-f', '--filter', 'bogus=1']);
      const b = c.docker(['system', 'prune', '-f', '--filter', 'until=bogus']);
      return { code: a.code || b.code, stdout: a.stdout + b.stdout, stderr: a.stderr + b.stderr };
    },
    expect: {
      code: 1,
      stdout: '',
      stderr:
        "Error response from daemon: Invalid filter 'bogus'\n" +
        'Error response from daemon: failed to parse value as time or duration: "bogus"\n',
    },
    then: [{ run: ['ps', '-a', '--format', '{{.Names}}'], expect: { code: 0, stdout: 'stays\n' } }],
  },
  {
    name: 'prune: nothing to prune',
    run: ['system', 'prune', '-f'],
    expect: { code: 0, stdout: 'Total reclaimed space: 0B\n', stderr: '' },
  },
];

sweep('system', scenarios);
