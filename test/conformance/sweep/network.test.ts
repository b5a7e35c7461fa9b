// docker network create/ls/inspect/rm/connect/disconnect/prune and network events, as dockerd 20.10
// answers them. Subnets are given wherever a scenario shows one: the default pools are picked around
// the host's routes, which differ from machine to machine. (The reference dockerd runs without its
// default bridge, so scenarios use networks of their own.)
import { eventsDuring } from './events.ts';
import { type Ctx, type Scenario, sweep } from './sweep.ts';

const net = (name: string, subnet: string, ...more: string[]) => [
  'network',
  'create',
  '--subnet',
  subnet,
  ...more,
  name,
];

/** Runs several commands, their outputs one after the other, the first failure's code. */
function each(c: Ctx, runs: string[][]) {
  let code = 0;
  let stdout = '';
  let stderr = '';
  for (const args of runs) {
    const r = c.docker(args);
    code ||= r.code;
    stdout += r.stdout;
    stderr += r.stderr;
  }
  return { code, stdout, stderr };
}

const scenarios: Scenario[] = [
  {
    name: 'create prints the id; inspect shows what was asked for',
    run: net(
      'sw-n1',
      '10.213.1.0/24',
      '--label',
      'a=b',
      '--internal',
      '--attachable',
      '-o',
      'com.docker.network.driver.mtu=1400',
    ),
    expect: { code: 0, stdout: '<id>\n', stderr: '' },
    then: [
      {
        run: [
          'network',
          'inspect',
          '-f',
          '{{.Name}} {{.Driver}} {{.Scope}} {{.Internal}} {{.Attachable}} {{.EnableIPv6}} {{.Labels}} {{.Options}} {{.IPAM.Config}}',
          'sw-n1',
        ],
        expect: {
          code: 0,
          stdout:
            'sw-n1 bridge local true true false map[a:b] map[com.docker.network.driver.mtu:1400] [{10.213.1.0/24   map[]}]\n',
        },
      },
    ],
  },
  {
    name: 'inspect: the whole JSON, keys in dockerd order, the gateway only when it was given',
    setup: [
      net('sw-n1', '10.213.2.0/24', '--label', 'k=v'),
      net('sw-n2', '10.213.3.0/24', '--ip-range', '10.213.3.128/25', '--gateway', '10.213.3.1'),
    ],
    run: ['network', 'inspect', 'sw-n1', 'sw-n2'],
    expect: {
      code: 0,
      stdout: `[
    {
        "Name": "sw-n1",
        "Id": "<id>",
        "Created": "<time>",
        "Scope": "local",
        "Driver": "bridge",
        "EnableIPv6": false,
        "IPAM": {
            "Driver": "default",
            "Options": {},
            "Config": [
                {
                    "Subnet": "10.213.2.0/24"
                }
            ]
        },
        "Internal": false,
        "Attachable": false,
        "Ingress": false,
        "ConfigFrom": {
            "Network": ""
        },
        "ConfigOnly": false,
        "Containers": {},
        "Options": {},
        "Labels": {
            "k": "v"
        }
    },
    {
        "Name": "sw-n2",
        "Id": "<id>",
        "Created": "<time>",
        "Scope": "local",
        "Driver": "bridge",
        "EnableIPv6": false,
        "IPAM": {
            "Driver": "default",
            "Options": {},
            "Config": [
                {
                    "Subnet": "10.213.3.0/24",
                    "IPRange": "10.213.3.128/25",
                    "Gateway": "10.213.3.1"
                }
            ]
        },
        "Internal": false,
        "Attachable": false,
        "Ingress": false,
        "ConfigFrom": {
            "Network": ""
        },
        "ConfigOnly": false,
        "Containers": {},
        "Options": {},
        "Labels": {}
    }
]
`,
      stderr: '',
    },
  },
  {
    name: 'create: a name in use',
    setup: [net('sw-n1', '10.213.4.0/24')],
    run: ['network', 'create', 'sw-n1'],
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: network with name sw-n1 already exists\n',
    },
  },
  {
    name: 'create: a subnet overlapping another network',
    setup: [net('sw-n1', '10.213.0.0/16')],
    run: net('sw-n2', '10.213.5.0/24'),
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: Pool overlaps with other one on this address space\n',
    },
  },
  {
    name: 'create: bad CIDRs',
    run: (c) => each(c, [net('sw-n1', '10.213.0.0/33'), net('sw-n1', 'bogus')]),
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: Invalid subnet 10.213.0.0/33 : invalid CIDR address: 10.213.0.0/33\n' +
        'Error response from daemon: Invalid subnet bogus : invalid CIDR address: bogus\n',
    },
  },
  {
    name: 'create: gateways and ranges that do not fit the subnet',
    run: (c) =>
      each(c, [
        net('sw-n1', '10.213.6.0/24', '--gateway', '10.213.7.1'),
        net('sw-n1', '10.213.6.0/24', '--ip-range', '10.213.7.0/24'),
        ['network', 'create', '--gateway', '10.213.6.1', 'sw-n1'],
        net('sw-n1', '10.213.6.0/24', '--gateway', '10.213.6.0'),
      ]),
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'no matching subnet for gateway 10.213.7.1\nno matching subnet for range 10.213.7.0/24\n' +
        'every ip-range or gateway must have a corresponding subnet\n' +
        'Error response from daemon: failed to allocate gateway (10.213.6.0): Address already in use\n',
    },
    then: [{ run: ['network', 'ls', '-q', '-f', 'name=sw-'], expect: { code: 0, stdout: '' } }],
  },
  {
    name: 'create: drivers that are not there or not for more networks',
    run: (c) =>
      each(c, [
        ['network', 'create', '-d', 'nodrv', 'sw-n1'],
        ['network', 'create', '-d', 'host', 'sw-n1'],
        ['network', 'create', '-d', 'null', 'sw-n1'],
      ]),
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: plugin "nodrv" not found\n' +
        'Error response from daemon: only one instance of "host" network is allowed\n' +
        'Error response from daemon: only one instance of "null" network is allowed\n',
    },
  },
  {
    name: 'create --ipv6 without an IPv6 subnet: no pool among the defaults',
    run: ['network', 'create', '--ipv6', 'sw-n1'],
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network\n',
    },
    then: [{ run: ['network', 'ls', '-q', '-f', 'name=sw-'], expect: { code: 0, stdout: '' } }],
  },
  {
    name: 'create --ipv6 with an IPv6 subnet: refused, not made IPv4-only',
    only: {
      engine: 'berthd',
      why: 'berthd has no IPv6 networking yet; it says so instead of making the network without its IPv6 half, as it silently did',
    },
    run: ['network', 'create', '--ipv6', '--subnet', 'fd00:213::/64', 'sw-n1'],
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: berthd does not support IPv6 networks yet (subnet fd00:213::/64)\n',
    },
  },
  {
    name: 'inspect: a missing network prints [] and the error',
    run: ['network', 'inspect', 'nope'],
    expect: { code: 1, stdout: '[]\n', stderr: 'Error response from daemon: network nope not found\n' },
  },
  {
    name: 'ls: filters by name, label, driver, type and id',
    setup: [
      net('sw-used', '10.213.8.0/24', '--label', 'tier=web'),
      net('sw-idle', '10.213.9.0/24', '--label', 'tier=db'),
      net('sw-named', '10.213.10.0/24'),
      ['run', '-d', '--name', 'user', '--network', 'sw-used', 'busybox', 'sleep', '300'],
      ['create', '--name', 'created', '--network', 'sw-named', 'busybox', 'true'],
    ],
    run: (c) => {
      const id = c.must(['network', 'inspect', '-f', '{{.Id}}', 'sw-idle']).trim().slice(0, 5);
      const lines: string[] = [];
      for (const f of [
        ['name=sw-'],
        ['label=tier'],
        ['label=tier=db'],
        ['driver=bridge', 'name=sw-'],
        ['type=custom', 'name=sw-'],
        ['type=builtin', 'name=none'],
        [`id=${id}`],
      ]) {
        const r = c.docker(['network', 'ls', '--format', '{{.Name}}', ...f.flatMap((x) => ['-f', x])]);
        lines.push(`${f.join(' ').replace(id, '<prefix>')}: ${r.stdout.trim().split('\n').join(',')}`);
      }
      return { code: 0, stdout: `${lines.join('\n')}\n`, stderr: '' };
    },
    expect: {
      code: 0,
      stdout:
        'name=sw-: sw-idle,sw-named,sw-used\nlabel=tier: sw-idle,sw-used\nlabel=tier=db: sw-idle\n' +
        'driver=bridge name=sw-: sw-idle,sw-named,sw-used\ntype=custom name=sw-: sw-idle,sw-named,sw-used\n' +
        'type=builtin name=none: none\nid=<prefix>: sw-idle\n',
      stderr: '',
    },
  },
  {
    name: 'ls -f dangling=: a network with a running container is in use, one a created container names is not',
    only: {
      engine: 'berthd',
      why: "dockerd 20.10 filters its network list before filling in each network's containers, so every user network reads as dangling; berthd answers what the filter means (moby#31551)",
    },
    setup: [
      net('sw-used', '10.213.32.0/24'),
      net('sw-idle', '10.213.33.0/24'),
      net('sw-named', '10.213.34.0/24'),
      ['run', '-d', '--name', 'user', '--network', 'sw-used', 'busybox', 'sleep', '300'],
      ['create', '--name', 'created', '--network', 'sw-named', 'busybox', 'true'],
    ],
    run: (c) =>
      each(c, [
        ['network', 'ls', '--format', '{{.Name}}', '-f', 'dangling=true', '-f', 'name=sw-'],
        ['network', 'ls', '--format', '{{.Name}}', '-f', 'dangling=false'],
      ]),
    expect: { code: 0, stdout: 'sw-idle\nsw-named\nbridge\nhost\nnone\nsw-used\n', stderr: '' },
  },
  {
    name: 'ls -f dangling= with no container anywhere; and two values',
    setup: [net('sw-idle', '10.213.35.0/24')],
    run: (c) =>
      each(c, [
        ['network', 'ls', '--format', '{{.Name}}', '-f', 'dangling=true'],
        ['network', 'ls', '--format', '{{.Name}}', '-f', 'dangling=1', '-f', 'dangling=0'],
      ]),
    expect: {
      code: 1,
      stdout: 'sw-idle\n',
      stderr: 'Error response from daemon: got more than one value for filter key "dangling"\n',
    },
  },
  {
    name: 'ls --format: driver, scope, IPv6, internal, labels',
    setup: [net('sw-n1', '10.213.11.0/24', '--internal', '--label', 'a=b')],
    run: [
      'network',
      'ls',
      '-f',
      'name=sw-',
      '--format',
      '{{.Name}}|{{.Driver}}|{{.Scope}}|{{.IPv6}}|{{.Internal}}|{{.Labels}}',
    ],
    expect: { code: 0, stdout: 'sw-n1|bridge|local|false|true|a=b\n', stderr: '' },
  },
  {
    name: 'ls: bad filters',
    run: (c) =>
      each(c, [
        ['network', 'ls', '-f', 'bogus=1'],
        ['network', 'ls', '-f', 'type=bogus'],
        ['network', 'ls', '-f', 'dangling=maybe'],
      ]),
    expect: {
      code: 1,
      stdout: '',
      stderr:
        "Error response from daemon: Invalid filter 'bogus'\n" +
        "Error response from daemon: invalid filter: 'type'='bogus'\n" +
        'Error response from daemon: invalid value for filter \'dangling\', must be "true" (or "1"), or "false" (or "0")\n',
    },
  },
  {
    name: 'rm: missing, pre-defined, and one of several',
    setup: [net('sw-n1', '10.213.12.0/24')],
    run: (c) =>
      each(c, [
        ['network', 'rm', 'sw-n1', 'nope'],
        ['network', 'rm', 'host'],
        ['network', 'rm', 'none'],
      ]),
    expect: {
      code: 1,
      stdout: 'sw-n1\n',
      stderr:
        'Error response from daemon: network nope not found\nexit status 1\n' +
        'Error response from daemon: host is a pre-defined network and cannot be removed\nexit status 1\n' +
        'Error response from daemon: none is a pre-defined network and cannot be removed\nexit status 1\n',
    },
  },
  {
    name: 'rm: a network with a running container on it',
    setup: [
      net('sw-n1', '10.213.13.0/24'),
      ['run', '-d', '--name', 'user', '--network', 'sw-n1', 'busybox', 'sleep', '300'],
    ],
    run: ['network', 'rm', 'sw-n1'],
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: error while removing network: network sw-n1 id <id> has active endpoints\nexit status 1\n',
    },
  },
  {
    name: 'rm: a network only a created container names has no active endpoint and goes',
    setup: [
      net('sw-n1', '10.213.14.0/24'),
      ['create', '--name', 'created', '--network', 'sw-n1', 'busybox', 'true'],
    ],
    run: ['network', 'rm', 'sw-n1'],
    expect: { code: 0, stdout: 'sw-n1\n', stderr: '' },
  },
  {
    name: 'connect and disconnect: inspect shows the container, then not',
    setup: [
      net('sw-n1', '10.213.15.0/24'),
      net('sw-n2', '10.213.16.0/24'),
      ['run', '-d', '--name', 'cc', '--network', 'sw-n1', 'busybox', 'sleep', '300'],
    ],
    run: ['network', 'connect', '--ip', '10.213.16.77', 'sw-n2', 'cc'],
    expect: { code: 0, stdout: '', stderr: '' },
    then: [
      {
        run: ['network', 'inspect', '-f', '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}', 'sw-n2'],
        expect: { code: 0, stdout: 'cc 10.213.16.77/24\n' },
      },
      {
        run: ['exec', 'cc', 'sh', '-c', 'ip -4 -o addr show eth1 | grep -o "inet [0-9./]*"'],
        expect: { code: 0, stdout: 'inet 10.213.16.77/24\n' },
      },
      { run: ['network', 'disconnect', 'sw-n2', 'cc'], expect: { code: 0, stdout: '', stderr: '' } },
      {
        run: ['network', 'inspect', '-f', '{{len .Containers}}', 'sw-n2'],
        expect: { code: 0, stdout: '0\n' },
      },
    ],
  },
  {
    name: 'connect: twice, a missing container, a missing network',
    setup: [
      net('sw-n1', '10.213.17.0/24'),
      ['run', '-d', '--name', 'cc', '--network', 'sw-n1', 'busybox', 'sleep', '300'],
    ],
    run: (c) =>
      each(c, [
        ['network', 'connect', 'sw-n1', 'cc'],
        ['network', 'connect', 'sw-n1', 'nope'],
        ['network', 'connect', 'nonet', 'cc'],
      ]),
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: endpoint with name cc already exists in network sw-n1\n' +
        'Error response from daemon: No such container: nope\n' +
        'Error response from daemon: network nonet not found\n',
    },
  },
  {
    name: 'connect --ip to a network without a subnet of the user',
    setup: [
      net('sw-n1', '10.213.18.0/24'),
      ['network', 'create', 'sw-auto'],
      ['run', '-d', '--name', 'cc', '--network', 'sw-n1', 'busybox', 'sleep', '300'],
    ],
    run: ['network', 'connect', '--ip', '10.213.18.9', 'sw-auto', 'cc'],
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: user specified IP address is supported only when connecting to networks with user configured subnets\n',
    },
  },
  {
    name: 'connect to host or none',
    setup: [
      net('sw-n1', '10.213.19.0/24'),
      ['run', '-d', '--name', 'cc', '--network', 'sw-n1', 'busybox', 'sleep', '300'],
    ],
    run: (c) =>
      each(c, [
        ['network', 'connect', 'host', 'cc'],
        ['network', 'connect', 'none', 'cc'],
      ]),
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: container cannot be disconnected from host network or connected to host network\n' +
        'Error response from daemon: container cannot be connected to multiple networks with one of the networks in private (none) mode\n',
    },
  },
  {
    name: 'disconnect: not connected, a missing container',
    setup: [
      net('sw-n1', '10.213.20.0/24'),
      net('sw-n2', '10.213.21.0/24'),
      ['run', '-d', '--name', 'cc', '--network', 'sw-n1', 'busybox', 'sleep', '300'],
    ],
    run: (c) =>
      each(c, [
        ['network', 'disconnect', 'sw-n2', 'cc'],
        ['network', 'disconnect', '-f', 'sw-n2', 'cc'],
        ['network', 'disconnect', 'sw-n1', 'nope'],
      ]),
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: container <id> is not connected to network sw-n2\n' +
        'Error response from daemon: container <id> is not connected to network sw-n2\n' +
        'Error response from daemon: No such container: nope\n',
    },
  },
  {
    name: 'prune: unused networks go, used ones and those the label keeps stay',
    setup: [
      net('sw-used', '10.213.22.0/24'),
      net('sw-idle', '10.213.23.0/24'),
      net('sw-keep', '10.213.24.0/24', '--label', 'keep=1'),
      ['run', '-d', '--name', 'user', '--network', 'sw-used', 'busybox', 'sleep', '300'],
    ],
    run: ['network', 'prune', '-f', '--filter', 'label!=keep'],
    expect: { code: 0, stdout: 'Deleted Networks:\nsw-idle\n\n', stderr: '' },
    then: [
      {
        run: ['network', 'ls', '--format', '{{.Name}}', '-f', 'name=sw-'],
        expect: { code: 0, stdout: 'sw-keep\nsw-used\n' },
      },
    ],
  },
  {
    name: 'prune --filter label= and until',
    setup: [net('sw-a', '10.213.25.0/24', '--label', 'x=1'), net('sw-b', '10.213.26.0/24')],
    run: (c) =>
      each(c, [
        ['network', 'prune', '-f', '--filter', 'label=x=1'],
        ['network', 'prune', '-f', '--filter', 'until=2000-01-01T00:00:00Z'],
      ]),
    expect: { code: 0, stdout: 'Deleted Networks:\nsw-a\n\n', stderr: '' },
    then: [
      {
        run: ['network', 'ls', '--format', '{{.Name}}', '-f', 'name=sw-'],
        expect: { code: 0, stdout: 'sw-b\n' },
      },
    ],
  },
  {
    name: 'prune: bad filters leave every network alone',
    setup: [net('sw-n1', '10.213.27.0/24')],
    run: (c) =>
      each(c, [
        ['network', 'prune', '-f', '--filter', 'bogus=1'],
        ['network', 'prune', '-f', '--filter', 'until=bogus'],
      ]),
    expect: {
      code: 1,
      stdout: '',
      stderr:
        "Error response from daemon: Invalid filter 'bogus'\n" +
        'Error response from daemon: failed to parse value as time or duration: "bogus"\n',
    },
    then: [{ run: ['network', 'ls', '-q', '-f', 'name=sw-n1'], expect: { code: 0, stdout: '<short-id>\n' } }],
  },
  {
    name: 'events: create, connect at start, disconnect at stop, explicit connect and disconnect, destroy',
    run: (c) =>
      eventsDuring(
        c,
        () => {
          c.must(net('sw-ev', '10.213.28.0/24'));
          c.must(net('sw-ev2', '10.213.29.0/24'));
          c.must(['run', '--name', 'evc', '--network', 'sw-ev', 'busybox', 'true']);
          c.must(['run', '-d', '--name', 'evd', '--network', 'sw-ev', 'busybox', 'sleep', '300']);
          c.must(['network', 'connect', 'sw-ev2', 'evd']);
          c.must(['network', 'disconnect', 'sw-ev2', 'evd']);
          c.must(['rm', '-f', 'evc', 'evd']);
          c.must(['network', 'rm', 'sw-ev', 'sw-ev2']);
        },
        ['type=network'],
        '{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.type}}',
      ),
    expect: {
      code: 0,
      stdout:
        'network create sw-ev bridge\nnetwork create sw-ev2 bridge\n' +
        'network connect sw-ev bridge\nnetwork disconnect sw-ev bridge\n' +
        'network connect sw-ev bridge\nnetwork connect sw-ev2 bridge\n' +
        // A running container's disconnect is two events in dockerd: the endpoint's leave, then the API's.
        'network disconnect sw-ev2 bridge\nnetwork disconnect sw-ev2 bridge\n' +
        'network disconnect sw-ev bridge\nnetwork destroy sw-ev bridge\nnetwork destroy sw-ev2 bridge\n',
      stderr: '',
    },
  },
  {
    name: 'events: a container that is not running is connected without an event, disconnected with one',
    setup: [
      net('sw-ev', '10.213.36.0/24'),
      net('sw-ev2', '10.213.37.0/24'),
      ['create', '--name', 'evd', '--network', 'sw-ev', 'busybox', 'true'],
    ],
    run: (c) =>
      eventsDuring(
        c,
        () => {
          c.must(['network', 'connect', 'sw-ev2', 'evd']);
          c.must(['network', 'disconnect', 'sw-ev2', 'evd']);
        },
        ['type=network'],
        '{{.Action}} {{.Actor.Attributes.name}}',
      ),
    expect: { code: 0, stdout: 'disconnect sw-ev2\n', stderr: '' },
  },
  {
    name: 'events --filter event= and network=',
    run: (c) =>
      eventsDuring(
        c,
        () => {
          c.must(net('sw-ev', '10.213.30.0/24'));
          c.must(net('sw-other', '10.213.31.0/24'));
          c.must(['network', 'rm', 'sw-ev', 'sw-other']);
        },
        ['type=network', 'event=destroy', 'network=sw-ev'],
        '{{.Action}} {{.Actor.Attributes.name}}',
      ),
    expect: { code: 0, stdout: 'destroy sw-ev\n', stderr: '' },
  },
];

sweep('network', scenarios);
