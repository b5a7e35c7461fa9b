// start, stop, restart, pause, unpause, kill, rm, update, attach and container events, as dockerd 20.10
// answers them: what each prints, its exit code and wording when it refuses, and the state it leaves.
import { eventsDuring } from './events.ts';
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
/** A container that stops at once on SIGTERM (sleep as pid 1 ignores it). */
const stoppable = (name: string, ...flags: string[]) => [
  'run',
  '-d',
  '--name',
  name,
  ...flags,
  'busybox',
  'sh',
  '-c',
  'trap "exit 0" TERM; while true; do sleep 0.1; done',
];
const ok = (stdout: string) => ({ code: 0, stdout, stderr: '' });
const err = (msg: string, code = 1) => ({ code, stdout: '', stderr: `Error response from daemon: ${msg}\n` });
const status = (...names: string[]) => [
  'inspect',
  '-f',
  '{{.Name}} {{.State.Status}} {{.State.ExitCode}}',
  ...names,
];

const scenarios: Scenario[] = [
  // start
  {
    name: 'start: prints the names given; the container runs',
    setup: [['create', '--name', 'st1', 'busybox', 'sleep', '300']],
    run: ['start', 'st1'],
    expect: ok('st1\n'),
    then: [{ run: status('st1'), expect: ok('/st1 running 0\n') }],
  },
  {
    name: 'start: a running container is started again without a word',
    setup: [sleeper('st1')],
    run: ['start', 'st1'],
    expect: ok('st1\n'),
  },
  {
    name: 'start: a missing container among others',
    setup: [['create', '--name', 'st1', 'busybox', 'true']],
    run: ['start', 'st1', 'nope'],
    expect: {
      code: 1,
      stdout: 'st1\n',
      stderr:
        'Error response from daemon: No such container: nope\nError: failed to start containers: nope\n',
    },
  },
  {
    name: 'start -a: the output and the exit code of the container',
    setup: [['create', '--name', 'st1', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 4']],
    run: ['start', '-a', 'st1'],
    expect: { code: 4, stdout: 'out\n', stderr: 'err\n' },
  },
  {
    name: 'start -ai: stdin goes to the container',
    setup: [['create', '-i', '--name', 'st1', 'busybox', 'cat']],
    run: ['start', '-ai', 'st1'],
    input: 'through stdin\n',
    expect: ok('through stdin\n'),
  },
  // stop
  {
    name: 'stop: prints the name; the container exits with the signal it handled',
    setup: [stoppable('sp1')],
    run: ['stop', 'sp1'],
    expect: ok('sp1\n'),
    then: [{ run: status('sp1'), expect: ok('/sp1 exited 0\n') }],
  },
  {
    name: 'stop -t 0: killed at once, 137',
    setup: [sleeper('sp1')],
    run: ['stop', '-t', '0', 'sp1'],
    expect: ok('sp1\n'),
    then: [{ run: status('sp1'), expect: ok('/sp1 exited 137\n') }],
  },
  {
    name: 'stop: a stopped container is stopped again without a word',
    setup: [['create', '--name', 'sp1', 'busybox', 'true']],
    run: ['stop', 'sp1'],
    expect: ok('sp1\n'),
  },
  {
    name: 'stop: a missing container',
    run: ['stop', 'nope'],
    expect: err('No such container: nope'),
  },
  {
    name: 'stop: the container stop signal',
    setup: [
      [
        'run',
        '-d',
        '--name',
        'sp1',
        '--stop-signal',
        'USR1',
        'busybox',
        'sh',
        '-c',
        'trap "exit 42" USR1; while true; do sleep 0.1; done',
      ],
    ],
    run: ['stop', 'sp1'],
    expect: ok('sp1\n'),
    then: [{ run: status('sp1'), expect: ok('/sp1 exited 42\n') }],
  },
  {
    name: 'stop: a paused container is stopped',
    setup: [sleeper('sp1'), ['pause', 'sp1']],
    run: ['stop', '-t', '1', 'sp1'],
    expect: ok('sp1\n'),
    then: [{ run: status('sp1'), expect: ok('/sp1 exited 137\n') }],
  },
  // restart
  {
    name: 'restart: a running container runs again, its restart count unchanged',
    setup: [stoppable('rs1')],
    run: ['restart', 'rs1'],
    expect: ok('rs1\n'),
    then: [
      { run: ['inspect', '-f', '{{.State.Status}} {{.RestartCount}}', 'rs1'], expect: ok('running 0\n') },
    ],
  },
  {
    name: 'restart: a created container is started',
    setup: [['create', '--name', 'rs1', 'busybox', 'sleep', '300']],
    run: ['restart', 'rs1'],
    expect: ok('rs1\n'),
    then: [{ run: status('rs1'), expect: ok('/rs1 running 0\n') }],
  },
  {
    name: 'restart: a missing container',
    run: ['restart', 'nope'],
    expect: err('No such container: nope'),
  },
  // pause and unpause
  {
    name: 'pause: the container is paused; ps says so',
    setup: [sleeper('pa1')],
    run: ['pause', 'pa1'],
    expect: ok('pa1\n'),
    then: [
      {
        run: ['inspect', '-f', '{{.State.Status}} {{.State.Paused}} {{.State.Running}}', 'pa1'],
        expect: ok('paused true true\n'),
      },
      { run: ['ps', '--format', '{{.Names}} {{.Status}}'], expect: ok('pa1 Up <duration> (Paused)\n') },
    ],
  },
  {
    name: 'pause: a paused container',
    setup: [sleeper('pa1'), ['pause', 'pa1']],
    run: ['pause', 'pa1'],
    expect: err('Container <id> is already paused'),
  },
  {
    name: 'pause: a container that is not running',
    setup: [['create', '--name', 'pa1', 'busybox', 'true']],
    run: ['pause', 'pa1'],
    expect: err('Container <id> is not running'),
  },
  {
    name: 'unpause: the container runs again',
    setup: [sleeper('pa1'), ['pause', 'pa1']],
    run: ['unpause', 'pa1'],
    expect: ok('pa1\n'),
    then: [
      { run: ['inspect', '-f', '{{.State.Status}} {{.State.Paused}}', 'pa1'], expect: ok('running false\n') },
    ],
  },
  {
    name: 'unpause: a container that is not paused',
    setup: [sleeper('pa1')],
    run: ['unpause', 'pa1'],
    expect: err('Container <id> is not paused'),
  },
  {
    name: 'pause and unpause: missing containers',
    run: (c) =>
      each(c, [
        ['pause', 'nope'],
        ['unpause', 'nope'],
      ]),
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: No such container: nope\nError response from daemon: No such container: nope\n',
    },
  },
  // kill
  {
    name: 'kill: SIGKILL by default; the container is exited when kill returns',
    setup: [sleeper('kl1')],
    run: (c) => each(c, [['kill', 'kl1'], status('kl1')]),
    expect: ok('kl1\n/kl1 exited 137\n'),
  },
  {
    name: 'kill -s: a signal the container handles',
    setup: [
      [
        'run',
        '-d',
        '--name',
        'kl1',
        'busybox',
        'sh',
        '-c',
        'trap "exit 11" HUP; while true; do sleep 0.1; done',
      ],
    ],
    run: (c) =>
      each(c, [
        ['kill', '-s', 'HUP', 'kl1'],
        ['wait', 'kl1'],
      ]),
    expect: ok('kl1\n11\n'),
  },
  {
    name: 'kill: a paused container',
    setup: [sleeper('kl1'), ['pause', 'kl1']],
    run: (c) => each(c, [['kill', 'kl1'], status('kl1')]),
    expect: ok('kl1\n/kl1 exited 137\n'),
  },
  {
    name: 'kill: a container that is not running',
    setup: [['create', '--name', 'kl1', 'busybox', 'true']],
    run: ['kill', 'kl1'],
    expect: err('Cannot kill container: kl1: Container <id> is not running'),
  },
  {
    name: 'kill: a missing container',
    run: ['kill', 'nope'],
    expect: err('Cannot kill container: nope: No such container: nope'),
  },
  {
    name: 'kill: a signal number the daemon does not know',
    setup: [sleeper('kl1')],
    run: ['kill', '-s', '99', 'kl1'],
    expect: err('Cannot kill container: kl1: The linux daemon does not support signal 99'),
  },
  {
    name: 'kill: a signal name nobody knows',
    setup: [sleeper('kl1')],
    run: ['kill', '-s', 'BOGUS', 'kl1'],
    expect: err('Invalid signal: BOGUS'),
    then: [{ run: status('kl1'), expect: ok('/kl1 running 0\n') }],
  },
  // rm
  {
    name: 'rm: prints the names; the container is gone',
    setup: [['create', '--name', 'rm1', 'busybox', 'true']],
    run: ['rm', 'rm1'],
    expect: ok('rm1\n'),
    then: [{ run: ['ps', '-aq'], expect: ok('') }],
  },
  {
    name: 'rm: a running container',
    setup: [sleeper('rm1')],
    run: ['rm', 'rm1'],
    expect: err(
      'You cannot remove a running container <id>. Stop the container before attempting removal or force remove',
    ),
  },
  {
    name: 'rm: a paused container',
    setup: [sleeper('rm1'), ['pause', 'rm1']],
    run: ['rm', 'rm1'],
    expect: err(
      'You cannot remove a paused container <id>. Unpause and then stop the container before attempting removal or force remove',
    ),
  },
  {
    name: 'rm -f: a running and a paused container',
    setup: [sleeper('rm1'), sleeper('rm2'), ['pause', 'rm2']],
    run: ['rm', '-f', 'rm1', 'rm2'],
    expect: ok('rm1\nrm2\n'),
    then: [{ run: ['ps', '-aq'], expect: ok('') }],
  },
  {
    name: 'rm: a missing container among others',
    setup: [['create', '--name', 'rm1', 'busybox', 'true']],
    run: ['rm', 'nope', 'rm1'],
    expect: { code: 1, stdout: 'rm1\n', stderr: 'Error response from daemon: No such container: nope\n' },
  },
  {
    name: 'rm -f: a missing container is said, with exit code 0',
    run: ['rm', '-f', 'nope'],
    expect: { code: 0, stdout: '', stderr: 'Error response from daemon: No such container: nope\n' },
  },
  {
    name: 'rm -v: the anonymous volume goes, a named one stays',
    setup: [['create', '--name', 'rm1', '-v', '/anon', '-v', 'keepme:/named', 'busybox', 'true']],
    run: (c) =>
      each(c, [
        ['rm', '-v', 'rm1'],
        ['volume', 'ls', '--format', '{{.Name}}'],
      ]),
    expect: ok('rm1\nkeepme\n'),
  },
  // update
  {
    name: 'update: limits of a running container, shown by inspect',
    setup: [sleeper('up1')],
    run: ['update', '--cpus', '0.5', '--memory', '20m', '--memory-swap', '40m', '--pids-limit', '50', 'up1'],
    expect: ok('up1\n'),
    then: [
      {
        run: [
          'inspect',
          '-f',
          '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PidsLimit}}',
          'up1',
        ],
        expect: ok('500000000 20971520 41943040 50\n'),
      },
    ],
  },
  {
    name: 'update: the restart policy',
    setup: [sleeper('up1')],
    run: ['update', '--restart', 'on-failure:3', 'up1'],
    expect: ok('up1\n'),
    then: [
      {
        run: [
          'inspect',
          '-f',
          '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}',
          'up1',
        ],
        expect: ok('on-failure 3\n'),
      },
    ],
  },
  {
    name: 'update: a restart policy for an auto-removed container',
    setup: [sleeper('up1', '--rm')],
    run: ['update', '--restart', 'always', 'up1'],
    expect: err(
      'Cannot update container <id>: Restart policy cannot be updated because AutoRemove is enabled for the container',
    ),
  },
  {
    name: 'update: a stopped container keeps the new limits',
    setup: [['run', '--name', 'up1', 'busybox', 'true']],
    run: ['update', '--memory', '10m', '--memory-swap', '30m', 'up1'],
    expect: ok('up1\n'),
    then: [
      {
        run: ['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}', 'up1'],
        expect: ok('10485760 31457280\n'),
      },
    ],
  },
  {
    name: 'update: memory alone on a container that never had a limit is refused (dockerd 20.10)',
    setup: [['run', '--name', 'up1', 'busybox', 'true']],
    run: ['update', '--memory', '10m', 'up1'],
    expect: err(
      'Cannot update container <id>: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
    ),
  },
  {
    name: 'update: memory above the swap limit',
    setup: [sleeper('up1', '--memory', '20m', '--memory-swap', '30m')],
    run: ['update', '--memory', '40m', 'up1'],
    expect: err(
      'Cannot update container <id>: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
    ),
  },
  {
    name: 'update: several containers, one missing',
    setup: [sleeper('up1')],
    run: ['update', '--cpu-shares', '512', 'up1', 'nope'],
    expect: { code: 1, stdout: 'up1\n', stderr: 'Error response from daemon: No such container: nope\n' },
  },
  // attach
  {
    name: 'attach: output of a running container until it exits, and its exit code',
    setup: [['run', '-d', '--name', 'at1', 'busybox', 'sh', '-c', 'sleep 1; echo late; exit 3']],
    run: ['attach', 'at1'],
    expect: { code: 3, stdout: 'late\n', stderr: '' },
  },
  {
    name: 'attach: a stopped container',
    setup: [['create', '--name', 'at1', 'busybox', 'true']],
    run: ['attach', 'at1'],
    expect: { code: 1, stdout: '', stderr: 'You cannot attach to a stopped container, start it first\n' },
  },
  {
    name: 'attach: a paused container',
    setup: [sleeper('at1'), ['pause', 'at1']],
    run: ['attach', 'at1'],
    expect: { code: 1, stdout: '', stderr: 'You cannot attach to a paused container, unpause it first\n' },
  },
  // events
  {
    name: 'events: the life of a container, filtered by container',
    run: (c) =>
      eventsDuring(
        c,
        () => {
          c.must(['create', '--name', 'ev1', 'busybox', 'sleep', '300']);
          c.must(['start', 'ev1']);
          c.must(['pause', 'ev1']);
          c.must(['unpause', 'ev1']);
          c.must(['kill', 'ev1']);
          c.must(['rm', 'ev1']);
        },
        ['container=ev1'],
        '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}',
      ),
    expect: ok(
      'container create ev1\ncontainer start ev1\ncontainer pause ev1\ncontainer unpause ev1\ncontainer kill ev1\ncontainer die ev1\ncontainer destroy ev1\n',
    ),
  },
  {
    name: 'events: stop sends kill, die and stop; the signal and exit code are attributes',
    setup: [stoppable('ev1')],
    run: (c) =>
      eventsDuring(
        c,
        () => void c.must(['stop', 'ev1']),
        ['container=ev1'],
        '{{.Action}} {{.Actor.Attributes.signal}} {{.Actor.Attributes.exitCode}}',
      ),
    expect: ok('kill 15 <no value>\ndie <no value> 0\nstop <no value> <no value>\n'),
  },
  {
    name: 'events: --filter event= and label=',
    run: (c) =>
      eventsDuring(
        c,
        () => {
          c.must(['run', '--name', 'ev1', '-l', 'team=a', 'busybox', 'true']);
          c.must(['run', '--name', 'ev2', 'busybox', 'true']);
        },
        ['event=die', 'label=team=a'],
        '{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.team}}',
      ),
    expect: ok('die ev1 a\n'),
  },
  {
    name: 'events: --filter type=container and an image filter',
    run: (c) =>
      eventsDuring(
        c,
        () => {
          c.must(['create', '--name', 'ev1', 'busybox', 'true']);
          c.must(['rm', 'ev1']);
        },
        ['type=container', 'image=busybox'],
        '{{.Type}} {{.Action}} {{.From}}',
      ),
    expect: ok('container create busybox\ncontainer destroy busybox\n'),
  },
  {
    name: 'events: exec_create, exec_start and exec_die',
    setup: [sleeper('ev1')],
    run: (c) => eventsDuring(c, () => void c.must(['exec', 'ev1', 'true']), ['container=ev1'], '{{.Action}}'),
    expect: ok('exec_create: true \nexec_start: true \nexec_die\n'),
  },
  {
    name: 'events: --until before --since is refused',
    run: ['events', '--since', '2000000000', '--until', '1000000000'],
    expect: err('`since` time (2000000000) cannot be after `until` time (1000000000)'),
  },
  {
    name: 'events: a filter dockerd does not know is no error',
    run: ['events', '--until', '1', '--filter', 'bogus=x'],
    expect: ok(''),
  },
];

sweep('container lifecycle', scenarios);
