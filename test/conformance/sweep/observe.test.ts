// What the engine reports about containers — ps, inspect, logs, top, port, stats — and the run and
// create flags those reports show, as dockerd 20.10 answers them. (The reference dockerd has no default
// bridge: published ports use a network of the scenario's own.)
import { each } from './steps.ts';
import { type Scenario, sweep } from './sweep.ts';

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
const ok = (stdout: string) => ({ code: 0, stdout, stderr: '' });
const err = (msg: string, code = 1) => ({ code, stdout: '', stderr: `Error response from daemon: ${msg}\n` });
/**
 * `docker top` as columns joined by `|`, only those named by `keep` (pids, CPU and times differ run to
 * run), the rows sorted after the title (the order of a container's processes is the kernel's).
 */
const topColumns = (out: string, keep: number[]) => {
  const [title, ...rows] = out
    .trimEnd()
    .split('\n')
    .map((l) => {
      const f = l.trim().split(/\s{2,}/);
      return keep.map((k) => f[k]).join('|');
    });
  return `${[title, ...rows.sort()].join('\n')}\n`;
};

const scenarios: Scenario[] = [
  // top
  {
    name: 'top: ps -ef columns for the container process',
    setup: [sleeper('tp1')],
    run: (c) => {
      const r = c.docker(['top', 'tp1']);
      return {
        ...r,
        stdout: topColumns(r.stdout, [0, 5, 7]) + r.stdout.split('\n')[0].split(/\s+/).join(' '),
      };
    },
    expect: ok('UID|TTY|CMD\nroot|?|sleep 300\nUID PID PPID C STIME TTY TIME CMD'),
  },
  {
    name: 'top -o pid,args: every process, those of execs with a terminal too',
    setup: [
      sleeper('tp1'),
      ['exec', '-d', 'tp1', 'sleep', '301'],
      ['exec', '-d', '-t', 'tp1', 'sleep', '302'],
    ],
    run: (c) => {
      const r = c.docker(['top', 'tp1', '-o', 'pid,args']);
      return { ...r, stdout: topColumns(r.stdout, [1]) };
    },
    expect: ok('COMMAND\nsleep 300\nsleep 301\nsleep 302\n'),
  },
  {
    name: 'top -o pid,uid,args: processes of another user',
    setup: [sleeper('tp1'), ['exec', '-d', '-u', 'app', 'tp1', 'sleep', '303']],
    run: (c) => {
      const r = c.docker(['top', 'tp1', '-o', 'pid,uid,args']);
      return { ...r, stdout: topColumns(r.stdout, [1, 2]) };
    },
    expect: ok('UID|COMMAND\n0|sleep 300\n1000|sleep 303\n'),
  },
  {
    name: 'top: a format ps does not know',
    setup: [sleeper('tp1')],
    run: ['top', 'tp1', '-o', 'bogus'],
    expect: err('ps: error: unknown user-defined format specifier "bogus"'),
  },
  {
    name: 'top: a container that is not running',
    setup: [['create', '--name', 'tp1', 'busybox', 'true']],
    run: ['top', 'tp1'],
    expect: err('Container <id> is not running'),
  },
  // port
  {
    name: 'port: every published port, one port, a port not published',
    setup: [
      ['network', 'create', '--subnet', '10.213.50.0/24', 'portnet'],
      sleeper('pt1', '--network', 'portnet', '-p', '127.0.0.1:18480:80', '-p', '127.0.0.1:18481:81/udp'),
    ],
    run: (c) =>
      each(c, [
        ['port', 'pt1'],
        ['port', 'pt1', '80'],
        ['port', 'pt1', '81/udp'],
        ['port', 'pt1', '82'],
      ]),
    expect: {
      code: 1,
      stdout: '80/tcp -> 127.0.0.1:18480\n81/udp -> 127.0.0.1:18481\n127.0.0.1:18480\n127.0.0.1:18481\n',
      stderr: "Error: No public port '82' published for pt1\n",
    },
  },
  {
    name: 'port: a container with no published port prints nothing',
    setup: [sleeper('pt1', '--network', 'none')],
    run: ['port', 'pt1'],
    expect: ok(''),
  },
  {
    name: 'port: a missing container',
    run: ['port', 'nope'],
    expect: err('No such container: nope'),
  },
  // stats
  {
    name: 'stats --no-stream --format: name, pids and the id columns',
    setup: [sleeper('sx1')],
    run: ['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}} {{.Container}}', 'sx1'],
    expect: ok('sx1 1 sx1\n'),
  },
  {
    name: 'stats --no-stream: a stopped container shows zeros',
    setup: [['create', '--name', 'sx1', 'busybox', 'true']],
    run: [
      'stats',
      '--no-stream',
      '--format',
      '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.MemPerc}} {{.PIDs}}',
      'sx1',
    ],
    expect: ok('sx1 0.00% 0B / 0B 0.00% 0\n'),
  },
  {
    name: 'stats --no-stream: a missing container',
    run: ['stats', '--no-stream', 'nope'],
    expect: err('No such container: nope'),
  },
  {
    name: 'stats --no-stream: the memory limit of the container',
    setup: [sleeper('sx1', '--memory', '32m')],
    run: ['stats', '--no-stream', '--format', '{{.MemUsage}}', 'sx1'],
    expect: { code: 0, stdout: /^[\d.]+(B|KiB|MiB) \/ 32MiB\n$/, stderr: '' },
  },
  // ps
  {
    name: 'ps: filters by status, exit code, label, name; -l and -n',
    setup: [
      ['create', '--name', 'ps1', 'busybox', 'true'],
      ['create', '--name', 'ps2', '-l', 'a=b', 'busybox', 'true'],
      (c) => void c.docker(['run', '--name', 'ps3', 'busybox', 'sh', '-c', 'exit 3']),
    ],
    run: (c) =>
      each(c, [
        ['ps', '-a', '--filter', 'exited=3', '--format', '{{.Names}}'],
        ['ps', '-a', '--filter', 'status=created', '--format', '{{.Names}}'],
        ['ps', '-a', '--filter', 'label=a=b', '--format', '{{.Names}}'],
        ['ps', '-a', '--filter', 'name=ps2', '--format', '{{.Names}}'],
        ['ps', '-l', '--format', '{{.Names}}'],
        ['ps', '-n', '2', '--format', '{{.Names}}'],
      ]),
    expect: ok('ps3\nps2\nps1\nps2\nps2\nps3\nps3\nps2\n'),
  },
  {
    name: 'ps: status and command columns',
    setup: [
      ['create', '--name', 'ps1', 'busybox', 'echo', 'hello world'],
      (c) => void c.docker(['run', '--name', 'ps2', 'busybox', 'sh', '-c', 'exit 3']),
      sleeper('ps3'),
    ],
    run: ['ps', '-a', '--format', '{{.Names}}|{{.Status}}|{{.Command}}|{{.Image}}'],
    expect: ok(
      'ps3|Up <duration>|"sleep 300"|busybox\nps2|Exited (3) <ago>|"sh -c \'exit 3\'"|busybox\nps1|Created|"echo \'hello world\'"|busybox\n',
    ),
  },
  {
    name: 'ps: an invalid status filter',
    run: ['ps', '--filter', 'status=bogus'],
    expect: err("Invalid filter 'status=bogus'"),
  },
  {
    name: 'ps: an unknown filter',
    run: ['ps', '--filter', 'bogus=1'],
    expect: err("Invalid filter 'bogus'"),
  },
  {
    name: 'ps: before and since',
    setup: [
      ['create', '--name', 'ps1', 'busybox', 'true'],
      ['create', '--name', 'ps2', 'busybox', 'true'],
      ['create', '--name', 'ps3', 'busybox', 'true'],
    ],
    run: (c) =>
      each(c, [
        ['ps', '-a', '--filter', 'before=ps2', '--format', '{{.Names}}'],
        ['ps', '-a', '--filter', 'since=ps2', '--format', '{{.Names}}'],
      ]),
    expect: ok('ps1\nps3\n'),
  },
  // inspect
  {
    name: 'inspect: state and modes of a created container',
    setup: [['create', '--name', 'in1', 'busybox', 'true']],
    run: [
      'inspect',
      '-f',
      '{{.State.Status}} {{.State.Running}} {{.State.Pid}} {{.State.ExitCode}} {{.RestartCount}} {{.Name}} {{.Path}} {{.Args}} {{.Config.Cmd}} {{.HostConfig.IpcMode}} {{.HostConfig.PidMode}}| {{.HostConfig.UTSMode}}| {{.HostConfig.NetworkMode}} {{.HostConfig.ShmSize}} {{.Driver}} {{.Platform}}',
      'in1',
    ],
    expect: ok('created false 0 0 0 /in1 true [] [true] private | | default 67108864 overlay2 linux\n'),
  },
  {
    name: 'inspect: an exited container',
    setup: [(c) => void c.docker(['run', '--name', 'in1', 'busybox', 'sh', '-c', 'exit 5'])],
    run: [
      'inspect',
      '-f',
      '{{.State.Status}} {{.State.Running}} {{.State.ExitCode}} {{.State.Error}}|{{.State.OOMKilled}}',
      'in1',
    ],
    expect: ok('exited false 5 |false\n'),
  },
  {
    name: 'inspect: --type image of a container name',
    setup: [['create', '--name', 'in1', 'busybox', 'true']],
    run: ['inspect', '--type', 'image', 'in1'],
    expect: {
      code: 1,
      stdout: '[]\n',
      stderr: 'Error response from daemon: no such image: in1: No such image: in1:latest\n',
    },
  },
  {
    name: 'inspect: a missing container',
    run: ['container', 'inspect', 'nope'],
    expect: { code: 1, stdout: '[]\n', stderr: 'Error response from daemon: No such container: nope\n' },
  },
  {
    name: 'inspect -s: the size of what the container wrote',
    setup: [
      ['run', '--name', 'in1', 'busybox', 'sh', '-c', 'dd if=/dev/zero of=/f bs=1k count=10 2>/dev/null'],
    ],
    run: ['inspect', '-s', '-f', '{{.SizeRw}}', 'in1'],
    expect: ok('10240\n'),
  },
  // logs
  {
    name: 'logs: stdout and stderr apart',
    setup: [['run', '--name', 'lg1', 'busybox', 'sh', '-c', 'echo out; echo err >&2']],
    run: ['logs', 'lg1'],
    expect: { code: 0, stdout: 'out\n', stderr: 'err\n' },
  },
  {
    name: 'logs --tail',
    setup: [['run', '--name', 'lg1', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do echo $i; done']],
    run: (c) =>
      each(c, [
        ['logs', '--tail', '2', 'lg1'],
        ['logs', '--tail', '0', 'lg1'],
        ['logs', '-n', 'all', 'lg1'],
      ]),
    expect: ok('4\n5\n1\n2\n3\n4\n5\n'),
  },
  {
    name: 'logs --details adds the (empty) attributes before each line',
    setup: [['run', '--name', 'lg1', 'busybox', 'echo', 'a']],
    run: ['logs', '--details', 'lg1'],
    expect: ok(' a\n'),
  },
  {
    name: 'logs -t: a timestamp before each line',
    setup: [['run', '--name', 'lg1', 'busybox', 'echo', 'a']],
    run: ['logs', '-t', 'lg1'],
    expect: ok('<time> a\n'),
  },
  {
    name: 'logs --until in the past shows nothing, --since an hour ago everything',
    setup: [['run', '--name', 'lg1', 'busybox', 'echo', 'a']],
    run: (c) =>
      each(c, [
        ['logs', '--until', '1h', 'lg1'],
        ['logs', '--since', '1h', 'lg1'],
      ]),
    expect: ok('a\n'),
  },
  {
    name: 'logs: a tty container has one stream, with CRLF',
    setup: [['run', '-t', '--name', 'lg1', 'busybox', 'sh', '-c', 'echo a; echo b >&2']],
    run: ['logs', 'lg1'],
    expect: ok('a\r\nb\r\n'),
  },
  {
    name: 'logs: a missing container',
    run: ['logs', 'nope'],
    expect: err('No such container: nope'),
  },
  // run and create
  {
    name: 'run --rm: the container is gone after it exits, with its exit code',
    run: (c) =>
      each(c, [
        ['run', '--rm', '--name', 'rr1', 'busybox', 'sh', '-c', 'echo bye; exit 6'],
        ['ps', '-aq'],
      ]),
    expect: { code: 6, stdout: 'bye\n', stderr: '' },
  },
  {
    name: 'run: a name in use',
    setup: [['create', '--name', 'rr1', 'busybox', 'true']],
    run: ['run', '--name', 'rr1', 'busybox', 'true'],
    expect: {
      code: 125,
      stdout: '',
      stderr:
        'docker: Error response from daemon: Conflict. The container name "/rr1" is already in use by container "<id>". You have to remove (or rename) that container to be able to reuse that name.\n\nRun \'docker run --help\' for more information\n',
    },
  },
  {
    name: 'run: --entrypoint, -e, -w and -l as the container sees and inspect shows them',
    run: (c) =>
      each(c, [
        [
          'run',
          '--name',
          'rr1',
          '--entrypoint',
          'sh',
          '-e',
          'A=1',
          '-w',
          '/tmp',
          '-l',
          'k=v',
          'busybox',
          '-c',
          'echo $A $(pwd)',
        ],
        [
          'inspect',
          '-f',
          '{{.Config.Entrypoint}} {{.Config.Cmd}} {{.Config.WorkingDir}} {{.Config.Labels}}',
          'rr1',
        ],
      ]),
    expect: ok('1 /tmp\n[sh] [-c echo $A $(pwd)] /tmp map[k:v]\n'),
  },
  {
    name: 'run --read-only and --tmpfs',
    run: [
      'run',
      '--rm',
      '--read-only',
      '--tmpfs',
      '/scratch',
      'busybox',
      'sh',
      '-c',
      'touch /scratch/ok && echo ok; touch /nope',
    ],
    expect: { code: 1, stdout: 'ok\n', stderr: 'touch: /nope: Read-only file system\n' },
  },
  {
    name: 'run -i: stdin reaches the container',
    run: ['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done'],
    input: 'line\n',
    expect: ok('line\ndone\n'),
  },
  {
    name: 'run -a stderr: only what was asked for',
    run: ['run', '--rm', '-a', 'stderr', 'busybox', 'sh', '-c', 'echo out; echo err >&2'],
    expect: { code: 0, stdout: '', stderr: 'err\n' },
  },
  {
    name: 'run -d: prints the id and returns',
    run: ['run', '-d', '--name', 'rr1', 'busybox', 'sleep', '300'],
    expect: ok('<id>\n'),
    then: [{ run: ['ps', '--format', '{{.Names}}'], expect: ok('rr1\n') }],
  },
  {
    name: 'run: an invalid restart policy',
    run: ['run', '--restart', 'sometimes', 'busybox', 'true'],
    expect: {
      code: 125,
      stdout: '',
      stderr:
        "docker: Error response from daemon: invalid restart policy 'sometimes'\n\nRun 'docker run --help' for more information\n",
    },
  },
  {
    name: 'create: prints the id; the container is created, not started',
    run: ['create', '--name', 'cr1', 'busybox', 'true'],
    expect: ok('<id>\n'),
    then: [{ run: ['ps', '-a', '--format', '{{.Names}} {{.Status}}'], expect: ok('cr1 Created\n') }],
  },
  {
    name: 'create: an image that is not there and cannot be pulled from here',
    run: ['create', '--pull', 'never', 'nosuchimage:1', 'true'],
    expect: { code: 1, stdout: '', stderr: 'Error response from daemon: No such image: nosuchimage:1\n' },
  },
];

sweep('ps, inspect, logs, top, port, stats, run and create', scenarios);
