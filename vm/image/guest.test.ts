// The guest's own scripts, run here with the same programs the guest has (node, sh): the configuration
// the host passes becomes shell variables that a shell reads back unchanged, or a refusal naming the
// field; the init scripts are valid sh.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const init = path.join(import.meta.dirname, 'guest/rootfs/opt/berth/init');
const configEnv = path.join(init, 'config-env.mjs');

async function withConfig(config: unknown, fn: (file: string) => void) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-guest-'));
  try {
    const file = path.join(dir, 'guest-config.json');
    await fs.writeFile(file, typeof config === 'string' ? config : JSON.stringify(config));
    fn(file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Runs config-env.mjs on the file, then sources its output in sh and prints the variables back. */
function roundTrip(file: string) {
  const env = spawnSync(process.execPath, [configEnv, file], { encoding: 'utf8' });
  if (env.status !== 0) return { ok: false as const, error: env.stderr.trim() };
  const vars = [
    'BERTH_HOSTNAME',
    'BERTH_SSH_KEY',
    'BERTH_TIME_S',
    'BERTH_SHARE_TYPE',
    'BERTH_SHARE_TAG',
    'BERTH_SHARE_PATH',
    'BERTH_KUBERNETES',
    'BERTH_DOCKER_TCP_PORT',
  ];
  const sh = spawnSync(
    'sh',
    ['-c', `${env.stdout}\nfor v in ${vars.join(' ')}; do eval "printf '%s=%s\\0' \\$v \\"\\$$v\\""; done`],
    {
      encoding: 'utf8',
      env: {},
    },
  );
  assert.equal(sh.status, 0, sh.stderr);
  const out = Object.fromEntries(
    sh.stdout
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  return { ok: true as const, vars: out };
}

test('the machine configuration becomes shell variables that read back exactly', async () => {
  await withConfig(
    {
      hostname: 'berth',
      sshAuthorizedKey: "ssh-ed25519 AAAAC3Nza berth-host it's $HOME `id`",
      timeMs: 1764750000999,
      share: { tag: 'home', path: "/home/al ice/it's $x", type: '9p' },
      kubernetes: true,
      dockerTcpPort: 2376,
    },
    (file) => {
      const r = roundTrip(file);
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.deepEqual(r.vars, {
        BERTH_HOSTNAME: 'berth',
        BERTH_SSH_KEY: "ssh-ed25519 AAAAC3Nza berth-host it's $HOME `id`",
        BERTH_TIME_S: '1764750000',
        BERTH_SHARE_TYPE: '9p',
        BERTH_SHARE_TAG: 'home',
        BERTH_SHARE_PATH: "/home/al ice/it's $x",
        BERTH_KUBERNETES: 'true',
        BERTH_DOCKER_TCP_PORT: '2376',
      });
    },
  );
});

test('defaults: no share, no Kubernetes, the Docker API on 2375', async () => {
  await withConfig({ sshAuthorizedKey: 'ssh-ed25519 AAAA k', share: null }, (file) => {
    const r = roundTrip(file);
    assert.ok(r.ok);
    assert.equal(r.vars.BERTH_HOSTNAME, 'berth');
    assert.equal(r.vars.BERTH_SHARE_PATH, '');
    assert.equal(r.vars.BERTH_KUBERNETES, 'false');
    assert.equal(r.vars.BERTH_DOCKER_TCP_PORT, '2375');
  });
});

test('a configuration that does not make sense is refused with the field it is about', async () => {
  const cases: Array<[unknown, RegExp]> = [
    ['{not json', /JSON/],
    [[1, 2], /not a JSON object/],
    [{ hostname: 'a;reboot' }, /hostname/],
    [{ sshAuthorizedKey: 'ssh-ed25519 A\nssh-rsa B' }, /sshAuthorizedKey: not one line/],
    [{ share: { tag: 'home', path: 'relative', type: '9p' } }, /share.path/],
    [{ share: { tag: 'home', path: '/a/../etc', type: '9p' } }, /share.path/],
    [{ share: { tag: 'h o m e', path: '/home', type: '9p' } }, /share.tag/],
    [{ share: { tag: 'home', path: '/home', type: 'nfs' } }, /share.type/],
    [{ dockerTcpPort: 70000 }, /dockerTcpPort/],
    [{ timeMs: 'now' }, /timeMs/],
  ];
  for (const [config, why] of cases) {
    await withConfig(config, (file) => {
      const r = roundTrip(file);
      assert.ok(!r.ok, `${JSON.stringify(config)} was accepted`);
      assert.match(r.error, why);
    });
  }
});

test('the init scripts are valid sh', async () => {
  const scripts = [
    path.join(import.meta.dirname, 'guest/initramfs/init'),
    ...['boot.sh', 'berthd.sh', 'ready.sh', 'shutdown.sh', 'reset-cluster.sh', 'lib.sh'].map((f) =>
      path.join(init, f),
    ),
    path.join(import.meta.dirname, 'guest/rootfs/etc/acpi/PWRF/00000080'),
  ];
  for (const s of scripts) {
    for (const shell of ['sh', 'busybox']) {
      const r = spawnSync(shell, shell === 'busybox' ? ['sh', '-n', s] : ['-n', s], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${shell} -n ${s}: ${r.stderr}`);
    }
    if (!s.endsWith('lib.sh')) assert.ok(((await fs.stat(s)).mode & 0o111) !== 0, `${s} is executable`);
  }
});

test('a cluster reset stops berthd, wipes the cluster state but its certificates, and lets berthd start again', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-reset-'));
  const run = path.join(dir, 'run');
  const kube = path.join(dir, 'kubernetes');
  await fs.mkdir(run);
  // A stand-in berthd that stops on SIGTERM, its pid where berthd writes its own; its parent reaps it,
  // as the guest's init does (this process is blocked in spawnSync meanwhile).
  const berthd = spawn('sh', ['-c', `sleep 60 & p=$!; echo $p > ${run}/berthd.pid; wait $p; echo "$?"`], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const pidFile = path.join(run, 'berthd.pid');
    for (let i = 0; i < 100 && !(await fs.readFile(pidFile, 'utf8').catch(() => '')).endsWith('\n'); i++)
      await new Promise((r) => setTimeout(r, 50));
    await fs.mkdir(path.join(kube, 'pods', 'uid-1'), { recursive: true });
    for (const f of ['state.db', 'state.db-wal', '.leases', 'ca.crt', 'ca.key', 'sa.pem', 'admin.kubeconfig'])
      await fs.writeFile(path.join(kube, f), f);
    let status = '';
    berthd.stdout.on('data', (d) => {
      status += d;
    });
    const exited = new Promise((r) => berthd.once('exit', () => r(status.trim())));
    const r = spawnSync('busybox', ['sh', path.join(init, 'reset-cluster.sh')], {
      encoding: 'utf8',
      env: { ...process.env, BERTH_RUN_DIR: run, BERTH_KUBE_DIR: kube },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(await exited, '143', 'berthd was stopped by SIGTERM');
    assert.deepEqual((await fs.readdir(kube)).sort(), ['admin.kubeconfig', 'ca.crt', 'ca.key', 'sa.pem']);
    assert.match(r.stdout, /reset: 4 entries of .* removed, certificates kept/);
    assert.deepEqual(await fs.readdir(run), ['berthd.pid'], 'the hold is lifted: berthd may start again');

    // Nothing to stop and nothing there: still a reset, of nothing.
    await fs.rm(kube, { recursive: true });
    const again = spawnSync('busybox', ['sh', path.join(init, 'reset-cluster.sh')], {
      encoding: 'utf8',
      env: { ...process.env, BERTH_RUN_DIR: run, BERTH_KUBE_DIR: kube },
    });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /reset: 0 entries/);
  } finally {
    const sleeper = Number(await fs.readFile(path.join(run, 'berthd.pid'), 'utf8').catch(() => '0'));
    if (sleeper > 0) spawnSync('kill', ['-KILL', String(sleeper)]);
    berthd.kill('SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  }
});
