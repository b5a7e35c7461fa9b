import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { daemonTag } from '../../../native/services/networks/service.ts';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon, target } from '../harness.ts';
import { freePort, httpGet as get } from '../net.ts';

// The reference dockerd of the harness runs without iptables (on a bridge of the test's own), so the
// scenarios that need working networking run on berthd; the error scenarios run on both.
const berthOnly = { skip: target === 'dockerd' ? 'needs iptables' : false };

const iptablesSave = () => execFileSync('iptables-save', { encoding: 'utf8' });
const links = () => readdirSync('/sys/class/net');
/** Whether a link is enslaved to the bridge (read from sysfs; a link gone meanwhile is not). */
const onBridge = (link: string, bridge: string) => {
  try {
    return path.basename(readlinkSync(`/sys/class/net/${link}/master`)) === bridge;
  } catch {
    return false;
  }
};

describe('networking: bridges, published ports, embedded DNS', () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
  });
  after(async () => stopDaemon(d));

  const ok = (args: string[]) => {
    const r = d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const httpd = (name: string, ...extra: string[]) =>
    ok(['run', '-d', '--name', name, ...extra, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);

  test('the default bridge gives an address, a hosts entry and a route out', berthOnly, async () => {
    const out = ok([
      'run',
      '--rm',
      '--hostname',
      'box1',
      'busybox',
      'sh',
      '-c',
      'ip -4 -o addr show eth0; ip route; cat /etc/hosts',
    ]);
    const ip = /inet (\d+\.\d+\.\d+\.\d+)\/(\d+)/.exec(out);
    assert.ok(ip, out);
    assert.match(out, /default via \d+\.\d+\.\d+\.1 dev eth0/);
    assert.match(out, new RegExp(`${ip[1].replaceAll('.', '\\.')}\\tbox1`));
    httpd('plain');
    const addr = ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'plain']);
    assert.match(addr, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(ok(['inspect', '-f', '{{.NetworkSettings.Networks.bridge.IPAddress}}', 'plain']), addr);
    // The host reaches the container's address through the bridge.
    assert.equal(
      (await eventually(() => get(`http://${addr}/hostname`).catch(() => ''), 5000, 'httpd')).trim(),
      ok(['inspect', '-f', '{{.Config.Hostname}}', 'plain']),
    );
    ok(['rm', '-f', 'plain']);
  });

  test('-p publishes on localhost; docker port and ps show the mapping', berthOnly, async () => {
    const port = await freePort();
    httpd('web', '-p', `${port}:80`);
    const body = await eventually(
      () => get(`http://127.0.0.1:${port}/hostname`).catch(() => ''),
      5000,
      'published port',
    );
    assert.equal(body.trim(), ok(['inspect', '-f', '{{.Config.Hostname}}', 'web']));
    assert.match(ok(['port', 'web']), new RegExp(`^80/tcp -> 0\\.0\\.0\\.0:${port}$`, 'm'));
    assert.equal(ok(['port', 'web', '80']).split('\n')[0], `0.0.0.0:${port}`);
    assert.match(
      ok(['ps', '--format', '{{.Ports}}', '-f', 'name=web']),
      new RegExp(`0\\.0\\.0\\.0:${port}->80/tcp`),
    );
    assert.equal(
      ok(['inspect', '-f', '{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}', 'web']),
      String(port),
    );
    ok(['rm', '-f', 'web']);
    await assert.rejects(get(`http://127.0.0.1:${port}/hostname`, 1000));
  });

  test(
    '-P publishes EXPOSEd ports on ephemeral host ports; a host-ip binding only listens there',
    berthOnly,
    async () => {
      httpd('exposed', '--expose', '80', '-P');
      const mapped = ok(['port', 'exposed', '80/tcp']).split('\n')[0];
      const port = Number(mapped.split(':').pop());
      assert.ok(port >= 1024, mapped);
      assert.ok((await get(`http://127.0.0.1:${port}/hostname`)).length > 0);
      const p2 = await freePort();
      httpd('local', '-p', `127.0.0.1:${p2}:80`);
      assert.equal(ok(['port', 'local']), `80/tcp -> 127.0.0.1:${p2}`);
      assert.ok((await get(`http://127.0.0.1:${p2}/hostname`)).length > 0);
      ok(['rm', '-f', 'exposed', 'local']);
    },
  );

  test('udp ports are published too', berthOnly, async () => {
    const port = await freePort();
    ok(['run', '-d', '--name', 'udp', '-p', `127.0.0.1:${port}:9999/udp`, 'busybox', 'sleep', '300']);
    assert.equal(ok(['port', 'udp']), `9999/udp -> 127.0.0.1:${port}`);
    // busybox has no UDP server: an echo server runs in the container's namespace, started here.
    const key = ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', 'udp']);
    const echo = spawn('nsenter', [
      `--net=${key}`,
      process.execPath,
      '-e',
      "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(Buffer.concat([Buffer.from('echo:'),m]),r.port,r.address));s.bind(9999,()=>console.log('ready'))",
    ]);
    try {
      await new Promise((r) => echo.stdout.once('data', r));
      const dgram = await import('node:dgram');
      const c = dgram.createSocket('udp4');
      const reply = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no udp reply')), 3000);
        c.on('message', (m) => {
          clearTimeout(t);
          resolve(m.toString());
        });
        c.send('ping', port, '127.0.0.1');
      });
      c.close();
      assert.equal(reply, 'echo:ping');
    } finally {
      echo.kill();
      ok(['rm', '-f', 'udp']);
    }
  });

  test('a port range takes the first free port of it', berthOnly, async () => {
    // Two ports in a row below the kernel's ephemeral range (32768 up), both free now: an ephemeral
    // port's neighbour was once taken by another test's connection before the run.
    const a = await freePair();
    const blocker = net.createServer().listen(a, '0.0.0.0');
    await new Promise((r) => blocker.once('listening', r));
    try {
      httpd('ranged', '-p', `${a}-${a + 1}:80`);
      assert.equal(ok(['port', 'ranged', '80']).split('\n')[0], `0.0.0.0:${a + 1}`);
    } finally {
      blocker.close();
      d.docker(['rm', '-f', 'ranged']);
    }
  });

  test('a host port in use fails like Docker and leaves nothing half-made', berthOnly, async () => {
    const port = await freePort();
    const blocker = net.createServer().listen(port, '0.0.0.0');
    await new Promise((r) => blocker.once('listening', r));
    // This daemon's rules only (its chains carry its tag): other engines on the host change theirs.
    const tag = daemonTag(d.execRoot);
    const mine = () =>
      iptablesSave()
        .split('\n')
        .filter((l) => l.includes(tag));
    const before = mine();
    try {
      const r = d.docker(['run', '-d', '--name', 'clash', '-p', `${port}:80`, 'busybox', 'sleep', '60']);
      assert.equal(r.code, 125);
      assert.match(
        r.stderr,
        new RegExp(
          `driver failed programming external connectivity on endpoint clash .*listen tcp4 0\\.0\\.0\\.0:${port}: bind: address already in use`,
        ),
      );
      assert.equal(ok(['inspect', '-f', '{{.State.Status}}', 'clash']), 'created');
      assert.equal(iptablesSave().includes(`--dport ${port}`), false);
      assert.deepEqual(mine(), before);
    } finally {
      blocker.close();
    }
    // Once the port is free the same container starts.
    ok(['start', 'clash']);
    const p2 = await freePort();
    httpd('first', '-p', `${p2}:80`);
    const r2 = d.docker(['run', '-d', '--name', 'second', '-p', `${p2}:80`, 'busybox', 'sleep', '60']);
    assert.equal(r2.code, 125);
    assert.match(r2.stderr, new RegExp(`Bind for 0\\.0\\.0\\.0:${p2} failed: port is already allocated`));
    ok(['rm', '-f', 'clash', 'first', 'second']);
  });

  test(
    'user-defined network: static subnet and IP, DNS by name and alias, isolation',
    berthOnly,
    async () => {
      ok(['network', 'create', '--subnet', '10.123.0.0/24', '--gateway', '10.123.0.254', 'appnet']);
      ok([
        'run',
        '-d',
        '--name',
        'db',
        '--network',
        'appnet',
        '--network-alias',
        'database',
        '--ip',
        '10.123.0.50',
        'busybox',
        'sleep',
        '300',
      ]);
      assert.equal(
        ok(['inspect', '-f', '{{.NetworkSettings.Networks.appnet.IPAddress}}', 'db']),
        '10.123.0.50',
      );
      const out = ok([
        'run',
        '--rm',
        '--network',
        'appnet',
        'busybox',
        'sh',
        '-c',
        'cat /etc/resolv.conf; nslookup db; nslookup database; ping -c1 -W2 db; ip route',
      ]);
      assert.match(out, /nameserver 127\.0\.0\.11/);
      assert.equal((out.match(/Address: 10\.123\.0\.50/g) ?? []).length, 2, out);
      assert.match(out, /1 packets received/);
      assert.match(out, /default via 10\.123\.0\.254/);
      // A name that is not a container of the network is not resolved from it.
      const other = d.docker(['run', '--rm', 'busybox', 'nslookup', 'db', '127.0.0.11']);
      assert.notEqual(other.code, 0);
      // The default bridge cannot reach the user network.
      const iso = d.docker(['run', '--rm', 'busybox', 'ping', '-c1', '-W1', '10.123.0.50']);
      assert.notEqual(iso.code, 0, iso.stdout);
      const names = ok(['inspect', '-f', '{{json .NetworkSettings.Networks.appnet.DNSNames}}', 'db']);
      assert.ok(JSON.parse(names).includes('database'), names);
      const inspect = JSON.parse(ok(['network', 'inspect', 'appnet']))[0];
      assert.equal(inspect.IPAM.Config[0].Subnet, '10.123.0.0/24');
      assert.equal(inspect.IPAM.Config[0].Gateway, '10.123.0.254');
      assert.equal(
        Object.values(inspect.Containers as Record<string, { Name: string; IPv4Address: string }>)[0]
          .IPv4Address,
        '10.123.0.50/24',
      );
    },
  );

  test('connect and disconnect a running container', berthOnly, async () => {
    ok(['run', '-d', '--name', 'roamer', 'busybox', 'sleep', '300']);
    ok(['network', 'connect', '--alias', 'wanderer', 'appnet', 'roamer']);
    assert.match(ok(['exec', 'roamer', 'ip', '-o', '-4', 'addr']), /eth1\s+inet 10\.123\.0\./);
    const found = ok(['exec', 'db', 'nslookup', 'wanderer']);
    assert.match(found, /Address: 10\.123\.0\./);
    ok(['network', 'disconnect', 'appnet', 'roamer']);
    assert.doesNotMatch(ok(['exec', 'roamer', 'ip', '-o', '-4', 'addr']), /eth1/);
    assert.equal(ok(['inspect', '-f', '{{len .NetworkSettings.Networks}}', 'roamer']), '1');
    ok(['rm', '-f', 'roamer']);
  });

  test(
    "a bridge keeps its MAC address as containers join (the gateway's ARP entry stays right)",
    berthOnly,
    async () => {
      const bridge = `br-${ok(['network', 'inspect', '-f', '{{.Id}}', 'appnet']).slice(0, 12)}`;
      const mac = () =>
        execFileSync('cat', [`/sys/class/net/${bridge}/address`], { encoding: 'utf8' }).trim();
      // NET_ADDR_SET: the kernel no longer takes the lowest port's address for the bridge.
      assert.equal(
        execFileSync('cat', [`/sys/class/net/${bridge}/addr_assign_type`], { encoding: 'utf8' }).trim(),
        '3',
      );
      const first = mac();
      const names = ['j1', 'j2', 'j3', 'j4', 'j5', 'j6'];
      for (const n of names) ok(['run', '-d', '--name', n, '--network', 'appnet', 'busybox', 'sleep', '300']);
      assert.equal(mac(), first);
      // What a container that was there before sees for its gateway, after the others joined.
      ok(['exec', 'db', 'ping', '-c1', '-W2', '10.123.0.254']);
      assert.match(ok(['exec', 'db', 'ip', 'neigh', 'show', '10.123.0.254']), new RegExp(first));
      ok(['rm', '-f', ...names]);
    },
  );

  test(
    "a stopped container's veth goes by itself; its address and names are free at once",
    berthOnly,
    async () => {
      // The kernel destroys a stopped container's interfaces after berthd has let go of its namespace.
      // Only this network's bridge is looked at: other engines on the host make veths of their own.
      const bridge = `br-${ok(['network', 'inspect', '-f', '{{.Id}}', 'appnet']).slice(0, 12)}`;
      const hostIfs = () => links().filter((l) => l.startsWith('ve') && onBridge(l, bridge));
      const others = hostIfs();
      const runAt60 = (name: string) =>
        ok([
          'run',
          '-d',
          '--name',
          name,
          '--network',
          'appnet',
          '--ip',
          '10.123.0.60',
          'busybox',
          'sleep',
          '300',
        ]);
      runAt60('brief');
      const mine = hostIfs().filter((l) => !others.includes(l));
      assert.equal(mine.length, 1, mine.join(' '));
      ok(['stop', '-t', '0', 'brief']);
      // Restarting at once reuses the interface names of the last run.
      ok(['start', 'brief']);
      assert.equal(
        ok(['inspect', '-f', '{{.NetworkSettings.Networks.appnet.IPAddress}}', 'brief']),
        '10.123.0.60',
      );
      ok(['rm', '-f', 'brief']);
      // The static address is free for the next container straight away.
      runAt60('brief2');
      ok(['rm', '-f', 'brief2']);
      await eventually(() => hostIfs().every((l) => others.includes(l)), 5000, 'veths gone');
    },
  );

  test('--internal networks have no route out', berthOnly, async () => {
    ok(['network', 'create', '--internal', 'sealed']);
    const out = ok(['run', '--rm', '--network', 'sealed', 'busybox', 'ip', 'route']);
    assert.doesNotMatch(out, /default/);
    ok(['network', 'rm', 'sealed']);
  });

  test('host, none and container: network modes', berthOnly, async () => {
    // Veths of containers stopped just before may still be on their way out (the kernel removes them).
    const steady = (names: string[]) => names.filter((l) => !l.startsWith('ve')).sort();
    const hostIfs = ok(['run', '--rm', '--network', 'host', 'busybox', 'ls', '/sys/class/net']).split(/\s+/);
    assert.ok(hostIfs.includes('lo'), hostIfs.join(' '));
    assert.deepEqual(steady(hostIfs), steady(links()));
    assert.equal(ok(['run', '--rm', '--network', 'none', 'busybox', 'ls', '/sys/class/net']), 'lo');
    ok(['run', '-d', '--name', 'owner', 'busybox', 'sleep', '300']);
    const ip = ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'owner']);
    assert.match(
      ok(['run', '--rm', '--network', 'container:owner', 'busybox', 'ip', '-4', '-o', 'addr']),
      new RegExp(`inet ${ip.replaceAll('.', '\\.')}/`),
    );
    ok(['rm', '-f', 'owner']);
  });

  test('--add-host, --dns and --mac-address', berthOnly, async () => {
    const out = ok([
      'run',
      '--rm',
      '--add-host',
      'api.local:10.9.9.9',
      '--dns',
      '10.1.1.1',
      '--mac-address',
      '02:42:de:ad:be:ef',
      'busybox',
      'sh',
      '-c',
      'cat /etc/hosts /etc/resolv.conf; cat /sys/class/net/eth0/address',
    ]);
    assert.match(out, /10\.9\.9\.9\tapi\.local/);
    assert.match(out, /nameserver 10\.1\.1\.1/);
    assert.match(out, /02:42:de:ad:be:ef/);
  });

  test('the embedded DNS forwards other names to the upstream servers', berthOnly, async () => {
    // A tiny upstream on the host's loopback that answers every A query with 10.7.7.7.
    const dgram = await import('node:dgram');
    const up = dgram.createSocket('udp4');
    up.on('message', (msg, rinfo) => {
      const qEnd = msg.indexOf(0, 12) + 5;
      const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 7, 7, 7]);
      const head = Buffer.from(msg.subarray(0, 12));
      head.writeUInt16BE(0x8180, 2);
      const isA = msg.readUInt16BE(qEnd - 4) === 1;
      head.writeUInt16BE(isA ? 1 : 0, 6);
      up.send(
        Buffer.concat([head, msg.subarray(12, qEnd), isA ? answer : Buffer.alloc(0)]),
        rinfo.port,
        rinfo.address,
      );
    });
    await new Promise<void>((r) => up.bind(53, '127.0.0.77', () => r()));
    try {
      // Asynchronously: the upstream lives in this process and must keep answering.
      const r = await d.dockerAsync([
        'run',
        '--rm',
        '--network',
        'appnet',
        '--dns',
        '127.0.0.77',
        'busybox',
        'nslookup',
        'example.test',
      ]).done;
      assert.equal(r.code, 0, r.stderr);
      const out = r.stdout;
      assert.match(out, /Address: 10\.7\.7\.7/);
      assert.match(out, /Server:\s+127\.0\.0\.11/);
    } finally {
      up.close();
    }
  });

  test('kill -9 of berthd: published ports and DNS of running containers keep working', {
    skip: target === 'dockerd' ? 'berthd-only' : false,
  }, async () => {
    const port = await freePort();
    httpd('steady', '--network', 'appnet', '-p', `${port}:80`);
    await eventually(() => get(`http://127.0.0.1:${port}/hostname`).catch(() => ''), 5000, 'port');
    await d.kill9();
    assert.ok((await get(`http://127.0.0.1:${port}/hostname`)).length > 0, 'DNAT works while berthd is down');
    await d.restart();
    assert.ok((await get(`http://127.0.0.1:${port}/hostname`)).length > 0);
    assert.match(ok(['exec', 'db', 'nslookup', 'steady']), /Address: 10\.123\.0\./);
    assert.match(ok(['ps', '--format', '{{.Ports}}', '-f', 'name=steady']), new RegExp(`:${port}->80/tcp`));
    ok(['rm', '-f', 'steady']);
  });

  test('teardown leaves no veths, rules, bridges or namespaces behind', berthOnly, async () => {
    const netId = ok(['network', 'inspect', '-f', '{{.Id}}', 'appnet']);
    const port = await freePort();
    httpd('last', '--network', 'appnet', '-p', `${port}:80`);
    const ip = ok(['inspect', '-f', '{{.NetworkSettings.Networks.appnet.IPAddress}}', 'last']);
    assert.ok(iptablesSave().includes(`${ip}:80`));
    ok(['rm', '-f', 'last', 'db']);
    const rm = d.docker(['network', 'rm', 'appnet']);
    assert.equal(rm.code, 0, rm.stderr);
    const rules = iptablesSave();
    assert.equal(rules.includes(ip), false, 'no rule names the container');
    assert.equal(rules.includes(`br-${netId.slice(0, 12)}`), false, 'no rule names the bridge');
    assert.equal(links().includes(`br-${netId.slice(0, 12)}`), false, 'the bridge is gone');
    assert.equal(
      links()
        .filter((l) => l.startsWith('ve'))
        .some((l) => onBridge(l, `br-${netId.slice(0, 12)}`)),
      false,
    );
    const nsDir = path.join(d.execRoot, 'netns');
    assert.deepEqual(existsSync(nsDir) ? readdirSync(nsDir) : [], []);
  });
});

describe('network commands: output and errors as Docker', () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
  });
  after(async () => stopDaemon(d));

  test('ls lists the predefined networks; create, inspect, ls filters, rm', () => {
    const names = d.docker(['network', 'ls', '--format', '{{.Name}} {{.Driver}}']).stdout;
    assert.match(names, /^host host$/m);
    assert.match(names, /^none null$/m);
    const id = d.docker(['network', 'create', '--label', 'team=a', 'n1']).stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(d.docker(['network', 'ls', '-q', '--no-trunc', '-f', 'label=team=a']).stdout.trim(), id);
    assert.equal(
      d.docker(['network', 'ls', '--format', '{{.Name}}', '-f', 'type=custom']).stdout.trim(),
      'n1',
    );
    assert.equal(
      d.docker(['network', 'inspect', '-f', '{{.Driver}} {{.Scope}} {{.Labels.team}}', 'n1']).stdout.trim(),
      'bridge local a',
    );
    const dup = d.docker(['network', 'create', 'n1']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /network with name n1 already exists/);
    const rm = d.docker(['network', 'rm', 'n1']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(rm.stdout.trim(), 'n1');
  });

  test('errors: unknown network, predefined removal, overlapping subnets, in-use removal', () => {
    const missing = d.docker(['network', 'inspect', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /network nope not found/);
    const run = d.docker(['run', '--rm', '--network', 'nope', 'busybox', 'true']);
    assert.equal(run.code, 125);
    assert.match(run.stderr, /network nope not found/);
    const rmHost = d.docker(['network', 'rm', 'host']);
    assert.equal(rmHost.code, 1);
    assert.match(rmHost.stderr, /host is a pre-defined network and cannot be removed/);
    assert.equal(d.docker(['network', 'create', '--subnet', '10.77.0.0/16', 'wide']).code, 0);
    const overlap = d.docker(['network', 'create', '--subnet', '10.77.5.0/24', 'narrow']);
    assert.equal(overlap.code, 1);
    assert.match(overlap.stderr, /Pool overlaps with other one on this address space/);
    assert.equal(
      d.docker(['run', '-d', '--name', 'user', '--network', 'wide', 'busybox', 'sleep', '60']).code,
      0,
    );
    const inUse = d.docker(['network', 'rm', 'wide']);
    assert.equal(inUse.code, 1);
    assert.match(
      inUse.stderr,
      /error while removing network: network wide id [0-9a-f]+ has active endpoints/,
    );
    d.docker(['rm', '-f', 'user']);
    // A created container holds no endpoint: the network goes, as in Docker.
    assert.equal(d.docker(['create', '--name', 'idle', '--network', 'wide', 'busybox', 'true']).code, 0);
    assert.equal(d.docker(['network', 'rm', 'wide']).code, 0);
    d.docker(['rm', 'idle']);
  });

  test('bad input gets a 400 and the daemon keeps serving', () => {
    const badSubnet = d.docker(['network', 'create', '--subnet', '10.0.0.0/99', 'bad']);
    assert.equal(badSubnet.code, 1);
    assert.match(badSubnet.stderr, /Invalid subnet 10\.0\.0\.0\/99 : invalid CIDR address: 10\.0\.0\.0\/99/);
    const badPort = d.docker(['run', '--rm', '-p', '99999:80', 'busybox', 'true']);
    assert.equal(badPort.code, 125);
    assert.match(badPort.stderr, /invalid hostPort: 99999/);
    assert.equal(d.docker(['network', 'ls', '-q']).code, 0);
  });

  test('prune removes unused custom networks only', () => {
    d.docker(['network', 'create', 'unused1']);
    d.docker(['network', 'create', 'kept']);
    d.docker(['run', '-d', '--name', 'keeper', '--network', 'kept', 'busybox', 'sleep', '60']);
    const out = d.docker(['network', 'prune', '-f']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /unused1/);
    assert.doesNotMatch(out.stdout, /kept/);
    const left = d.docker(['network', 'ls', '--format', '{{.Name}}']).stdout;
    assert.match(left, /^kept$/m);
    assert.doesNotMatch(left, /^unused1$/m);
    d.docker(['rm', '-f', 'keeper']);
  });
});

/** Whether `port` can be listened on at 0.0.0.0 now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

/** A port p in 20000–31999 such that p and p + 1 are both free. */
async function freePair(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 20_000 + Math.floor(Math.random() * 11_999);
    if ((await canListen(p)) && (await canListen(p + 1))) return p;
  }
  throw new Error('no two free ports in a row in 20000-31999');
}
