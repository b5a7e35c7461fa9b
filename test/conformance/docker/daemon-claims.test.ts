import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { daemonTag } from '../../../native/services/networks/service.ts';
import {
  cleanupNetwork,
  type Daemon,
  eventually,
  loadBusybox,
  repoRoot,
  startDaemon,
  stopDaemon,
  target,
} from '../harness.ts';
import { freePort, httpGet } from '../net.ts';

// What the README's table of berthd's flags and its networking section promise, each with a test that
// fails without it. The daemon's own flags and files: berthd only.

/** IPv4 prefixes the host routes to (default route apart), as `a.b.c.d/n`. */
function routes(): string[] {
  const le = (hex: string) => {
    const n = Number.parseInt(hex, 16);
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
  };
  return readFileSync('/proc/net/route', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && f[7] !== '00000000')
    .map((f) => {
      const bits = le(f[7]).reduce((a, o) => a + o.toString(2).replaceAll('0', '').length, 0);
      return `${le(f[1]).join('.')}/${bits}`;
    });
}

/** The first 172.N.0.0/16 (N in 17–31) that no route overlaps: what `--bip` defaults to. */
function firstFree172(routed: string[]): string | undefined {
  const toInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const overlaps = (a: string, b: string) => {
    const [ai, ab] = a.split('/');
    const [bi, bb] = b.split('/');
    const bits = Math.min(Number(ab), Number(bb));
    const div = 2 ** (32 - bits);
    return Math.floor(toInt(ai) / div) === Math.floor(toInt(bi) / div);
  };
  for (let n = 17; n <= 31; n++) {
    const s = `172.${n}.0.0/16`;
    if (!routed.some((r) => overlaps(r, s))) return s;
  }
  return undefined;
}

/** A berthd on `root`'s own data and exec roots, listening on `socket`, with `extra` flags: run to its end. */
function berthdOnRoot(root: string, socket: string, extra: string[]) {
  return spawnSync(
    process.execPath,
    [
      path.join(repoRoot, 'dist/berthd.js'),
      '--data-root',
      path.join(root, 'data'),
      '--exec-root',
      path.join(root, 'run'),
      '-H',
      `unix://${socket}`,
      ...extra,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
}

const rulesOf = (table: string) => execFileSync('iptables', ['-w', '-t', table, '-S'], { encoding: 'utf8' });

describe('README claims about berthd', {
  skip: target === 'dockerd' ? "berthd's own flags, files and rules" : false,
}, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon('berthd');
    await loadBusybox(d);
  });
  after(async () => stopDaemon(d));

  const ok = (daemon: Daemon, args: string[]) => {
    const r = daemon.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const httpd = (daemon: Daemon, name: string, ...extra: string[]) =>
    ok(daemon, ['run', '-d', '--name', name, ...extra, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);

  test('the API socket is mode 0600, owned by root', () => {
    const st = statSync(d.socket);
    assert.ok(st.isSocket());
    assert.equal((st.mode & 0o777).toString(8), '600');
    assert.equal(st.uid, 0);
  });

  test('the pidfile refuses a second berthd, which starts nothing and leaves the first one serving', () => {
    const pidfile = path.join(d.execRoot, 'berthd.pid');
    assert.equal(readFileSync(pidfile, 'utf8').trim(), String(d.pid()));
    const root = mkdtempSync('/tmp/bt-');
    const socket = path.join(root, 'run', 'docker.sock');
    try {
      const second = berthdOnRoot(root, socket, ['--pidfile', pidfile]);
      assert.equal(second.status, 1, `${second.signal ?? ''} ${second.stderr}`);
      assert.equal(
        second.stderr,
        `berthd: pid file found, ensure berthd is not running or delete ${pidfile}\n`,
      );
      assert.equal(existsSync(socket), false, 'the second berthd opened no socket');
      assert.equal(
        readFileSync(pidfile, 'utf8').trim(),
        String(d.pid()),
        'the pidfile is still the first one',
      );
      assert.equal(ok(d, ['version', '-f', '{{.Server.Version}}']).length > 0, true);
    } finally {
      cleanupNetwork(path.join(root, 'run'));
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('-H tcp:// on a loopback address serves the API beside the socket; another address is refused; --ready-file says when both listen', async () => {
    const port = await freePort();
    const before = d.args();
    const ready = path.join(d.root, 'berthd.ready');
    await d.stop();
    // A ready file left from an earlier run is not taken for this one's.
    writeFileSync(ready, 'stale\n');
    await d.restart([...before, '-H', `tcp://127.0.0.1:${port}`, '--ready-file', ready]);
    try {
      await eventually(() => existsSync(ready), 10_000, 'the ready file');
      assert.deepEqual(readFileSync(ready, 'utf8').split('\n').slice(-3), [
        `unix://${d.socket}`,
        `tcp://127.0.0.1:${port}`,
        '',
      ]);
      const overTcp = spawnSync(
        'docker',
        ['-H', `tcp://127.0.0.1:${port}`, 'run', '--rm', 'busybox', 'echo', 'over tcp'],
        {
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      assert.equal(overTcp.status, 0, overTcp.stderr);
      assert.equal(overTcp.stdout, 'over tcp\n');
      assert.equal(ok(d, ['version', '-f', '{{.Server.Os}}']), 'linux', 'the socket still answers');
    } finally {
      await d.stop();
      assert.equal(existsSync(ready), false, 'a stopped berthd is not ready');
      await d.restart(before);
    }
    const refused = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'dist/berthd.js'), '--exec-root', '/tmp/bt-never', '-H', 'tcp://0.0.0.0:2375'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(refused.status, 125);
    assert.match(
      refused.stderr,
      /^invalid host "tcp:\/\/0\.0\.0\.0:2375": berthd serves TCP only on a loopback address/,
    );
    assert.equal(existsSync('/tmp/bt-never'), false, 'nothing was made');

    // A ready file that cannot be written is refused before anything listens.
    const root = mkdtempSync('/tmp/bt-');
    try {
      writeFileSync(path.join(root, 'afile'), '');
      const bad = berthdOnRoot(root, path.join(root, 'd.sock'), [
        '--ready-file',
        path.join(root, 'afile', 'ready'),
      ]);
      assert.equal(bad.status, 1, bad.stderr);
      assert.match(bad.stderr, new RegExp(`^berthd: --ready-file ${root}/afile/ready: EEXIST`));
      assert.equal(existsSync(path.join(root, 'd.sock')), false, 'nothing listened');
    } finally {
      cleanupNetwork(path.join(root, 'run'));
      rmSync(root, { recursive: true, force: true });
    }
  });

  // Other daemons on a shared host come and go: the check counts only a start during which the host's
  // routes stayed the same (up to three tries).
  test('without --bip the default bridge takes the first 172.17–31.0.0/16 the host does not route', async () => {
    for (let attempt = 1; ; attempt++) {
      const before = routes();
      const fresh = await startDaemon('berthd');
      try {
        const own = JSON.parse(ok(fresh, ['network', 'inspect', 'bridge', '-f', '{{json .IPAM.Config}}']));
        const after = routes().filter((r) => r !== own[0]?.Subnet);
        if (before.join() !== after.join() && attempt < 3) continue;
        assert.deepEqual(before, after, 'the routes stayed the same while berthd started');
        const expected = firstFree172(before);
        assert.ok(expected, `no free 172.N/16 on this host: ${before}`);
        assert.deepEqual(own, [{ Subnet: expected, Gateway: expected.replace('.0.0/16', '.0.1') }]);
        const options = ok(fresh, ['network', 'inspect', 'bridge', '-f', '{{.Options}}']);
        const name = /com\.docker\.network\.bridge\.name:(\S+)/.exec(options)?.[1] ?? '';
        assert.match(
          execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', name], { encoding: 'utf8' }),
          new RegExp(`inet ${expected.replace('.0.0/16', '.0.1/16').replaceAll('.', '\\.')} `),
        );
        return;
      } finally {
        await stopDaemon(fresh);
      }
    }
  });

  test('two berthd started at once take default bridges of their own, and networks made at once too', async () => {
    // Each reads the host's routes before choosing: without the host-wide lock, both could read them
    // before either bridge is up and take the same subnet (the host then routes one engine's
    // containers into the other's bridge). A few rounds, as the race needs the two starts to overlap.
    for (let round = 0; round < 3; round++) {
      const pair = await Promise.all([startDaemon('berthd'), startDaemon('berthd')]);
      try {
        const subnet = (daemon: Daemon, network: string) =>
          ok(daemon, ['network', 'inspect', network, '-f', '{{(index .IPAM.Config 0).Subnet}}']);
        const bridges = pair.map((p) => subnet(p, 'bridge'));
        assert.notEqual(bridges[0], bridges[1], `round ${round}: both took ${bridges[0]}`);
        await Promise.all(
          pair.map(
            (p) =>
              new Promise<void>((resolve, reject) =>
                execFile(
                  'docker',
                  ['network', 'create', 'app'],
                  { env: { ...process.env, DOCKER_HOST: p.host } },
                  (err) => (err ? reject(err) : resolve()),
                ),
              ),
          ),
        );
        const apps = pair.map((p) => subnet(p, 'app'));
        assert.equal(
          new Set([...bridges, ...apps]).size,
          4,
          `round ${round}: ${[...bridges, ...apps].join(' ')}`,
        );
      } finally {
        await Promise.all(pair.map((p) => stopDaemon(p)));
      }
    }
  });

  test('the runtime is detected: runc on a hybrid cgroup host, crun on a pure v2 one, when installed', () => {
    const fsTypes = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' - ')[1]?.split(' ')[0]);
    const hybrid = fsTypes.includes('cgroup');
    const installed = (n: string) => spawnSync('sh', ['-c', `command -v ${n}`]).status === 0;
    const expected = (hybrid ? ['runc', 'crun'] : ['crun', 'runc']).find(installed);
    assert.ok(expected, 'runc or crun is installed');
    assert.equal(ok(d, ['info', '-f', '{{.DefaultRuntime}}']), expected);
    // And it is the one that runs containers: conmon is given its path.
    const id = ok(d, ['run', '-d', 'busybox', 'sleep', '60']);
    const conmon = spawnSync('pgrep', ['-af', `conmon.*${id}`], { encoding: 'utf8' }).stdout;
    assert.match(conmon, new RegExp(` -r \\S*/${expected} `), conmon);
    ok(d, ['rm', '-f', id]);
  });

  test('the userland proxy serves IPv6: a default binding answers on [::1]', {
    skip:
      existsSync('/proc/net/if_inet6') && readFileSync('/proc/net/if_inet6', 'utf8').includes(' lo\n')
        ? false
        : 'no IPv6 loopback',
  }, async () => {
    const port = await freePort();
    httpd(d, 'v6', '-p', `${port}:80`);
    const hostname = ok(d, ['inspect', '-f', '{{.Config.Hostname}}', 'v6']);
    const body = await eventually(
      () => httpGet(`http://[::1]:${port}/hostname`).catch(() => ''),
      10_000,
      'an answer on [::1]',
    );
    assert.equal(body.trim(), hostname);
    assert.match(ok(d, ['port', 'v6', '80/tcp']), new RegExp(`^(\\[::\\]|::):${port}$`, 'm'));
    ok(d, ['rm', '-f', 'v6']);
  });

  test('two user-defined networks cannot reach each other; each reaches its own', () => {
    ok(d, ['network', 'create', 'iso-a']);
    ok(d, ['network', 'create', 'iso-b']);
    try {
      httpd(d, 'in-a', '--network', 'iso-a');
      const ipA = ok(d, ['inspect', '-f', '{{(index .NetworkSettings.Networks "iso-a").IPAddress}}', 'in-a']);
      const reach = (net: string) =>
        d.docker(['run', '--rm', '--network', net, 'busybox', 'ping', '-c1', '-W2', ipA]);
      const same = reach('iso-a');
      assert.equal(same.code, 0, `a neighbour on iso-a reaches ${ipA}: ${same.stdout}${same.stderr}`);
      const other = reach('iso-b');
      assert.notEqual(other.code, 0, `iso-b must not reach ${ipA}: ${other.stdout}`);
      assert.match(other.stdout, / 0 packets received/);
    } finally {
      d.docker(['rm', '-f', 'in-a']);
      d.docker(['network', 'rm', 'iso-a', 'iso-b']);
    }
  });

  test('--iptables=false: no rule of its own, and published ports work through the userland proxy alone', async () => {
    // With iptables (the suite's daemon) a published port has its DNAT rule: the contrast below.
    const port = await freePort();
    httpd(d, 'nat', '-p', `127.0.0.1:${port}:80`);
    assert.match(rulesOf('nat'), new RegExp(`--dport ${port} -j DNAT`));
    ok(d, ['rm', '-f', 'nat']);

    const plain = await startDaemon('berthd', ['--iptables=false']);
    try {
      await loadBusybox(plain);
      const tag = daemonTag(plain.execRoot);
      const mine = (t: string) =>
        rulesOf(t)
          .split('\n')
          .filter((l) => l.includes(tag));
      const p2 = await freePort();
      httpd(plain, 'proxied', '-p', `127.0.0.1:${p2}:80`);
      const hostname = ok(plain, ['inspect', '-f', '{{.Config.Hostname}}', 'proxied']);
      const body = await eventually(
        () => httpGet(`http://127.0.0.1:${p2}/hostname`).catch(() => ''),
        10_000,
        'an answer through the proxy',
      );
      assert.equal(body.trim(), hostname);
      assert.deepEqual([...mine('filter'), ...mine('nat')], [], 'no chain or rule of this daemon');
      assert.doesNotMatch(rulesOf('nat'), new RegExp(`--dport ${p2} `));
      // The port is held by berthd itself, the proxy.
      const ss = execFileSync('ss', ['-Hltnp', `sport = :${p2}`], { encoding: 'utf8' });
      assert.match(ss, new RegExp(`pid=${plain.pid()},`), ss);
    } finally {
      await stopDaemon(plain);
    }
  });
});
