import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Daemon, eventually, leftovers, loadBusybox, startDaemon, stopDaemon } from '../harness.ts';

describe(`security options, networking modes, logs rotation, cleanup (${process.env.BERTH_TARGET ?? 'berthd'})`, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
  });
  after(async () => stopDaemon(d));

  test('--privileged gets the capabilities the engine holds, no seccomp, writable /sys', () => {
    const hostBnd = /^CapBnd:\s*(\S+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1];
    const r = d.docker([
      'run',
      '--rm',
      '--privileged',
      'busybox',
      'sh',
      '-c',
      'grep -E "CapBnd|Seccomp:" /proc/self/status; mkdir -p /mnt/t && mount -t tmpfs none /mnt/t && echo mounted',
    ]);
    if (d.kind === 'dockerd' && r.code !== 0) return; // dockerd cannot get every capability in this sandbox
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`CapBnd:\\s+${hostBnd}`));
    assert.match(r.stdout, /Seccomp:\s+0/);
    assert.match(r.stdout, /mounted/);
  });

  test('--security-opt no-new-privileges and seccomp=unconfined', () => {
    const nnp = d.docker([
      'run',
      '--rm',
      '--security-opt',
      'no-new-privileges',
      'busybox',
      'grep',
      'NoNewPrivs',
      '/proc/self/status',
    ]);
    assert.match(nnp.stdout, /NoNewPrivs:\s+1/);
    const plain = d.docker(['run', '--rm', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status']);
    assert.match(plain.stdout, /NoNewPrivs:\s+0/);
    const unconfined = d.docker([
      'run',
      '--rm',
      '--security-opt',
      'seccomp=unconfined',
      'busybox',
      'grep',
      'Seccomp:',
      '/proc/self/status',
    ]);
    assert.match(unconfined.stdout, /Seccomp:\s+0/);
    const bad = d.docker(['run', '--rm', '--security-opt', 'bogus', 'busybox', 'true']);
    assert.equal(bad.code, 125);
  });

  test("--security-opt seccomp=profile.json: the user's profile is the filter, in dockerd's words when it is wrong", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-seccomp-'));
    try {
      // Everything allowed but making directories (EACCES, to tell it from the default profile's EPERM);
      // the comment's '=' and ',' are part of the JSON the CLI sends.
      const file = path.join(dir, 'no-mkdir.json');
      writeFileSync(
        file,
        JSON.stringify({
          defaultAction: 'SCMP_ACT_ALLOW',
          syscalls: [
            { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, comment: 'a=b, c' },
            { name: 'chroot', action: 'SCMP_ACT_ERRNO', includes: { caps: ['CAP_SYS_ADMIN'] } },
          ],
        }),
      );
      const r = d.docker([
        'run',
        '--rm',
        '--security-opt',
        `seccomp=${file}`,
        'busybox',
        'sh',
        '-c',
        'grep Seccomp: /proc/self/status; mkdir /made && echo made; chroot / true && echo chrooted',
      ]);
      assert.match(r.stdout, /Seccomp:\s+2/);
      assert.match(r.stderr, /mkdir: can't create directory '\/made': Permission denied/);
      assert.doesNotMatch(r.stdout, /made/);
      // The chroot rule is only for containers that hold CAP_SYS_ADMIN: this one does not.
      assert.match(r.stdout, /chrooted/);
      const wrong = path.join(dir, 'wrong.json');
      writeFileSync(
        wrong,
        JSON.stringify({
          defaultAction: 'SCMP_ACT_ALLOW',
          syscalls: [{ name: 'a', names: ['b'], action: 'SCMP_ACT_ERRNO' }],
        }),
      );
      const bad = d.docker(['run', '--rm', '--security-opt', `seccomp=${wrong}`, 'busybox', 'true']);
      assert.equal(bad.code, 125, bad.stderr);
      assert.match(
        bad.stderr,
        /'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('/dev/shm size and --stop-signal / --stop-timeout in inspect', () => {
    const shm = d.docker(['run', '--rm', '--shm-size', '8m', 'busybox', 'df', '-k', '/dev/shm']);
    assert.match(shm.stdout, /\s8192\s/);
    d.docker([
      'create',
      '--name',
      'sigs',
      '--stop-signal',
      'SIGUSR1',
      '--stop-timeout',
      '3',
      'busybox',
      'true',
    ]);
    assert.equal(
      d.docker(['inspect', '-f', '{{.Config.StopSignal}} {{.Config.StopTimeout}}', 'sigs']).stdout.trim(),
      'SIGUSR1 3',
    );
    d.docker(['rm', 'sigs']);
  });

  test('network none has loopback only; host shares the host network', () => {
    const none = d.docker(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net']);
    assert.equal(none.stdout.trim(), 'lo');
    // The host's links before and after the container's look: another test's daemon, running beside
    // this one, may add or remove its own while it looks (veths of containers stopped just before may
    // still be on their way out: left out).
    const hostLinks = () =>
      readFileSync('/proc/net/dev', 'utf8')
        .split('\n')
        .slice(2)
        .filter((l) => l.includes(':'))
        .map((l) => l.split(':')[0].trim())
        .filter((n) => !n.startsWith('ve'));
    const before = hostLinks();
    const host = d.docker(['run', '--rm', '--network', 'host', 'busybox', 'sh', '-c', 'ls /sys/class/net']);
    const after = hostLinks();
    const seen = host.stdout.split(/\s+/).filter((n) => n && !n.startsWith('ve'));
    assert.ok(seen.includes('lo') && seen.length >= 2, host.stdout + host.stderr);
    for (const n of before.filter((x) => after.includes(x)))
      assert.ok(seen.includes(n), `the host's ${n} is seen with --network host`);
    for (const n of seen) assert.ok(before.includes(n) || after.includes(n), `${n} is a host link`);
  });

  test("hosts, hostname and resolv.conf files are the container's own", () => {
    const r = d.docker([
      'run',
      '--rm',
      '--hostname',
      'skiff',
      '--add-host',
      'db.local:10.1.2.3',
      '--dns',
      '10.9.9.9',
      'busybox',
      'sh',
      '-c',
      'cat /etc/hostname; grep db.local /etc/hosts; grep nameserver /etc/resolv.conf',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^skiff\n/);
    assert.match(r.stdout, /10\.1\.2\.3\s+db\.local/);
    assert.match(r.stdout, /nameserver 10\.9\.9\.9/);
  });

  test('a process that cannot start leaves no mounts, cgroups or monitors behind', () => {
    const r = d.docker(['run', '--name', 'nostart', 'busybox', '/nonexistent']);
    assert.equal(r.code, 127);
    const id = d.docker(['inspect', '-f', '{{.Id}}', 'nostart']).stdout.trim();
    assert.equal(
      d.docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'nostart']).stdout.trim(),
      'created 127',
    );
    if (d.kind === 'berthd')
      assert.deepEqual(
        leftovers(d, id).filter((l) => !l.startsWith('files')),
        [],
      );
    d.docker(['rm', 'nostart']);
    if (d.kind === 'berthd') assert.deepEqual(leftovers(d, id), []);
  });

  test('rm -f of a paused container with an exec running leaves nothing behind', async () => {
    const id = d.docker(['run', '-d', 'busybox', 'sleep', '300']).stdout.trim();
    const exec = d.dockerAsync(['exec', id, 'sleep', '300']);
    await new Promise((r) => setTimeout(r, 300));
    d.docker(['pause', id]);
    assert.equal(d.docker(['rm', '-f', id]).code, 0);
    await exec.done;
    if (d.kind === 'berthd') assert.deepEqual(leftovers(d, id), []);
  });

  test('log rotation with --log-opt max-size and max-file', async () => {
    const r = d.docker([
      'run',
      '-d',
      '--name',
      'chatty',
      '--log-opt',
      'max-size=2k',
      '--log-opt',
      'max-file=2',
      'busybox',
      'sh',
      '-c',
      'i=0; while [ $i -lt 400 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxx; i=$((i+1)); sleep 0.005; done; sleep 2',
    ]);
    assert.equal(r.code, 0, r.stderr);
    await eventually(
      () => d.docker(['inspect', '-f', '{{.State.Status}}', 'chatty']).stdout.trim() === 'exited',
      30_000,
      'chatty exits',
    );
    const logs = d.docker(['logs', 'chatty']).stdout.split('\n').filter(Boolean);
    assert.ok(logs.length > 0 && logs.length < 400, `kept ${logs.length} of 400 lines`);
    assert.equal(logs[logs.length - 1], 'line-399-xxxxxxxxxxxxxxxxxxxx');
    const bad = d.docker(['run', '--rm', '--log-opt', 'max-size=lots', 'busybox', 'true']);
    assert.notEqual(bad.code, 0);
    d.docker(['rm', 'chatty']);
  });
});
