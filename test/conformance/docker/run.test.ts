import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Daemon, leftovers, loadBusybox, startDaemon, stopDaemon } from '../harness.ts';

describe(`docker run (${process.env.BERTH_TARGET ?? 'berthd'})`, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
  });
  after(async () => stopDaemon(d));

  test('runs a command and returns its output and exit code', () => {
    const r = d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  test('exit codes: 127 not found, 126 not executable, 125 daemon error', () => {
    const notFound = d.docker(['run', '--rm', 'busybox', 'nosuchcmd']);
    assert.equal(notFound.code, 127, notFound.stderr);
    assert.match(notFound.stderr, /executable file not found/);
    const notExec = d.docker(['run', '--rm', 'busybox', '/etc/passwd']);
    assert.equal(notExec.code, 126, notExec.stderr);
    const badOpt = d.docker(['run', '--rm', '--stop-signal', 'SIGFOO', 'busybox', 'true']);
    assert.equal(badOpt.code, 125);
  });

  test('stdin is passed with -i and closed at EOF', () => {
    const r = d.docker(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done'], {
      input: 'line1\nline2\n',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'line1\nline2\ndone\n');
  });

  test('-e, --env-file, -w, -u, --hostname, --entrypoint', () => {
    const r = d.docker([
      'run',
      '--rm',
      '-e',
      'FOO=bar',
      '-w',
      '/tmp',
      '-u',
      'app',
      '--hostname',
      'boat',
      'busybox',
      'sh',
      '-c',
      'echo $FOO $(pwd) $(id -u) $(hostname) $HOME',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'bar /tmp 1000 boat /home/app\n');
    const e = d.docker(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'a', 'b']);
    assert.equal(e.stdout, 'a b\n');
    const g = d.docker(['run', '--rm', '-u', '1000:10', 'busybox', 'id']);
    assert.match(g.stdout, /uid=1000\(app\) gid=10\(wheel\)/);
  });

  test('unknown user is a clear error', () => {
    const r = d.docker(['run', '--rm', '-u', 'nobodyhere', 'busybox', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unable to find user nobodyhere/);
  });

  test('default capabilities, --cap-add/--cap-drop and --privileged', () => {
    const caps = d.docker(['run', '--rm', 'busybox', 'grep', 'CapBnd', '/proc/self/status']);
    assert.match(caps.stdout, /CapBnd:\s+00000000a80425fb/);
    const drop = d.docker([
      'run',
      '--rm',
      '--cap-drop',
      'CHOWN',
      'busybox',
      'sh',
      '-c',
      'chown 1 /tmp && echo ok || echo denied',
    ]);
    assert.equal(drop.stdout.trim(), 'denied');
    const add = d.docker([
      'run',
      '--rm',
      '--cap-add',
      'NET_ADMIN',
      'busybox',
      'grep',
      'CapBnd',
      '/proc/self/status',
    ]);
    assert.match(add.stdout, /CapBnd:\s+00000000a80435fb/);
  });

  test('seccomp and masked paths apply by default', () => {
    const r = d.docker([
      'run',
      '--rm',
      'busybox',
      'sh',
      '-c',
      'unshare -U true 2>/dev/null && echo allowed || echo blocked',
    ]);
    assert.equal(r.stdout, 'blocked\n');
    // A masked path that this kernel has reads as empty inside the container.
    const masked = ['/proc/timer_list', '/proc/sched_debug', '/proc/keys'].find(
      (p) => existsSync(p) && readFileSync(p).length > 0,
    );
    if (masked) {
      const m = d.docker(['run', '--rm', 'busybox', 'sh', '-c', `cat ${masked} | wc -c`]);
      assert.equal(m.stdout.trim(), '0');
    }
    const ro = d.docker([
      'run',
      '--rm',
      'busybox',
      'sh',
      '-c',
      'echo x > /proc/sys/kernel/domainname 2>/dev/null && echo rw || echo ro',
    ]);
    assert.equal(ro.stdout, 'ro\n');
  });

  test('--read-only and --tmpfs', () => {
    const ro = d.docker([
      'run',
      '--rm',
      '--read-only',
      '--tmpfs',
      '/scratch',
      'busybox',
      'sh',
      '-c',
      'touch /x 2>/dev/null && echo w || echo ro; touch /scratch/y && echo tmp',
    ]);
    assert.equal(ro.stdout, 'ro\ntmp\n');
  });

  test('--init runs the process under an init', () => {
    const r = d.docker(['run', '--rm', '--init', 'busybox', 'ps', '-o', 'pid,comm']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 (docker-init|tini)/);
  });

  test('-t gives a terminal', () => {
    const r = d.docker(['run', '--rm', '-t', 'busybox', 'sh', '-c', 'tty; echo $TERM']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\/dev\/pts\/\d+\r?\n/);
    assert.match(r.stdout, /xterm/);
  });

  test('-d returns the id; the container runs and rm -f leaves nothing behind', () => {
    const r = d.docker(['run', '-d', '--name', 'sleeper', 'busybox', 'sleep', '300']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(
      d.docker(['inspect', '-f', '{{.State.Status}} {{.State.Running}} {{.Name}}', 'sleeper']).stdout.trim(),
      'running true /sleeper',
    );
    // While it runs, the check sees it (its cgroups in the host's hierarchies, its mount, its monitor):
    // an empty list after rm then means removed, not looked for in the wrong place.
    if (d.kind === 'berthd') {
      const running = leftovers(d, id);
      assert.ok(running.filter((l) => l.startsWith('cgroup ')).length >= 1, running.join('\n'));
      assert.ok(running.includes('mount'), running.join('\n'));
    }
    const rm = d.docker(['rm', '-f', 'sleeper']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(rm.stdout.trim(), 'sleeper');
    if (d.kind === 'berthd') assert.deepEqual(leftovers(d, id), []);
  });

  test('memory, cpu and pids limits reach the cgroup', () => {
    const r = d.docker([
      'run',
      '-d',
      '--name',
      'limited',
      '-m',
      '64m',
      '--cpus',
      '0.5',
      '--pids-limit',
      '50',
      'busybox',
      'sleep',
      '60',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const hc = d.docker([
      'inspect',
      '-f',
      '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}',
      'limited',
    ]);
    assert.equal(hc.stdout.trim(), '67108864 500000000 50');
    const mem = d.docker([
      'exec',
      'limited',
      'sh',
      '-c',
      'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max',
    ]);
    assert.equal(mem.stdout.trim(), '67108864');
    d.docker(['rm', '-f', 'limited']);
  });

  test("a name in use is a conflict with Docker's message", () => {
    d.docker(['create', '--name', 'taken', 'busybox', 'true']);
    const r = d.docker(['create', '--name', 'taken', 'busybox', 'true']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /Conflict\. The container name "\/taken" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\./,
    );
    d.docker(['rm', 'taken']);
  });

  test("bad names and unknown containers get Docker's errors", () => {
    const bad = d.docker(['create', '--name', 'bad/name', 'busybox', 'true']);
    assert.equal(bad.code, 1);
    const badRun = d.docker(['run', '--name', 'bad/name', 'busybox', 'true']);
    assert.equal(badRun.code, 125);
    assert.match(
      bad.stderr,
      /Invalid container name \(bad\/name\), only \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\] are allowed/,
    );
    const missing = d.docker(['inspect', 'nosuchcontainer']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such object: nosuchcontainer|No such container: nosuchcontainer/);
    const stop = d.docker(['stop', 'nosuchcontainer']);
    assert.match(stop.stderr, /No such container: nosuchcontainer/);
  });
});
