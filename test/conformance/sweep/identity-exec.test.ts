// Who a container's processes are (`-u`, `--group-add`, `exec -u`), the /etc files the engine writes
// into a container, and how a failed exec or a command that cannot start is reported, as dockerd 20.10
// does it. The busybox fixture has the users root, daemon, app (1000, also in wheel) and nobody.

import type { RunResult } from '../harness.ts';
import { each } from './steps.ts';
import { type Ctx, checkResult, type Scenario, sweep } from './sweep.ts';

const runRefused = (msg: string) =>
  `docker: Error response from daemon: ${msg}\n\nRun 'docker run --help' for more information\n`;
const id = (...flags: string[]) => ['run', '--rm', ...flags, 'busybox', 'id'];
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
/**
 * An exec whose command is missing: dockerd 20.10 exits 126, berthd 127 as Docker 23+ does (and as
 * `docker run` does on both): a deliberate difference, the one scripts written for current Docker test.
 */
const missingCommand =
  (stdout: string) =>
  (r: RunResult, c: Ctx): void =>
    checkResult(r, { code: c.engine === 'dockerd' ? 126 : 127, stdout, stderr: '' });
const baseHosts =
  '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

const scenarios: Scenario[] = [
  // -u and --group-add
  {
    name: 'id: root has its primary group among its groups',
    run: id(),
    expect: ok('uid=0(root) gid=0(root) groups=0(root)\n'),
  },
  {
    name: 'id: -u name',
    run: id('-u', 'app'),
    expect: ok('uid=1000(app) gid=1000(app) groups=10(wheel),1000(app)\n'),
  },
  {
    name: 'id: -u uid with a passwd entry',
    run: id('-u', '1000'),
    expect: ok('uid=1000(app) gid=1000(app) groups=10(wheel),1000(app)\n'),
  },
  {
    name: 'id: -u uid:gid gives no groups from /etc/group',
    run: id('-u', '1000:1000'),
    expect: ok('uid=1000(app) gid=1000(app) groups=1000(app)\n'),
  },
  {
    name: 'id: -u name:group',
    run: id('-u', 'app:nogroup'),
    expect: ok('uid=1000(app) gid=65534(nogroup) groups=65534(nogroup)\n'),
  },
  {
    name: 'id: a numeric uid without a passwd entry',
    run: id('-u', '4321'),
    expect: ok('uid=4321 gid=0(root) groups=0(root)\n'),
  },
  {
    name: 'id: numeric uid and gid without entries',
    run: id('-u', '4321:4321'),
    expect: ok('uid=4321 gid=4321 groups=4321\n'),
  },
  {
    name: 'id: -u nobody',
    run: id('-u', 'nobody'),
    expect: ok('uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n'),
  },
  {
    name: 'id: an unknown user is refused at start',
    run: id('-u', 'nouser'),
    expect: {
      code: 125,
      stdout: '',
      stderr: runRefused('unable to find user nouser: no matching entries in passwd file'),
    },
  },
  {
    name: 'id: an unknown group is refused at start',
    run: id('-u', 'app:nogrp'),
    expect: {
      code: 125,
      stdout: '',
      stderr: runRefused('unable to find group nogrp: no matching entries in group file'),
    },
  },
  {
    name: 'group-add: by name and by number, beside the user groups',
    run: id('-u', 'app', '--group-add', 'wheel', '--group-add', '777'),
    expect: ok('uid=1000(app) gid=1000(app) groups=10(wheel),777,1000(app)\n'),
  },
  {
    name: 'group-add: to root',
    run: id('--group-add', 'daemon'),
    expect: ok('uid=0(root) gid=0(root) groups=0(root),1(daemon)\n'),
  },
  {
    name: 'group-add: a group the image does not have is refused',
    run: id('--group-add', 'audio'),
    expect: {
      code: 125,
      stdout: '',
      stderr: runRefused('Unable to find group audio: no matching entries in group file'),
    },
  },
  {
    name: 'group-add: shown by inspect',
    setup: [['create', '--name', 'gx', '--group-add', 'wheel', '--group-add', '44', 'busybox', 'true']],
    run: ['inspect', '-f', '{{.HostConfig.GroupAdd}}', 'gx'],
    expect: ok('[wheel 44]\n'),
  },
  {
    name: 'exec: the container user and its added groups, and exec -u',
    setup: [sleeper('cx', '-u', 'app', '--group-add', '44')],
    run: (c) =>
      each(c, [
        ['exec', 'cx', 'id'],
        ['exec', '-u', 'root', 'cx', 'id'],
        ['exec', '-u', '0:10', 'cx', 'id'],
        ['exec', '-u', '4321', 'cx', 'id'],
      ]),
    expect: ok(
      'uid=1000(app) gid=1000(app) groups=10(wheel),44,1000(app)\nuid=0(root) gid=0(root) groups=0(root),44\nuid=0(root) gid=10(wheel) groups=10(wheel),44\nuid=4321 gid=0(root) groups=0(root),44\n',
    ),
  },
  {
    name: 'exec: an unknown user is said on stdout, exit 126',
    setup: [sleeper('cx')],
    run: ['exec', '-u', 'nouser', 'cx', 'id'],
    expect: {
      code: 126,
      stdout: 'unable to find user nouser: no matching entries in passwd file\r\n',
      stderr: '',
    },
  },
  // failed execs
  {
    name: 'exec: a command not in PATH, the message on stdout',
    setup: [sleeper('cx')],
    run: ['exec', 'cx', 'nosuch'],
    expect: missingCommand(
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuch": executable file not found in $PATH: unknown\r\n',
    ),
  },
  {
    name: 'exec: a path that does not exist',
    setup: [sleeper('cx')],
    run: ['exec', 'cx', '/nosuch/x'],
    expect: missingCommand(
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "/nosuch/x": stat /nosuch/x: no such file or directory: unknown\r\n',
    ),
  },
  {
    name: 'exec: a file that is not executable',
    setup: [sleeper('cx')],
    run: ['exec', 'cx', '/etc/passwd'],
    expect: {
      code: 126,
      stdout:
        'OCI runtime exec failed: exec failed: unable to start container process: exec: "/etc/passwd": permission denied: unknown\r\n',
      stderr: '',
    },
  },
  {
    name: 'exec: a working directory that does not exist',
    setup: [sleeper('cx')],
    run: ['exec', '-w', '/nope', 'cx', 'pwd'],
    expect: missingCommand(
      'OCI runtime exec failed: exec failed: unable to start container process: chdir to cwd ("/nope") set in config.json failed: no such file or directory: unknown\r\n',
    ),
  },
  {
    name: 'exec -d: a command that cannot start is an error response',
    setup: [sleeper('cx')],
    run: ['exec', '-d', 'cx', 'nosuch'],
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuch": executable file not found in $PATH: unknown\n',
    },
  },
  {
    name: 'exec: the exit code of the command',
    setup: [sleeper('cx')],
    run: ['exec', 'cx', 'sh', '-c', 'echo out; echo err >&2; exit 7'],
    expect: { code: 7, stdout: 'out\n', stderr: 'err\n' },
  },
  {
    name: 'exec: -e, -w and stdin with -i',
    setup: [sleeper('cx')],
    run: ['exec', '-i', '-e', 'A=1', '-w', '/etc', 'cx', 'sh', '-c', 'echo $A $(pwd); cat'],
    input: 'from stdin\n',
    expect: ok('1 /etc\nfrom stdin\n'),
  },
  {
    name: 'exec: in a container that is not running',
    setup: [['create', '--name', 'cx', 'busybox', 'true']],
    run: ['exec', 'cx', 'true'],
    expect: { code: 1, stdout: '', stderr: 'Error response from daemon: Container <id> is not running\n' },
  },
  {
    name: 'exec: in a paused container',
    setup: [sleeper('cx'), ['pause', 'cx']],
    run: ['exec', 'cx', 'true'],
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: Container cx is paused, unpause the container before exec\n',
    },
  },
  {
    name: 'exec: in a missing container',
    run: ['exec', 'nope', 'true'],
    expect: { code: 1, stdout: '', stderr: 'Error response from daemon: No such container: nope\n' },
  },
  // commands that cannot start
  {
    name: 'run: a command not in PATH exits 127',
    run: ['run', '--rm', 'busybox', 'nosuch'],
    expect: {
      code: 127,
      stdout: '',
      stderr: runRefused(
        'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nosuch": executable file not found in $PATH: unknown',
      ),
    },
    then: [{ run: ['ps', '-aq'], expect: { code: 0, stdout: '' } }],
  },
  {
    name: 'run: a file that is not executable exits 126',
    setup: [],
    run: (c) =>
      each(c, [
        ['run', '--name', 'cx', 'busybox', '/etc/passwd'],
        ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'cx'],
      ]),
    expect: {
      code: 126,
      stdout: 'created 126\n',
      stderr: runRefused(
        'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/etc/passwd": permission denied: unknown',
      ),
    },
  },
  {
    name: 'run: a working directory that is a file',
    run: ['run', '--rm', '-w', '/etc/passwd', 'busybox', 'pwd'],
    expect: { code: 125, stdout: '', stderr: runRefused('Cannot mkdir: /etc/passwd is not a directory') },
  },
  {
    name: 'run: a working directory that does not exist is made, owned by root whatever the user',
    run: [
      'run',
      '--rm',
      '-u',
      'app',
      '-w',
      '/made/here',
      'busybox',
      'sh',
      '-c',
      'pwd; stat -c %U /made/here',
    ],
    expect: ok('/made/here\nroot\n'),
  },
  // files the engine writes
  {
    name: 'etc: hosts, hostname and resolv.conf on a user network',
    setup: [['network', 'create', '--subnet', '10.213.40.0/24', 'etcnet']],
    run: [
      'run',
      '--rm',
      '--network',
      'etcnet',
      '--ip',
      '10.213.40.9',
      '-h',
      'myh',
      '--domainname',
      'example.com',
      'busybox',
      'sh',
      '-c',
      'cat /etc/hosts /etc/hostname /etc/resolv.conf; hostname',
    ],
    expect: ok(
      `${baseHosts}10.213.40.9\tmyh.example.com myh\nmyh\nnameserver 127.0.0.11\noptions ndots:0\nmyh\n`,
    ),
  },
  {
    name: 'etc: --add-host, --dns-search and --dns-option on a user network',
    setup: [['network', 'create', '--subnet', '10.213.41.0/24', 'etcnet']],
    run: [
      'run',
      '--rm',
      '--network',
      'etcnet',
      '--ip',
      '10.213.41.9',
      '-h',
      'h',
      '--add-host',
      'foo:1.2.3.4',
      '--dns',
      '9.9.9.9',
      '--dns-search',
      'a.b',
      '--dns-option',
      'ndots:2',
      'busybox',
      'sh',
      '-c',
      'cat /etc/hosts /etc/resolv.conf',
    ],
    expect: ok(
      `${baseHosts}1.2.3.4\tfoo\n10.213.41.9\th\nsearch a.b\nnameserver 127.0.0.11\noptions ndots:2\n`,
    ),
  },
  {
    name: 'etc: an option without ndots keeps ndots:0 after it',
    setup: [['network', 'create', '--subnet', '10.213.42.0/24', 'etcnet']],
    run: [
      'run',
      '--rm',
      '--network',
      'etcnet',
      '--dns-option',
      'rotate',
      'busybox',
      'cat',
      '/etc/resolv.conf',
    ],
    expect: ok('nameserver 127.0.0.11\noptions rotate ndots:0\n'),
  },
  {
    name: 'etc: --dns, --dns-search, --dns-option and --add-host without a network',
    run: [
      'run',
      '--rm',
      '--network',
      'none',
      '--dns',
      '9.9.9.9',
      '--dns-search',
      'x.y',
      '--dns-option',
      'rotate',
      '--add-host',
      'foo:1.2.3.4',
      'busybox',
      'sh',
      '-c',
      'cat /etc/hosts /etc/resolv.conf',
    ],
    expect: ok(`${baseHosts}1.2.3.4\tfoo\nsearch x.y\nnameserver 9.9.9.9\noptions rotate\n`),
  },
  {
    name: 'etc: an invalid --add-host is refused by the CLI',
    run: ['run', '--rm', '--add-host', 'foo', 'busybox', 'true'],
    expect: {
      code: 125,
      stdout: '',
      stderr: `invalid argument "foo" for "--add-host" flag: bad format for add-host: "foo"\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n`,
    },
  },
];

sweep('identity, exec and /etc files', scenarios);
