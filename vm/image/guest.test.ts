// The guest's own scripts, run here with the same shells the guest has (sh, busybox): the init scripts
// are valid sh, and a cluster reset does what it says. (The configuration's shell variables: vm/machine/
// guest-env.test.ts.)
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const init = path.join(import.meta.dirname, 'guest/rootfs/opt/berth/init');

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

test("ready.sh says ready once berthd's ready file is there, or why not when it never comes", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-ready-'));
  try {
    const run = path.join(dir, 'run');
    const kmsg = path.join(dir, 'kmsg');
    const log = path.join(dir, 'berthd.log');
    await fs.mkdir(run);
    await fs.writeFile(log, 'starting\nberthd: cannot open the store\n');
    const env = { ...process.env, BERTH_RUN_DIR: run, BERTH_KMSG: kmsg, BERTH_LOG_FILE: log };
    const script = path.join(init, 'ready.sh');
    const waiting = spawn('busybox', ['sh', script], { env, stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => waiting.once('exit', r));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await fs.readFile(kmsg, 'utf8').catch(() => ''), '', 'nothing said before berthd is ready');
    await fs.writeFile(path.join(run, 'berthd.ready'), `unix://${run}/docker.sock\n`);
    assert.equal(await exited, 0);
    assert.match(
      await fs.readFile(kmsg, 'utf8'),
      new RegExp(
        `^berth: ready berthd answers at 127\\.0\\.0\\.1:2375 and ${run}/docker\\.sock \\([\\d.]+ s since boot\\)\\n$`,
      ),
    );

    await fs.rm(path.join(run, 'berthd.ready'));
    await fs.rm(kmsg);
    const never = spawnSync('busybox', ['sh', script], {
      env: { ...env, BERTH_READY_TIMEOUT_S: '1' },
      encoding: 'utf8',
    });
    assert.equal(never.status, 1);
    assert.equal(
      await fs.readFile(kmsg, 'utf8'),
      `berth: error berthd no answer at 127.0.0.1:2375 and ${run}/docker.sock after 1 s: berthd: cannot open the store\n`,
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
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
