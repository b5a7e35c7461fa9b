// The namespaces a container shares (`--ipc`, `--pid`, `--uts`, `--network container:|host|none`), as
// dockerd 20.10 sets them up and refuses them. Sharing is checked where it shows: the namespace links in
// /proc, a file in a shared /dev/shm, the processes one sees, the hostname and /etc files. (The
// reference dockerd runs without its default bridge: donors of a network run with `--network none`.)
import { hostname } from 'node:os';
import { containerNs, each, hostNs, sameNs } from './steps.ts';
import { type Scenario, sweep } from './sweep.ts';

/** What `docker run` prints when the daemon refuses it. */
const runRefused = (msg: string) =>
  `docker: Error response from daemon: ${msg}\n\nRun 'docker run --help' for more information\n`;
const sleeper = (name: string, ...flags: string[]) => [
  'run',
  '-d',
  '--name',
  name,
  ...flags,
  'busybox',
  'sleep',
  '300',
];

const scenarios: Scenario[] = [
  // --ipc
  {
    name: 'ipc: a container has a private IPC namespace by default, shareable when asked',
    setup: [sleeper('ipc-a'), sleeper('ipc-b', '--ipc', 'shareable')],
    run: (c) => ({
      code: 0,
      stderr: '',
      stdout:
        c.must(['inspect', '-f', '{{.HostConfig.IpcMode}}', 'ipc-a', 'ipc-b']) +
        sameNs(containerNs(c, 'ipc-a', 'ipc'), containerNs(c, 'ipc-b', 'ipc')) +
        sameNs(containerNs(c, 'ipc-a', 'ipc'), hostNs('ipc')),
    }),
    expect: { code: 0, stdout: 'private\nshareable\ndifferent\ndifferent\n', stderr: '' },
  },
  {
    name: 'ipc: container:<shareable> joins its IPC namespace and its /dev/shm',
    setup: [
      [
        'run',
        '-d',
        '--name',
        'donor',
        '--ipc',
        'shareable',
        'busybox',
        'sh',
        '-c',
        'echo hi > /dev/shm/f; sleep 300',
      ],
    ],
    run: (c) => {
      const r = c.docker([
        'run',
        '--name',
        'joiner',
        '--ipc',
        'container:donor',
        'busybox',
        'sh',
        '-c',
        'cat /dev/shm/f; readlink /proc/1/ns/ipc',
      ]);
      const [shm, ns] = r.stdout.split('\n');
      return { ...r, stdout: `${shm}\n${sameNs(`${ns}\n`, containerNs(c, 'donor', 'ipc'))}` };
    },
    expect: { code: 0, stdout: 'hi\nsame\n', stderr: '' },
    then: [
      {
        run: ['inspect', '-f', '{{.HostConfig.IpcMode}}', 'joiner'],
        expect: { code: 0, stdout: 'container:<id>\n' },
      },
    ],
  },
  {
    name: 'ipc: what the joiner writes in /dev/shm the donor sees',
    setup: [
      sleeper('donor', '--ipc', 'shareable'),
      ['run', '--rm', '--ipc', 'container:donor', 'busybox', 'sh', '-c', 'echo from-joiner > /dev/shm/g'],
    ],
    run: ['exec', 'donor', 'cat', '/dev/shm/g'],
    expect: { code: 0, stdout: 'from-joiner\n', stderr: '' },
  },
  {
    name: 'ipc: container:<private> is refused with the hint, and run --rm leaves nothing',
    setup: [sleeper('donor')],
    run: ['run', '--rm', '--ipc', 'container:donor', 'busybox', 'true'],
    expect: {
      code: 125,
      stdout: '',
      stderr: runRefused(
        "can't join IPC of container <id>: non-shareable IPC (hint: use IpcMode:shareable for the donor container)",
      ),
    },
    then: [{ run: ['ps', '-a', '--format', '{{.Names}}'], expect: { code: 0, stdout: 'donor\n' } }],
  },
  {
    name: 'ipc: container:<missing> is refused at create',
    run: ['create', '--ipc', 'container:nope', 'busybox', 'true'],
    expect: { code: 1, stdout: '', stderr: 'Error response from daemon: No such container: nope\n' },
    then: [{ run: ['ps', '-aq'], expect: { code: 0, stdout: '' } }],
  },
  {
    name: 'ipc: run with container:<missing> is refused without a pull',
    run: ['run', '--rm', '--ipc', 'container:nope', 'busybox', 'true'],
    expect: { code: 125, stdout: '', stderr: runRefused('No such container: nope') },
  },
  {
    name: 'ipc: a donor that is not running is refused at start; the container stays created',
    setup: [
      ['create', '--name', 'donor', '--ipc', 'shareable', 'busybox', 'true'],
      ['create', '--name', 'joiner', '--ipc', 'container:donor', 'busybox', 'true'],
    ],
    run: ['start', 'joiner'],
    expect: {
      code: 1,
      stdout: '',
      stderr:
        "Error response from daemon: can't join IPC of container <id>: container <id> is not running\nError: failed to start containers: joiner\n",
    },
    then: [
      {
        run: ['ps', '-a', '--format', '{{.Names}} {{.Status}}'],
        expect: { code: 0, stdout: 'joiner Created\ndonor Created\n' },
      },
    ],
  },
  {
    name: 'ipc: host shares the host IPC namespace',
    run: (c) => {
      const r = c.docker(['run', '--rm', '--ipc', 'host', 'busybox', 'readlink', '/proc/self/ns/ipc']);
      return { ...r, stdout: sameNs(r.stdout, hostNs('ipc')) };
    },
    expect: { code: 0, stdout: 'same\n', stderr: '' },
  },
  {
    name: 'ipc: private is a namespace of its own',
    run: (c) => {
      const r = c.docker(['run', '--rm', '--ipc', 'private', 'busybox', 'readlink', '/proc/self/ns/ipc']);
      return { ...r, stdout: sameNs(r.stdout, hostNs('ipc')) };
    },
    expect: { code: 0, stdout: 'different\n', stderr: '' },
  },
  {
    name: 'ipc: none has no /dev/shm',
    run: ['run', '--rm', '--ipc', 'none', 'busybox', 'ls', '/dev/shm'],
    expect: { code: 1, stdout: '', stderr: 'ls: /dev/shm: No such file or directory\n' },
  },
  {
    name: 'ipc: an unknown mode is refused at start',
    run: ['run', '--rm', '--ipc', 'bogus', 'busybox', 'true'],
    expect: { code: 125, stdout: '', stderr: runRefused('Invalid IPC mode: bogus') },
    then: [{ run: ['ps', '-aq'], expect: { code: 0, stdout: '' } }],
  },
  {
    name: 'ipc: --shm-size sizes the /dev/shm of a shareable container',
    run: [
      'run',
      '--rm',
      '--ipc',
      'shareable',
      '--shm-size',
      '8m',
      'busybox',
      'sh',
      '-c',
      "df -k /dev/shm | awk 'NR==2 {print $2}'",
    ],
    expect: { code: 0, stdout: '8192\n', stderr: '' },
  },
  // --pid
  {
    name: 'pid: container:<name> sees the processes of the other container',
    setup: [sleeper('donor')],
    run: [
      'run',
      '--rm',
      '--pid',
      'container:donor',
      'busybox',
      'sh',
      '-c',
      "ps -o pid,args | grep '[s]leep'",
    ],
    expect: { code: 0, stdout: '    1 sleep 300\n', stderr: '' },
  },
  {
    name: 'pid: container:<name> is stored with the full id',
    setup: [sleeper('donor'), ['create', '--name', 'joiner', '--pid', 'container:donor', 'busybox', 'true']],
    run: ['inspect', '-f', '{{.HostConfig.PidMode}}', 'joiner'],
    expect: { code: 0, stdout: 'container:<id>\n', stderr: '' },
  },
  {
    name: 'pid: container:<missing> is refused',
    run: ['run', '--rm', '--pid', 'container:nope', 'busybox', 'true'],
    expect: { code: 125, stdout: '', stderr: runRefused('No such container: nope') },
  },
  {
    name: 'pid: a donor that is not running is refused',
    setup: [['create', '--name', 'donor', 'busybox', 'true']],
    run: ['run', '--rm', '--pid', 'container:donor', 'busybox', 'true'],
    expect: { code: 125, stdout: '', stderr: runRefused('container <id> is not running') },
  },
  {
    name: 'pid: host shares the host PID namespace',
    run: (c) => {
      const r = c.docker(['run', '--rm', '--pid', 'host', 'busybox', 'readlink', '/proc/self/ns/pid']);
      return { ...r, stdout: sameNs(r.stdout, hostNs('pid')) };
    },
    expect: { code: 0, stdout: 'same\n', stderr: '' },
  },
  {
    name: 'pid: by default the command is pid 1 of a namespace of its own',
    run: ['run', '--rm', 'busybox', 'sh', '-c', 'echo $$'],
    expect: { code: 0, stdout: '1\n', stderr: '' },
  },
  {
    name: 'pid: the CLI refuses a mode it does not know',
    run: ['run', '--rm', '--pid', 'private', 'busybox', 'true'],
    expect: {
      code: 125,
      stdout: '',
      stderr: "docker: --pid: invalid PID mode\n\nRun 'docker run --help' for more information\n",
    },
  },
  // --uts
  {
    name: 'uts: host gives the host name; /etc/hostname keeps the short id',
    run: (c) =>
      each(c, [
        ['run', '--name', 'u1', '--uts', 'host', 'busybox', 'sh', '-c', 'hostname; cat /etc/hostname'],
        ['inspect', '-f', '{{.HostConfig.UTSMode}}', 'u1'],
      ]),
    expect: { code: 0, stdout: `${hostname()}\n<short-id>\nhost\n`, stderr: '' },
  },
  {
    name: 'uts: host with a hostname is a conflict',
    run: ['run', '--rm', '--uts', 'host', '-h', 'foo', 'busybox', 'hostname'],
    expect: { code: 125, stdout: '', stderr: runRefused('conflicting options: hostname and the UTS mode') },
  },
  {
    name: 'uts: container:<name> is not a mode dockerd has',
    setup: [sleeper('donor')],
    run: ['run', '--rm', '--uts', 'container:donor', 'busybox', 'hostname'],
    expect: {
      code: 125,
      stdout: '',
      stderr: "docker: --uts: invalid UTS mode\n\nRun 'docker run --help' for more information\n",
    },
  },
  // --network container: | host | none
  {
    name: 'network container: the joiner has the donor network namespace, hostname and /etc files',
    setup: [sleeper('donor', '--network', 'none', '-h', 'donorhost')],
    run: (c) => {
      const r = c.docker([
        'run',
        '--name',
        'joiner',
        '--network',
        'container:donor',
        'busybox',
        'sh',
        '-c',
        'hostname; cat /etc/hostname /etc/hosts; readlink /proc/1/ns/net',
      ]);
      const lines = r.stdout.trimEnd().split('\n');
      const ns = `${lines.pop()}\n`;
      return { ...r, stdout: `${lines.join('\n')}\n${sameNs(ns, containerNs(c, 'donor', 'net'))}` };
    },
    expect: {
      code: 0,
      stdout:
        'donorhost\ndonorhost\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\nsame\n',
      stderr: '',
    },
    then: [
      {
        run: ['inspect', '-f', '{{.Config.Hostname}} {{.HostConfig.NetworkMode}}', 'joiner'],
        expect: { code: 0, stdout: 'donorhost container:<id>\n' },
      },
    ],
  },
  {
    name: 'network container:<missing> is refused at start (no pull), the container stays created',
    run: (c) =>
      each(c, [
        ['run', '--name', 'nc', '--network', 'container:nope', 'busybox', 'true'],
        ['ps', '-a', '--format', '{{.Names}} {{.Status}}'],
      ]),
    expect: { code: 125, stdout: 'nc Created\n', stderr: runRefused('No such container: nope') },
  },
  {
    name: 'network container:<missing> is kept as given by create',
    setup: [['create', '--name', 'nc', '--network', 'container:nope', 'busybox', 'true']],
    run: (c) =>
      each(c, [
        ['inspect', '-f', '{{.HostConfig.NetworkMode}}', 'nc'],
        ['start', 'nc'],
      ]),
    expect: {
      code: 1,
      stdout: 'container:nope\n',
      stderr: 'Error response from daemon: No such container: nope\nError: failed to start containers: nc\n',
    },
  },
  {
    name: 'network container: with a hostname is a conflict',
    setup: [sleeper('donor', '--network', 'none')],
    run: ['run', '--rm', '--network', 'container:donor', '-h', 'foo', 'busybox', 'true'],
    expect: {
      code: 125,
      stdout: '',
      stderr: runRefused('conflicting options: hostname and the network mode'),
    },
  },
  {
    name: 'network container: refuses links, DNS servers, extra hosts, published and exposed ports',
    setup: [sleeper('donor', '--network', 'none')],
    run: (c) =>
      each(
        c,
        [
          ['--link', 'donor:d'],
          ['--dns', '10.0.0.1'],
          ['--add-host', 'x:10.0.0.1'],
          ['-p', '80'],
          ['-P', '--expose', '80'],
          ['--expose', '80'],
        ].map((flags) => ['create', '--network', 'container:donor', ...flags, 'busybox', 'true']),
      ),
    expect: {
      code: 1,
      stdout: '',
      stderr: [
        "container type network can't be used with links. This would result in undefined behavior",
        'dns and the network mode',
        'custom host-to-IP mapping and the network mode',
        'port publishing and the container type network mode',
        'port publishing and the container type network mode',
        'port exposing and the container type network mode',
      ]
        .map((m) => `Error response from daemon: conflicting options: ${m}\n`)
        .join(''),
    },
  },
  {
    name: "network container: a joiner writes no /etc files of its own; it shows its donor's once started",
    setup: [
      sleeper('donor', '--network', 'none'),
      [
        'create',
        '--name',
        'joiner',
        '--network',
        'container:donor',
        '--dns-search',
        'example.test',
        'busybox',
        'sleep',
        '300',
      ],
    ],
    run: (c) => {
      const paths = (name: string) =>
        c.must(['inspect', '-f', '{{.HostsPath}}|{{.ResolvConfPath}}|{{.HostnamePath}}', name]);
      const created = paths('joiner');
      c.must(['start', 'joiner']);
      return { code: 0, stderr: '', stdout: `${created}${sameNs(paths('joiner'), paths('donor'))}` };
    },
    expect: { code: 0, stdout: '||\nsame\n', stderr: '' },
  },
  {
    name: 'network container: a donor that is not running is refused',
    setup: [['create', '--name', 'donor', '--network', 'none', 'busybox', 'true']],
    run: ['run', '--rm', '--network', 'container:donor', 'busybox', 'true'],
    expect: {
      code: 125,
      stdout: '',
      stderr: runRefused('cannot join network of a non running container: <id>'),
    },
  },
  {
    name: 'network host: the host name, in the hostname, /etc/hostname and the config',
    run: (c) =>
      each(c, [
        ['run', '--name', 'nh', '--network', 'host', 'busybox', 'sh', '-c', 'hostname; cat /etc/hostname'],
        ['inspect', '-f', '{{.Config.Hostname}} {{.HostConfig.NetworkMode}}', 'nh'],
      ]),
    expect: { code: 0, stdout: `${hostname()}\n${hostname()}\n${hostname()} host\n`, stderr: '' },
  },
  {
    name: 'network host: a hostname of its own is allowed',
    run: ['run', '--rm', '--network', 'host', '-h', 'foo', 'busybox', 'hostname'],
    expect: { code: 0, stdout: 'foo\n', stderr: '' },
  },
  {
    name: 'network none: /etc/hosts has no line for the container',
    run: [
      'run',
      '--rm',
      '--network',
      'none',
      '-h',
      'foo',
      '--domainname',
      'example.com',
      'busybox',
      'sh',
      '-c',
      'cat /etc/hosts /etc/hostname; hostname',
    ],
    expect: {
      code: 0,
      stdout:
        '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\nfoo\nfoo\n',
      stderr: '',
    },
  },
];

sweep('namespaces', scenarios);
