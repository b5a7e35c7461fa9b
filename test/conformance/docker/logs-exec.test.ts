import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../harness.ts';

describe(`logs, exec, attach, cp (${process.env.BERTH_TARGET ?? 'berthd'})`, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
  });
  after(async () => stopDaemon(d));

  test('logs keep stdout and stderr apart; --tail, -t, --since, --until', () => {
    d.docker([
      'run',
      '--name',
      'lg',
      'busybox',
      'sh',
      '-c',
      'for i in 1 2 3; do echo out$i; echo err$i >&2; done',
    ]);
    const r = d.docker(['logs', 'lg']);
    assert.equal(r.stdout, 'out1\nout2\nout3\n');
    assert.equal(r.stderr, 'err1\nerr2\nerr3\n');
    const tail = d.docker(['logs', '--tail', '1', 'lg']);
    assert.equal(
      tail.stdout.split('\n').filter(Boolean).length + tail.stderr.split('\n').filter(Boolean).length,
      1,
    );
    const ts = d.docker(['logs', '-t', 'lg']).stdout.split('\n')[0];
    assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z out1$/);
    assert.equal(d.docker(['logs', '--since', '1h', 'lg']).stdout, 'out1\nout2\nout3\n');
    assert.equal(d.docker(['logs', '--until', '2000-01-01T00:00:00Z', 'lg']).stdout, '');
    d.docker(['rm', 'lg']);
  });

  test('logs of a long log come whole: 300,000 lines, and --tail of them', () => {
    const run = d.docker(['run', '--name', 'longlog', 'busybox', 'seq', '1', '300000']);
    assert.equal(run.code, 0, run.stderr);
    const all = d.docker(['logs', 'longlog'], { timeoutMs: 120_000 });
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 300_000);
    assert.equal(lines[0], '1');
    assert.equal(lines.at(-1), '300000');
    assert.equal(d.docker(['logs', '--tail', '2', 'longlog']).stdout, '299999\n300000\n');
    d.docker(['rm', 'longlog']);
  });

  test('logs of a tty container come as one stream', () => {
    d.docker(['run', '-t', '--name', 'lgt', 'busybox', 'sh', '-c', 'echo a; echo b >&2']);
    const r = d.docker(['logs', 'lgt']);
    assert.equal(r.stdout.replace(/\r/g, ''), 'a\nb\n');
    assert.equal(r.stderr, '');
    d.docker(['rm', 'lgt']);
  });

  test('logs -f follows new lines and ends when the container stops', async () => {
    d.docker([
      'run',
      '-d',
      '--name',
      'lf',
      'busybox',
      'sh',
      '-c',
      'echo first; sleep 1; echo second; sleep 1; echo third',
    ]);
    const f = d.dockerAsync(['logs', '-f', 'lf']);
    const r = await f.done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'first\nsecond\nthird\n');
    d.docker(['rm', '-f', 'lf']);
  });

  test('exec with exit code, -e, -u, -w, -d, -i', async () => {
    d.docker(['run', '-d', '--name', 'ex', 'busybox', 'sleep', '300']);
    const r = d.docker([
      'exec',
      '-e',
      'X=1',
      '-u',
      'app',
      '-w',
      '/tmp',
      'ex',
      'sh',
      '-c',
      'echo $X $(id -u) $(pwd); exit 4',
    ]);
    assert.equal(r.code, 4);
    assert.equal(r.stdout, '1 1000 /tmp\n');
    const i = d.docker(['exec', '-i', 'ex', 'sh', '-c', 'cat | wc -l'], { input: 'a\nb\nc\n' });
    assert.equal(i.stdout.trim(), '3');
    const det = d.docker(['exec', '-d', 'ex', 'sh', '-c', 'echo bg > /tmp/bg']);
    assert.equal(det.code, 0, det.stderr);
    await eventually(
      () => d.docker(['exec', 'ex', 'cat', '/tmp/bg']).stdout === 'bg\n',
      5000,
      'detached exec',
    );
    const nf = d.docker(['exec', 'ex', 'nosuchcmd']);
    // Docker 23+ answers 127 as for `docker run`; dockerd 20.10 answered 126.
    assert.ok(nf.code === 127 || (d.kind === 'dockerd' && nf.code === 126), `exit ${nf.code}`);
    assert.match(nf.stdout + nf.stderr, /executable file not found/);
    const t = d.docker(['exec', '-t', 'ex', 'tty']);
    assert.match(t.stdout, /\/dev\/pts\/\d+/);
    const stopped = d.docker(['run', '--name', 'exstop', 'busybox', 'true']);
    assert.equal(stopped.code, 0);
    const notRunning = d.docker(['exec', 'exstop', 'true']);
    assert.notEqual(notRunning.code, 0);
    assert.match(notRunning.stderr, /is not running/);
    d.docker(['rm', '-f', 'ex', 'exstop']);
  });

  test('start -a -i attaches to a created container', () => {
    d.docker(['create', '-i', '--name', 'att', 'busybox', 'sh', '-c', 'read x; echo got $x']);
    const r = d.docker(['start', '-a', '-i', 'att'], { input: 'hello\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'got hello\n');
    d.docker(['rm', 'att']);
  });

  test('docker attach to a running container carries stdin and output; the exit code comes back', async () => {
    d.docker([
      'run',
      '-d',
      '-i',
      '--name',
      'attrun',
      'busybox',
      'sh',
      '-c',
      'read l; echo "got $l"; sleep 1; exit 3',
    ]);
    const a = d.dockerAsync(['attach', 'attrun']);
    let out = '';
    a.child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
    });
    await new Promise((r) => setTimeout(r, 500));
    a.child.stdin?.write('one\n');
    await eventually(() => out.includes('got one'), 10_000, 'attach output');
    const r = await a.done;
    assert.equal(r.code, 3);
    d.docker(['rm', '-f', 'attrun']);
  });

  test('cp both ways', () => {
    d.docker(['run', '-d', '--name', 'cpc', 'busybox', 'sleep', '300']);
    const tmp = `${d.root}/cp`;
    d.docker(['exec', 'cpc', 'sh', '-c', 'mkdir -p /data/sub && echo inside > /data/sub/f']);
    const out = d.docker(['cp', 'cpc:/data', tmp]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(readFileSync(`${tmp}/sub/f`, 'utf8'), 'inside\n');
    writeFileSync(`${tmp}/host.txt`, 'from host\n');
    const inn = d.docker(['cp', `${tmp}/host.txt`, 'cpc:/tmp/']);
    assert.equal(inn.code, 0, inn.stderr);
    assert.equal(d.docker(['exec', 'cpc', 'cat', '/tmp/host.txt']).stdout, 'from host\n');
    const missing = d.docker(['cp', 'cpc:/nope', tmp]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /Could not find the file \/nope in container cpc/);
    d.docker(['rm', '-f', 'cpc']);
  });

  test('cp sees what the container sees: its /etc files and its volumes', () => {
    d.docker([
      'run',
      '-d',
      '--name',
      'cpv',
      '--hostname',
      'cp-host',
      '-v',
      'cpvol:/vol',
      'busybox',
      'sleep',
      '300',
    ]);
    const host = d.docker(['cp', 'cpv:/etc/hostname', '-']);
    assert.equal(host.code, 0, host.stderr);
    assert.match(host.stdout, /cp-host\n/);
    const tmp = `${d.root}/cpv.txt`;
    writeFileSync(tmp, 'into the volume\n');
    const inn = d.docker(['cp', tmp, 'cpv:/vol/']);
    assert.equal(inn.code, 0, inn.stderr);
    assert.equal(d.docker(['exec', 'cpv', 'cat', '/vol/cpv.txt']).stdout, 'into the volume\n');
    d.docker(['rm', '-f', 'cpv']);
    // The file went into the volume, not the container's own filesystem: a new container sees it.
    assert.equal(
      d.docker(['run', '--rm', '-v', 'cpvol:/vol', 'busybox', 'cat', '/vol/cpv.txt']).stdout,
      'into the volume\n',
    );
    d.docker(['volume', 'rm', 'cpvol']);
  });
});
