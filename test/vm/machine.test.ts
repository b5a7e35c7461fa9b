// The VM end to end, under TCG here (a KVM that exists but does not run guests is detected and left
// for TCG): the image built from Debian packages, booted by `berth start --provider qemu`, the host's
// docker reaching the guest's engine through ~/.berth/run/docker.sock and the berth context; ports
// published in the guest answering on the host's 127.0.0.1 (TCP and UDP); the user's home shared at
// the same path; a named volume and a grown data disk kept across stop and start; a killed qemu seen
// as an error and recovered by start; Berth's cluster in the machine reached with kubectl and reset;
// reset wiping the machine. Three boots serve every check (TCG is slow); test/vm/image.test.ts, which
// runs first, built the image.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from '../conformance/harness.ts';
import { freePort } from '../conformance/net.ts';
import { busyboxImageTar } from '../fixtures/images.ts';

const root = mkdtempSync('/tmp/bvm-');
const env = {
  ...process.env,
  BERTH_HOME: path.join(root, 'home'),
  DOCKER_CONFIG: path.join(root, 'docker'),
  KUBECONFIG: path.join(root, 'kubeconfig'),
};
const imageDir = path.join(repoRoot, 'dist', 'vm', 'x86_64');
// A directory under the user's home: the guest sees the home at the same path.
const shared = mkdtempSync(path.join(os.homedir(), '.berth-test-share-'));

const berth = (args: string[], timeout = 600_000) => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'vm/cli/berth.mjs'), ...args], {
    env,
    encoding: 'utf8',
    timeout,
  });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};
const docker = (args: string[], input?: string) => {
  const r = spawnSync('docker', ['--context', 'berth', ...args], {
    env,
    encoding: 'utf8',
    timeout: 180_000,
    input,
  });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};
const ok = (args: string[]) => {
  const r = docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const startMachine = () => {
  const r = berth(['start', '--provider', 'qemu', '--memory', '1024', '--cpus', '2']);
  assert.equal(r.code, 0, `berth start:\n${r.stdout}\n${r.stderr}\n${berth(['logs', '-n', '40']).stdout}`);
  return r;
};

let manifest: { kernelVersion: string };
let started: { stdout: string };

before(async () => {
  mkdirSync(env.DOCKER_CONFIG, { recursive: true });
  const build = spawnSync(process.execPath, ['--import', 'tsx', 'vm/image/build.ts', '--out', imageDir], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 1_200_000,
  });
  assert.equal(build.status, 0, `the image build failed:\n${build.stdout}\n${build.stderr}`);
  manifest = JSON.parse(readFileSync(path.join(imageDir, 'manifest.json'), 'utf8'));
  started = startMachine();
  const tar = await busyboxImageTar(path.join(repoRoot, 'test/fixtures/out'));
  assert.equal(docker(['load', '-i', tar]).code, 0);
});

after(() => {
  berth(['stop'], 120_000);
  rmSync(shared, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
});

test("the host's docker runs a container in the machine: the VM's kernel, not the host's", () => {
  // The guest's stages as the start showed them, in the contract's order, the data disk made anew.
  const stages = [...new Set([...started.stdout.matchAll(/^… (\S+)/gm)].map((m) => m[1]))];
  const order = ['init', 'modules', 'root', 'data-disk', 'network', 'clock', 'share', 'sshd', 'berthd'];
  assert.deepEqual(
    stages,
    order.filter((x) => stages.includes(x)),
    started.stdout,
  );
  assert.ok(stages.includes('berthd') && stages.includes('data-disk'), started.stdout);
  assert.match(started.stdout, /^… data-disk formatting \/dev\/vdb as ext4$/m);
  assert.match(started.stdout, /^✓ ready/m);
  assert.match(started.stdout, /^state:\s+running$/m);
  assert.match(started.stdout, /^provider:\s+qemu \((tcg|kvm)\)$/m);
  assert.match(started.stdout, new RegExp(`docker:\\s+unix://${env.BERTH_HOME}/run/docker.sock`));
  const kernel = ok(['run', '--rm', 'busybox', 'uname', '-r']).trim();
  assert.equal(kernel, manifest.kernelVersion);
  assert.notEqual(kernel, os.release());
});

test("published TCP and UDP ports answer on the host's 127.0.0.1, and close with their container", async () => {
  const tcp = await freePort();
  const udp = await freePort();
  ok([
    'run',
    '-d',
    '--name',
    'web',
    '-p',
    `127.0.0.1:${tcp}:80`,
    'busybox',
    'httpd',
    '-f',
    '-p',
    '80',
    '-h',
    '/etc',
  ]);
  // busybox has no UDP server: the echo is Node's, the guest's own binary and libraries lent read-only.
  writeFileSync(
    path.join(shared, 'echo.mjs'),
    "import dgram from 'node:dgram'; const s = dgram.createSocket('udp4'); s.on('message', (m, r) => s.send(m, r.port, r.address)); s.bind(7);\n",
  );
  ok([
    'run',
    '-d',
    '--name',
    'echo',
    '-p',
    `${udp}:7/udp`,
    '-v',
    '/usr:/usr:ro',
    '-v',
    '/usr/lib:/lib:ro',
    '-v',
    '/usr/lib64:/lib64:ro',
    '-v',
    '/opt/berth/node:/opt/node:ro',
    '-v',
    `${shared}:/s:ro`,
    'busybox',
    '/opt/node/bin/node',
    '/s/echo.mjs',
  ]);
  const get = () =>
    new Promise<number>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: tcp, path: '/hostname', timeout: 3000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.on('timeout', () => req.destroy());
    });
  let status = 0;
  for (let i = 0; i < 60 && status !== 200; i++) {
    status = await get();
    if (status !== 200) await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(status, 200, 'the TCP port answers through the forward');
  const echoed = await new Promise<string>((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setInterval(() => s.send('ping over udp', udp, '127.0.0.1'), 500);
    const done = (text: string) => {
      clearInterval(timer);
      clearTimeout(deadline);
      s.close();
      resolve(text);
    };
    const deadline = setTimeout(() => done(''), 30_000);
    s.once('message', (m) => done(m.toString()));
  });
  assert.equal(echoed, 'ping over udp');
  ok(['rm', '-f', 'web', 'echo']);
  let gone = false;
  for (let i = 0; i < 40 && !gone; i++) {
    gone = (await get()) === 0;
    if (!gone) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(gone, 'the listener closed with the container');
});

test("a bind mount of a directory under the user's home shows and writes the host's files", () => {
  writeFileSync(path.join(shared, 'in.txt'), 'from the host\n');
  const out = ok([
    'run',
    '--rm',
    '-v',
    `${shared}:/data`,
    'busybox',
    'sh',
    '-c',
    'cat /data/in.txt; echo from the guest > /data/out.txt',
  ]);
  assert.equal(out, 'from the host\n');
  assert.equal(readFileSync(path.join(shared, 'out.txt'), 'utf8'), 'from the guest\n');
});

test('a named volume and a grown disk are kept across stop and start; a killed qemu is an error that start recovers', () => {
  ok(['volume', 'create', 'kept']);
  ok(['run', '--rm', '-v', 'kept:/d', 'busybox', 'sh', '-c', 'echo kept > /d/f']);
  assert.equal(berth(['stop'], 180_000).code, 0);
  assert.match(berth(['status']).stdout, /^state:\s+stopped$/m);
  // The data disk of the stopped machine grows; the next boot keeps its filesystem and grows it.
  const grow = berth(['config', 'set', 'disk=64']);
  assert.equal(grow.code, 0, grow.stderr);
  const shrink = berth(['config', 'set', 'disk=20']);
  assert.notEqual(shrink.code, 0);
  const again = startMachine();
  assert.doesNotMatch(again.stdout, /formatting/);
  const size = Number(/mounted at \/var\/lib\/berth \((\d+(?:\.\d+)?)G\)/.exec(again.stdout)?.[1] ?? 0);
  assert.ok(size > 60 && size <= 64, `after growing to 64 GiB: ${again.stdout}`);
  assert.equal(ok(['run', '--rm', '-v', 'kept:/d', 'busybox', 'cat', '/d/f']), 'kept\n');

  const s = JSON.parse(berth(['status', '--json']).stdout) as { pid: number; link?: { state: string } };
  assert.equal(s.link?.state, 'connected', 'the SSH link that carries the socket and the ports');
  process.kill(s.pid, 'SIGKILL');
  let state = '';
  for (let i = 0; i < 50 && state !== 'error'; i++) {
    state = (JSON.parse(berth(['status', '--json']).stdout) as { state: string }).state;
    if (state !== 'error') spawnSync('sleep', ['0.2']);
  }
  assert.equal(state, 'error', 'the machine is in error once qemu is gone');
  // The next boot has the cluster on too (the test after this one uses it).
  const kube = berth(['config', 'set', 'kubernetes=true']);
  assert.equal(kube.code, 0, kube.stderr);
  startMachine();
  assert.equal(ok(['run', '--rm', '-v', 'kept:/d', 'busybox', 'cat', '/d/f']), 'kept\n');
});

const kubectl = (args: string[]) => {
  const r = spawnSync('kubectl', ['--context', 'berth', '--request-timeout=20s', ...args], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};

test("the cluster in the machine: kubectl reaches it through the berth context; reset --cluster wipes its objects and keeps the engine's", () => {
  // A first start with the cluster on: the agent writes the context once the guest's cluster made it.
  let reached = kubectl(['get', 'namespace', 'default', '-o', 'name']);
  for (let i = 0; i < 120 && reached.code !== 0; i++) {
    spawnSync('sleep', ['2']);
    reached = kubectl(['get', 'namespace', 'default', '-o', 'name']);
  }
  assert.equal(reached.code, 0, `kubectl: ${reached.stderr}\n${berth(['logs', '-n', '30']).stdout}`);
  assert.equal(reached.stdout.trim(), 'namespace/default');
  const made = kubectl(['create', 'configmap', 'before-reset', '--from-literal=a=b']);
  assert.equal(made.code, 0, made.stderr);
  ok(['run', '-d', '--name', 'outside', 'busybox', 'sleep', '3600']);

  const r = berth(['reset', '--cluster'], 180_000);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(
    r.stdout,
    /^reset: \d+ entries of \/var\/lib\/berth\/engine\/kubernetes removed, certificates kept$/m,
  );
  assert.match(r.stdout, /Berth's cluster was reset/);

  // The same credentials reach the new cluster (its certificates stayed); the object is gone.
  let gone = kubectl(['get', 'configmap', 'before-reset']);
  for (let i = 0; i < 60 && !/NotFound/.test(gone.stderr); i++) {
    spawnSync('sleep', ['2']);
    gone = kubectl(['get', 'configmap', 'before-reset']);
  }
  assert.match(gone.stderr, /configmaps "before-reset" not found/, gone.stderr);
  assert.equal(ok(['inspect', '-f', '{{.State.Running}}', 'outside']).trim(), 'true', 'containers stay');
  assert.equal(docker(['image', 'inspect', 'busybox']).code, 0, 'images stay');
  ok(['rm', '-f', 'outside']);
});

test('reset wipes the machine (its disk and state), keeping its settings and the image', () => {
  const running = berth(['reset']);
  assert.equal(running.code, 1, 'a running machine is not reset without --force');
  assert.match(running.stderr, /berth reset --force/);
  const r = berth(['reset', '--force'], 180_000);
  assert.equal(r.code, 0, r.stderr);
  const dir = path.join(env.BERTH_HOME, 'machines', 'default');
  assert.equal(existsSync(path.join(dir, 'data.qcow2')), false, 'the data disk is gone');
  assert.match(berth(['config', 'get', 'diskGiB']).stdout, /^64$/m, 'the settings stay');
  assert.ok(existsSync(path.join(imageDir, 'manifest.json')), 'the image stays');
});
