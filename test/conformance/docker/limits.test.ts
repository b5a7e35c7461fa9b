import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon, target } from '../harness.ts';

const MiB = 1024 * 1024;
const cpus = os.availableParallelism();
const lastCpu = String(cpus - 1);

/** The CPUs containers may use, as dockerd reports them in its cpuset errors. */
function availableCpus(): string {
  for (const f of ['/sys/fs/cgroup/cpuset/cpuset.effective_cpus', '/sys/fs/cgroup/cpuset.cpus.effective']) {
    if (existsSync(f)) return readFileSync(f, 'utf8').trim();
  }
  return readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
}

/** The whole disk holding `dir`, as /dev/NAME and major:minor (block I/O limits take disks). */
function diskOf(dir: string): { dev: string; majMin: string } {
  const st = statSync(dir);
  const majMin = `${Math.floor(st.dev / 256) & 0xfff}:${(st.dev & 0xff) | ((st.dev >> 12) & ~0xff)}`;
  let sys = realpathSync(`/sys/dev/block/${majMin}`);
  if (existsSync(path.join(sys, 'partition'))) sys = path.dirname(sys);
  const name = /DEVNAME=(\S+)/.exec(readFileSync(path.join(sys, 'uevent'), 'utf8'))?.[1];
  return { dev: `/dev/${name}`, majMin: readFileSync(path.join(sys, 'dev'), 'utf8').trim() };
}

function apiGet(d: Daemon, p: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: d.socket, path: p }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
}

describe(`resource limits, OOM and stats (${target})`, () => {
  let d: Daemon;
  let v2 = false;
  const t0 = Math.floor(Date.now() / 1000) - 1;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
    v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  });
  after(async () => stopDaemon(d));

  const run = (args: string[]) => {
    const r = d.docker(['run', '-d', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  /** Files of the container's own cgroup, read from inside it, one value per line. */
  const cgroup = (name: string, files: string[]) => {
    const r = d.docker(['exec', '-w', '/sys/fs/cgroup', name, 'cat', ...files]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim().split('\n');
  };
  const inContainer = (name: string, script: string) => {
    const r = d.docker(['exec', name, 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  test('memory, CPU and pids limits land in the cgroup files', () => {
    run([
      '--name',
      'limited',
      '-m',
      '64m',
      '--memory-reservation',
      '32m',
      '--cpus',
      '0.5',
      '--cpu-shares',
      '512',
      '--cpuset-cpus',
      lastCpu,
      '--pids-limit',
      '50',
      'busybox',
      'sleep',
      '300',
    ]);
    if (v2) {
      assert.deepEqual(
        cgroup('limited', [
          'memory.max',
          'memory.swap.max',
          'memory.low',
          'cpu.max',
          'cpuset.cpus',
          'pids.max',
        ]),
        [String(64 * MiB), String(64 * MiB), String(32 * MiB), '50000 100000', lastCpu, '50'],
      );
    } else {
      assert.deepEqual(
        cgroup('limited', [
          'memory/memory.limit_in_bytes',
          'memory/memory.memsw.limit_in_bytes',
          'memory/memory.soft_limit_in_bytes',
          'cpu/cpu.cfs_quota_us',
          'cpu/cpu.cfs_period_us',
          'cpu/cpu.shares',
          'cpuset/cpuset.cpus',
          'pids/pids.max',
        ]),
        [String(64 * MiB), String(128 * MiB), String(32 * MiB), '50000', '100000', '512', lastCpu, '50'],
      );
    }
    // Without --memory-swap the container may swap as much again as its memory, as dockerd records it.
    const hc = d.docker([
      'inspect',
      '-f',
      '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.PidsLimit}}',
      'limited',
    ]);
    assert.equal(hc.stdout.trim(), `${64 * MiB} ${128 * MiB} ${32 * MiB} 500000000 512 ${lastCpu} 50`);
    // The pids limit holds: 50 processes at most.
    const forks = d.docker(['exec', 'limited', 'sh', '-c', 'for i in $(seq 60); do sleep 5 & done; wait']);
    assert.match(forks.stderr, /can't fork|Resource temporarily unavailable/);
    d.docker(['rm', '-f', 'limited']);
  });

  test('--oom-kill-disable on cgroup v1, with dockerd warning without a memory limit', {
    skip: existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'cgroup v2 cannot disable the OOM killer' : false,
  }, () => {
    run(['--name', 'nokill', '-m', '32m', '--oom-kill-disable', 'busybox', 'sleep', '300']);
    assert.match(cgroup('nokill', ['memory/memory.oom_control'])[0], /^oom_kill_disable 1$/);
    d.docker(['rm', '-f', 'nokill']);
    const r = d.docker(['run', '--rm', '--oom-kill-disable', 'busybox', 'true']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /WARNING: OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources\./,
    );
  });

  test("ulimits: as given, and none by default (the engine's own)", () => {
    const r = d.docker([
      'run',
      '--rm',
      '--ulimit',
      'nofile=1024:2048',
      '--ulimit',
      'nproc=500:1000',
      'busybox',
      'sh',
      '-c',
      'ulimit -n; ulimit -Hn; ulimit -u',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '1024\n2048\n500\n');
    const def = d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'ulimit -Hn']);
    assert.match(def.stdout, /^\d+\n$/);
    if (d.kind === 'berthd') {
      const limits = readFileSync(`/proc/${d.pid()}/limits`, 'utf8');
      const hard = /Max open files\s+\d+\s+(\d+)/.exec(limits)?.[1];
      assert.equal(def.stdout.trim(), hard);
    }
  });

  test('--device: the node in /dev and the device cgroup rule, with its permissions', () => {
    run([
      '--name',
      'devs',
      '--device',
      '/dev/null:/dev/mynull',
      '--device',
      '/dev/fuse:/dev/fuse:r',
      'busybox',
      'sleep',
      '300',
    ]);
    assert.match(inContainer('devs', 'ls -l /dev/mynull'), /^crw-rw-rw- .* 1, +3 .*\/dev\/mynull\n$/);
    assert.match(inContainer('devs', 'ls -l /dev/fuse'), /^c.* 10, +229 .*\/dev\/fuse\n$/);
    assert.equal(inContainer('devs', 'echo hi > /dev/mynull && echo written'), 'written\n');
    if (!v2) {
      const rules = cgroup('devs', ['devices/devices.list']);
      assert.ok(rules.includes('c 1:3 rwm'), rules.join('\n'));
      assert.ok(rules.includes('c 10:229 r'), rules.join('\n'));
    }
    // Without --device the node is not there.
    const plain = d.docker(['run', '--rm', 'busybox', 'ls', '/dev/fuse']);
    assert.notEqual(plain.code, 0);
    d.docker(['rm', '-f', 'devs']);

    const missing = d.docker(['run', '--name', 'nodev', '--device', '/dev/nonexist', 'busybox', 'true']);
    assert.notEqual(missing.code, 0);
    assert.match(
      missing.stderr,
      /error gathering device information while adding custom device "\/dev\/nonexist": no such file or directory/,
    );
    assert.equal(d.docker(['inspect', '-f', '{{.State.Status}}', 'nodev']).stdout.trim(), 'created');
    d.docker(['rm', '-f', 'nodev']);
  });

  test('--shm-size sizes /dev/shm', () => {
    const r = d.docker([
      'run',
      '--rm',
      '--shm-size',
      '32m',
      'busybox',
      'sh',
      '-c',
      'df -k /dev/shm | tail -1',
    ]);
    assert.match(r.stdout, /^shm\s+32768\s/);
    const def = d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'df -k /dev/shm | tail -1']);
    assert.match(def.stdout, /^shm\s+65536\s/);
  });

  test("bad limits get dockerd's errors", () => {
    const cases: Array<[string[], RegExp]> = [
      [['-m', '4m'], /Minimum memory limit allowed is 6MB/],
      [
        ['--memory-swap', '20m'],
        /You should always set the Memory limit when using Memoryswap limit, see usage/,
      ],
      [
        ['-m', '20m', '--memory-swap', '10m'],
        /Minimum memoryswap limit should be larger than memory limit, see usage/,
      ],
      [['--memory-reservation', '2m'], /Minimum memory reservation allowed is 6MB/],
      [
        ['-m', '10m', '--memory-reservation', '20m'],
        /Minimum memory limit can not be less than memory reservation limit, see usage/,
      ],
      [
        ['--cpus', String(cpus + 1)],
        new RegExp(`Range of CPUs is from 0\\.01 to ${cpus}\\.00, as there are only ${cpus} CPUs available`),
      ],
      [
        ['--cpuset-cpus', String(cpus + 3)],
        new RegExp(`Requested CPUs are not available - requested ${cpus + 3}, available: ${availableCpus()}`),
      ],
      [['--cpuset-cpus', '0-a'], /Invalid value 0-a for cpuset cpus: invalid format: 0-a/],
    ];
    for (const [args, msg] of cases) {
      const r = d.docker(['run', '--rm', ...args, 'busybox', 'true']);
      assert.equal(r.code, 125, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg, args.join(' '));
    }
  });

  test('docker update changes the limits of a running container', () => {
    const id = run(['--name', 'upd', 'busybox', 'sleep', '300']);
    const lone = d.docker(['update', '-m', '64m', 'upd']);
    assert.notEqual(lone.code, 0);
    assert.match(
      lone.stderr,
      new RegExp(
        `Cannot update container ${id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time`,
      ),
    );
    const u = d.docker([
      'update',
      '-m',
      '64m',
      '--memory-swap',
      '128m',
      '--memory-reservation',
      '32m',
      '--cpuset-cpus',
      lastCpu,
      '--pids-limit',
      '30',
      '--cpus',
      '0.5',
      '--cpu-shares',
      '100',
      'upd',
    ]);
    assert.equal(u.code, 0, u.stderr);
    if (v2) {
      assert.deepEqual(
        cgroup('upd', ['memory.max', 'memory.swap.max', 'memory.low', 'cpuset.cpus', 'pids.max', 'cpu.max']),
        [String(64 * MiB), String(64 * MiB), String(32 * MiB), lastCpu, '30', '50000 100000'],
      );
    } else {
      assert.deepEqual(
        cgroup('upd', [
          'memory/memory.limit_in_bytes',
          'memory/memory.memsw.limit_in_bytes',
          'memory/memory.soft_limit_in_bytes',
          'cpuset/cpuset.cpus',
          'pids/pids.max',
          'cpu/cpu.cfs_quota_us',
          'cpu/cpu.shares',
        ]),
        [String(64 * MiB), String(128 * MiB), String(32 * MiB), lastCpu, '30', '50000', '100'],
      );
    }
    // A later update of one setting leaves the others alone.
    assert.equal(d.docker(['update', '--pids-limit', '40', 'upd']).code, 0);
    assert.equal(
      d
        .docker([
          'inspect',
          '-f',
          '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}} {{.HostConfig.CpusetCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}',
          'upd',
        ])
        .stdout.trim(),
      `${64 * MiB} ${128 * MiB} ${32 * MiB} ${lastCpu} 40 500000000`,
    );
    assert.equal(cgroup('upd', [v2 ? 'pids.max' : 'pids/pids.max'])[0], '40');
    const bad = d.docker(['update', '--cpuset-cpus', String(cpus + 5), 'upd']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, new RegExp(`Requested CPUs are not available - requested ${cpus + 5}`));
    d.docker(['rm', '-f', 'upd']);
  });

  test('a container over its memory limit is OOM-killed: OOMKilled, exit 137, an oom event', async () => {
    const r = d.docker([
      'run',
      '--name',
      'hog',
      '-m',
      '10m',
      'busybox',
      'dd',
      'if=/dev/zero',
      'of=/dev/null',
      'bs=60M',
      'count=1',
    ]);
    assert.equal(r.code, 137, r.stderr);
    assert.equal(
      d.docker(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'hog']).stdout.trim(),
      'true 137',
    );
    // dockerd reports an OOM kill of any process of the container, even when the main one lives on.
    const child = d.docker([
      'run',
      '--name',
      'hogchild',
      '-m',
      '10m',
      'busybox',
      'sh',
      '-c',
      'dd if=/dev/zero of=/dev/null bs=60M count=1; echo survived',
    ]);
    assert.equal(child.code, 0, child.stderr);
    assert.equal(child.stdout, 'survived\n');
    assert.equal(
      d.docker(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'hogchild']).stdout.trim(),
      'true 0',
    );
    d.docker(['run', '--name', 'modest', '-m', '10m', 'busybox', 'true']);
    assert.equal(d.docker(['inspect', '-f', '{{.State.OOMKilled}}', 'modest']).stdout.trim(), 'false');
    const ev = d
      .docker([
        'events',
        '--since',
        String(t0),
        '--until',
        String(Math.ceil(Date.now() / 1000) + 1),
        '--filter',
        'event=oom',
        '--filter',
        'event=die',
        '--format',
        '{{.Actor.Attributes.name}} {{.Action}}',
      ])
      .stdout.split('\n')
      .filter((l) => /^(hog|hogchild|modest) /.test(l));
    assert.deepEqual(ev, ['hog oom', 'hog die', 'hogchild oom', 'hogchild die', 'modest die']);
    d.docker(['rm', '-f', 'hog', 'hogchild', 'modest']);
  });

  test("stats: network counters from the container's /proc/net/dev, block I/O from the cgroup", async () => {
    const disk = diskOf(d.dataRoot);
    // A block I/O limit on the disk turns on the kernel's per-cgroup accounting on cgroup v1.
    run([
      '--name',
      'busy',
      '--device-read-bps',
      `${disk.dev}:1gb`,
      '--device-write-bps',
      `${disk.dev}:1gb`,
      'busybox',
      'sleep',
      '300',
    ]);
    inContainer(
      'busy',
      'dd if=/dev/zero of=/tmp/f bs=1M count=4 oflag=direct 2>/dev/null; dd if=/tmp/f of=/dev/null bs=1M iflag=direct 2>/dev/null',
    );
    const pid = d.docker(['inspect', '-f', '{{.State.Pid}}', 'busy']).stdout.trim();
    const netdev = () => {
      const out: Record<string, number[]> = {};
      for (const line of readFileSync(`/proc/${pid}/net/dev`, 'utf8').split('\n').slice(2)) {
        const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
        if (m && m[1] !== 'lo') out[m[1]] = m[2].trim().split(/\s+/).map(Number);
      }
      return out;
    };
    const before = netdev();
    const s = (await apiGet(d, '/containers/busy/stats?stream=false')) as {
      networks?: Record<string, Record<string, number>>;
      blkio_stats: {
        io_service_bytes_recursive: Array<{ major: number; minor: number; op: string; value: number }> | null;
      };
    };
    const afterwards = netdev();
    assert.deepEqual(Object.keys(s.networks ?? {}).sort(), Object.keys(before).sort());
    for (const [ifname, n] of Object.entries(s.networks ?? {})) {
      const fields: Array<[string, number]> = [
        ['rx_bytes', 0],
        ['rx_packets', 1],
        ['rx_errors', 2],
        ['rx_dropped', 3],
        ['tx_bytes', 8],
        ['tx_packets', 9],
        ['tx_errors', 10],
        ['tx_dropped', 11],
      ];
      for (const [k, i] of fields) {
        assert.ok(n[k] >= before[ifname][i] && n[k] <= afterwards[ifname][i], `${ifname} ${k}: ${n[k]}`);
      }
    }
    const file = cgroup('busy', [v2 ? 'io.stat' : 'blkio/blkio.throttle.io_service_bytes_recursive']);
    const fromFile: Record<string, number> = {};
    for (const line of file) {
      const v1 = /^(\d+:\d+) (Read|Write) (\d+)$/.exec(line);
      if (v1 && v1[1] === disk.majMin) fromFile[v1[2].toLowerCase()] = Number(v1[3]);
      const v2m = /^(\d+:\d+) .*rbytes=(\d+) wbytes=(\d+)/.exec(line);
      if (v2m && v2m[1] === disk.majMin)
        Object.assign(fromFile, { read: Number(v2m[2]), write: Number(v2m[3]) });
    }
    const fromApi: Record<string, number> = {};
    for (const e of s.blkio_stats.io_service_bytes_recursive ?? []) {
      if (`${e.major}:${e.minor}` === disk.majMin && /^(read|write)$/i.test(e.op)) {
        fromApi[e.op.toLowerCase()] = e.value;
      }
    }
    assert.deepEqual(fromApi, fromFile);
    assert.ok(fromApi.read >= 4 * MiB && fromApi.write >= 4 * MiB, JSON.stringify(fromApi));
    const cli = await eventually(
      () => d.docker(['stats', '--no-stream', '--format', '{{.BlockIO}}|{{.PIDs}}', 'busy']).stdout.trim(),
      5000,
    );
    assert.match(cli, /^\d+(\.\d+)?MB \/ \d+(\.\d+)?MB\|1$/);
    d.docker(['rm', '-f', 'busy']);
  });
});
