// docker images (a positional repo[:tag], --filter, -a, -q, --digests, --no-trunc, --format) and
// ps --filter ancestor=, as dockerd 20.10 answers them.
import { sorted } from './image-helpers.ts';
import { type Ctx, type Scenario, sweep } from './sweep.ts';

/** busybox under three more names: two tags of one repository and one of another. */
const tagged: Scenario['setup'] = [
  ['tag', 'busybox', 'myapp:1'],
  ['tag', 'busybox', 'myapp:2'],
  ['tag', 'busybox', 'other/x:2'],
];

const repoTag = '{{.Repository}}:{{.Tag}}';

/** An image built on busybox in two steps (so with an intermediate image), tagged app. */
const built = (c: Ctx) =>
  void c.must(['build', '-q', '-t', 'app', '-'], 'FROM busybox\nRUN echo a > /a\nENV E=1\n');

const scenarios: Scenario[] = [
  {
    name: 'images REPO: only that repository’s tags, not the other names of the same image',
    setup: tagged,
    run: ['images', 'myapp', '--format', repoTag],
    expect: { code: 0, stdout: 'myapp:1\nmyapp:2\n', stderr: '' },
  },
  {
    name: 'images REPO:TAG: the one reference, in the table',
    setup: tagged,
    run: ['images', 'myapp:1'],
    expect: {
      code: 0,
      stdout:
        'REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\nmyapp        1         <short-id>   <ago>   1.98MB\n',
      stderr: '',
    },
  },
  {
    name: 'images with a glob in the tag',
    setup: tagged,
    run: ['images', 'myapp:*', '--format', repoTag],
    expect: { code: 0, stdout: 'myapp:1\nmyapp:2\n', stderr: '' },
  },
  {
    name: 'images -q REPO: one ID per matching tag',
    setup: tagged,
    run: ['images', '-q', 'myapp'],
    expect: { code: 0, stdout: '<short-id>\n<short-id>\n', stderr: '' },
  },
  {
    name: 'images with no match prints the header only',
    setup: tagged,
    run: ['images', 'nope'],
    expect: { code: 0, stdout: 'REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n', stderr: '' },
  },
  {
    name: '--filter reference= twice: the union, and still only matching references',
    setup: tagged,
    run: (c) =>
      sorted(c, [
        'images',
        '--filter',
        'reference=myapp:2',
        '--filter',
        'reference=other/*',
        '--format',
        repoTag,
      ]),
    expect: { code: 0, stdout: 'myapp:2\nother/x:2\n', stderr: '' },
  },
  {
    name: '--filter reference= with a `*` that does not cross `/`',
    setup: tagged,
    run: (c) => sorted(c, ['images', '--filter', 'reference=*', '--format', repoTag]),
    expect: { code: 0, stdout: 'busybox:latest\nmyapp:1\nmyapp:2\n', stderr: '' },
  },
  {
    name: '--filter dangling=true: untagged images nothing builds on',
    setup: [['create', '--name', 'c1', 'busybox'], ['commit', 'c1'], built],
    run: ['images', '--filter', 'dangling=true', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'],
    expect: { code: 0, stdout: '<none>:<none> <short-id>\n', stderr: '' },
  },
  {
    name: '--filter dangling=false leaves untagged images out, even with -a',
    setup: [['create', '--name', 'c1', 'busybox'], ['commit', 'c1'], built],
    run: (c) => sorted(c, ['images', '-a', '--filter', 'dangling=false', '--format', repoTag]),
    expect: { code: 0, stdout: 'app:latest\nbusybox:latest\n', stderr: '' },
  },
  {
    name: '--filter dangling= with another value is refused',
    run: ['images', '--filter', 'dangling=maybe'],
    expect: {
      code: 1,
      stdout: '',
      stderr: "Error response from daemon: Invalid filter 'dangling=[maybe]'\n",
    },
  },
  {
    name: 'an unknown filter is refused',
    run: ['images', '--filter', 'foo=bar'],
    expect: { code: 1, stdout: '', stderr: "Error response from daemon: Invalid filter 'foo'\n" },
  },
  {
    name: '--filter label= by key, and by key=value',
    setup: [
      (c) => void c.must(['build', '-q', '-t', 'l1', '--label', 'k=v', '-'], 'FROM busybox\n'),
      (c) => void c.must(['build', '-q', '-t', 'l2', '--label', 'k=w', '-'], 'FROM busybox\n'),
    ],
    run: (c) => {
      const a = sorted(c, ['images', '--filter', 'label=k', '--format', repoTag]);
      const b = c.docker(['images', '--filter', 'label=k=w', '--format', repoTag]);
      return { code: a.code || b.code, stdout: `${a.stdout}--\n${b.stdout}`, stderr: a.stderr + b.stderr };
    },
    expect: { code: 0, stdout: 'l1:latest\nl2:latest\n--\nl2:latest\n', stderr: '' },
  },
  {
    name: '--filter since= and before= compare creation times',
    setup: [
      ['create', '--name', 'c1', 'busybox'],
      ['commit', 'c1', 'newer:1'],
    ],
    run: (c) => {
      const a = c.docker(['images', '--filter', 'since=busybox', '--format', repoTag]);
      const b = c.docker(['images', '--filter', 'before=newer:1', '--format', repoTag]);
      return { code: a.code || b.code, stdout: `${a.stdout}--\n${b.stdout}`, stderr: a.stderr + b.stderr };
    },
    expect: { code: 0, stdout: 'newer:1\n--\nbusybox:latest\n', stderr: '' },
  },
  {
    name: '--filter before= a missing image',
    run: ['images', '--filter', 'before=nope'],
    expect: { code: 1, stdout: '', stderr: 'Error response from daemon: No such image: nope:latest\n' },
  },
  {
    name: 'images hides a build’s intermediate images; -a shows them',
    setup: [built],
    run: (c) => {
      const plain = sorted(c, ['images', '--format', repoTag]);
      const all = sorted(c, ['images', '-a', '--format', repoTag]);
      return { code: plain.code || all.code, stdout: `${plain.stdout}--\n${all.stdout}`, stderr: '' };
    },
    expect: {
      code: 0,
      stdout: 'app:latest\nbusybox:latest\n--\n<none>:<none>\napp:latest\nbusybox:latest\n',
      stderr: '',
    },
  },
  {
    name: 'images --digests adds a DIGEST column',
    run: ['images', '--digests', 'busybox'],
    expect: {
      code: 0,
      stdout:
        'REPOSITORY   TAG       DIGEST    IMAGE ID       CREATED       SIZE\nbusybox      latest    <none>    <short-id>   <ago>   1.98MB\n',
      stderr: '',
    },
  },
  {
    name: 'images --no-trunc -q prints full IDs',
    run: ['images', '--no-trunc', '-q', 'busybox'],
    expect: { code: 0, stdout: 'sha256:<digest>\n', stderr: '' },
  },
  {
    name: 'images --format with ID, CreatedSince, Size, CreatedAt and Digest',
    run: ['images', '--format', '{{.ID}}|{{.CreatedSince}}|{{.Size}}|{{.CreatedAt}}|{{.Digest}}', 'busybox'],
    expect: { code: 0, stdout: '<short-id>|<ago>|1.98MB|2024-01-01 00:00:00 +0000 UTC|<none>\n', stderr: '' },
  },
  {
    name: 'images --format json',
    run: ['images', '--format', '{{json .}}', 'busybox'],
    expect: {
      code: 0,
      stdout:
        '{"Containers":"N/A","CreatedAt":"2024-01-01 00:00:00 +0000 UTC","CreatedSince":"<ago>","Digest":"\\u003cnone\\u003e","ID":"<short-id>","Repository":"busybox","SharedSize":"N/A","Size":"1.98MB","Tag":"latest","UniqueSize":"N/A","VirtualSize":"1.984MB"}\n',
      stderr: '',
    },
  },
  {
    name: 'ps --filter ancestor=: by tag, including containers of images built on it',
    setup: [
      built,
      ['create', '--name', 'on-base', 'busybox'],
      ['create', '--name', 'on-child', 'app'],
      ['create', '--name', 'on-other', 'app'],
    ],
    run: (c) => sorted(c, ['ps', '-a', '--filter', 'ancestor=busybox', '--format', '{{.Names}} {{.Image}}']),
    expect: { code: 0, stdout: 'on-base busybox\non-child app\non-other app\n', stderr: '' },
  },
  {
    name: 'ps --filter ancestor=: the child image does not match its parent’s containers',
    setup: [built, ['create', '--name', 'on-base', 'busybox'], ['create', '--name', 'on-child', 'app']],
    run: ['ps', '-a', '--filter', 'ancestor=app', '--format', '{{.Names}}'],
    expect: { code: 0, stdout: 'on-child\n', stderr: '' },
  },
  {
    name: 'ps --filter ancestor=: by short ID and by full ID',
    setup: [built, ['create', '--name', 'on-child', 'app']],
    run: (c) => {
      const id = c.must(['image', 'inspect', '-f', '{{.Id}}', 'busybox']).trim();
      const short = c.docker([
        'ps',
        '-a',
        '--filter',
        `ancestor=${id.slice(7, 19)}`,
        '--format',
        '{{.Names}}',
      ]);
      const full = c.docker(['ps', '-a', '--filter', `ancestor=${id}`, '--format', '{{.Names}}']);
      return { code: short.code || full.code, stdout: short.stdout + full.stdout, stderr: '' };
    },
    expect: { code: 0, stdout: 'on-child\non-child\n', stderr: '' },
  },
  {
    name: 'ps --filter ancestor= a missing image matches nothing',
    setup: [['create', '--name', 'c1', 'busybox']],
    run: ['ps', '-a', '--filter', 'ancestor=nope', '--format', '{{.Names}}'],
    expect: { code: 0, stdout: '', stderr: '' },
  },
  {
    name: 'ps shows the image ID once the name a container was made from points elsewhere',
    setup: [
      ['tag', 'busybox', 'moving:1'],
      ['create', '--name', 'c1', 'moving:1'],
      ['rmi', 'moving:1'],
    ],
    run: ['ps', '-a', '--format', '{{.Image}}'],
    expect: { code: 0, stdout: '<short-id>\n', stderr: '' },
  },
];

sweep('images', scenarios);
