// The `berth` command with the native provider (berthd on this host, as root): start launches the
// agent in the background, which starts berthd and writes the `berth` docker context; the real docker
// CLI runs a container through it; status, config, stop and reset do what they say.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cleanupNetwork, repoRoot } from '../../conformance/harness.ts';
import { busyboxImageTar } from '../../fixtures/images.ts';

const root = mkdtempSync('/tmp/bn-');
const nativeRoot = path.join(root, 'n');
const env = {
  ...process.env,
  BERTH_HOME: path.join(root, 'home'),
  DOCKER_CONFIG: path.join(root, 'docker'),
  KUBECONFIG: path.join(root, 'kubeconfig'),
  BERTH_NATIVE_ROOT: nativeRoot,
};
const socket = path.join(nativeRoot, 'run', 'docker.sock');

const berth = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'vm/cli/berth.mjs'), ...args], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const docker = (...args: string[]) =>
  spawnSync('docker', ['--context', 'berth', ...args], { env, encoding: 'utf8', timeout: 60_000 });

before(() => mkdirSync(env.DOCKER_CONFIG, { recursive: true }));
after(() => {
  berth('stop');
  cleanupNetwork(path.join(nativeRoot, 'run'), path.join(nativeRoot, 'data'));
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p) => p?.startsWith(`${root}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  rmSync(root, { recursive: true, force: true });
});

test('berth start --provider native: the agent starts berthd and the berth context reaches it', async () => {
  const r = berth('start', '--provider', 'native');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, new RegExp(`✓ docker: unix://${socket}`));
  assert.match(r.stdout, /^state:\s+running$/m);
  assert.match(r.stdout, /^provider:\s+native$/m);

  const version = docker('version', '-f', '{{.Server.Os}}');
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout.trim(), 'linux');
  const tar = await busyboxImageTar(path.join(repoRoot, 'test/fixtures/out'));
  assert.equal(docker('load', '-i', tar).status, 0);
  const run = docker('run', '--rm', 'busybox', 'echo', 'through the berth context');
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, 'through the berth context\n');
});

test('status says the same in JSON; a second start is a no-op; another provider is refused while it runs', () => {
  const s = berth('status', '--json');
  assert.equal(s.code, 0, s.stderr);
  const status = JSON.parse(s.stdout) as { state: string; provider: string; docker: string; accel: string };
  assert.deepEqual(
    { state: status.state, provider: status.provider, docker: status.docker, accel: status.accel },
    { state: 'running', provider: 'native', docker: `unix://${socket}`, accel: 'native' },
  );
  const again = berth('start');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^state:\s+running$/m);
  const other = berth('start', '--provider', 'qemu');
  assert.equal(other.code, 1);
  assert.match(other.stderr, /the machine runs under the native provider; stop it first to use qemu/);
  const bad = berth('start', '--cpus', 'many');
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /^berth: invalid argument "many" for "--cpus"/);
});

test('stop ends the agent and berthd; status then says stopped; reset wipes the engine data', () => {
  const r = berth('stop');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'stopped');
  assert.equal(existsSync(path.join(env.BERTH_HOME, 'run', 'agent.sock')), false, 'the agent is gone');
  assert.notEqual(docker('version').status, 0, 'berthd no longer answers');
  assert.match(berth('status').stdout, /^state:\s+stopped$/m);
  assert.equal(berth('stop').stdout.trim(), 'the machine is not running');

  assert.ok(existsSync(path.join(nativeRoot, 'data')));
  const reset = berth('reset');
  assert.equal(reset.code, 0, reset.stderr);
  assert.equal(existsSync(path.join(nativeRoot, 'data')), false, 'the engine data went');
});
