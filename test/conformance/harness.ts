import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  promises as fs,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
} from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { busyboxImageTar } from '../fixtures/images.ts';
import { cleanupNetwork, createTestBridge, removeLink } from './host-net.ts';

export { cleanupNetwork } from './host-net.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesOut = path.join(repoRoot, 'test/fixtures/out');

/**
 * Which engine the scenarios run against: berthd (default), or Debian's dockerd with
 * BERTH_TARGET=dockerd, to prove that a scenario matches Docker.
 */
export const target = process.env.BERTH_TARGET === 'dockerd' ? 'dockerd' : 'berthd';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Daemon {
  kind: 'berthd' | 'dockerd';
  root: string;
  dataRoot: string;
  execRoot: string;
  socket: string;
  host: string;
  /** The bridge the test made for a reference dockerd (`--bridge`), removed by stopDaemon. */
  bridge?: string;
  docker(
    args: string[],
    opts?: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number },
  ): RunResult;
  dockerAsync(
    args: string[],
    opts?: { input?: string | Buffer; env?: NodeJS.ProcessEnv },
  ): { child: ChildProcess; done: Promise<RunResult> };
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL, no cleanup: for live-restore tests. */
  kill9(): Promise<void>;
  /** Starts the daemon again on the same roots (with other flags when given). */
  restart(args?: string[]): Promise<void>;
  /** The flags it runs with now. */
  args(): string[];
  /** Everything the daemon logged so far. */
  log(): string;
  pid(): number;
}

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath: socket, path: '/_ping', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

async function waitReady(
  socket: string,
  child: ChildProcess,
  logs: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}:\n${logs()}`);
    if (await ping(socket)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`daemon not ready after ${timeoutMs} ms:\n${logs()}`);
}

/** The clean-up each running test daemon leaves for the process's exit, by root. */
const exitHooks = new Map<string, () => void>();

/** Starts a daemon on fresh temporary roots. Short paths: unix socket paths are limited to 108 bytes. */
export async function startDaemon(
  kind: 'berthd' | 'dockerd' = target,
  extraArgs: string[] = [],
): Promise<Daemon> {
  const root = mkdtempSync(kind === 'berthd' ? '/tmp/bt-' : '/tmp/dk-');
  const dataRoot = path.join(root, 'data');
  const execRoot = path.join(root, 'run');
  mkdirSync(execRoot, { recursive: true });
  // The exec root is runtime state on a tmpfs, as /run is on a systemd host and in Berth's machine
  // (where berthd runs); this test machine's /run is on its root disk, where each file made costs
  // twenty times what it does on a tmpfs. BERTH_TEST_EXEC_ROOT_ON_DISK=1 keeps it on the disk.
  if (!process.env.BERTH_TEST_EXEC_ROOT_ON_DISK) {
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'mode=0700,nosuid,nodev', 'tmpfs', execRoot]);
    if (r.status !== 0) throw new Error(`cannot mount a tmpfs on ${execRoot}: ${r.stderr}`);
  }
  const socket = path.join(execRoot, 'docker.sock');
  let child: ChildProcess;
  // The daemon logs to a file, not a pipe: a test blocked in spawnSync reads no pipe, and a dockerd
  // whose log pipe is full stops handling containerd's events (containers never seen to exit).
  const logFile = path.join(root, 'daemon.log');
  const out = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const spawnLogged = (cmd: string, args: string[]) => {
    const fd = openSync(logFile, 'a');
    try {
      return spawn(cmd, args, { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
  };
  // A reference dockerd gets a bridge of the test's own: with `--bridge none` it would delete the
  // host's docker0 at start, and with docker0 it would share the host's Docker's.
  const tag = path
    .basename(root)
    .slice(3, 10)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  const ownBridge = kind === 'dockerd' && !extraArgs.includes('--bridge') ? `dk${tag}` : undefined;
  if (ownBridge) createTestBridge(ownBridge);
  const launch = async () => {
    if (kind === 'berthd') {
      const args = [
        path.join(repoRoot, 'dist/berthd.js'),
        '--data-root',
        dataRoot,
        '--exec-root',
        execRoot,
        '-H',
        `unix://${socket}`,
        '--log-level',
        'debug',
        ...extraArgs,
      ];
      // BERTH_DAEMON_NODE_ARGS: flags for the daemon's Node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
      const nodeArgs = (process.env.BERTH_DAEMON_NODE_ARGS ?? '').split(' ').filter(Boolean);
      child = spawnLogged(process.execPath, [...nodeArgs, ...args]);
    } else {
      const args = [
        '--data-root',
        dataRoot,
        '--exec-root',
        execRoot,
        '-H',
        `unix://${socket}`,
        '--pidfile',
        path.join(execRoot, 'dockerd.pid'),
        ...(ownBridge ? ['--bridge', ownBridge] : []),
        '--iptables=false',
        '--ip-forward=false',
        '--ip-masq=false',
        '--containerd-namespace',
        `dk${tag}`,
        '--containerd-plugins-namespace',
        `dk${tag}p`,
        ...extraArgs,
      ];
      child = spawnLogged('dockerd', args);
    }
    await waitReady(socket, child, out);
  };
  // A test file that ends without stopDaemon (an error in a hook, an early exit) still leaves the host
  // as it found it: the daemon dies and its network goes.
  const onExit = () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (kind === 'berthd') cleanupNetwork(execRoot, dataRoot);
    unmountUnder(root);
    if (ownBridge) removeLink(ownBridge);
  };
  process.on('exit', onExit);
  exitHooks.set(root, onExit);
  await launch();
  const env = (extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    ...process.env,
    DOCKER_HOST: `unix://${socket}`,
    DOCKER_CONFIG: path.join(root, 'docker-config'),
    DOCKER_CLI_HINTS: 'false',
    ...extra,
  });
  const daemon: Daemon = {
    kind,
    root,
    dataRoot,
    execRoot,
    socket,
    host: `unix://${socket}`,
    bridge: ownBridge,
    docker(args, opts = {}) {
      const r = spawnSync('docker', args, {
        env: env(opts.env),
        input: opts.input,
        timeout: opts.timeoutMs ?? 120_000,
        maxBuffer: 256 * 1024 * 1024,
      });
      return {
        code: r.status ?? (r.signal ? 128 : 1),
        stdout: r.stdout?.toString() ?? '',
        // The reference dockerd runs with IPv4 forwarding off; the CLI's warning about it is noise here.
        stderr: (r.stderr?.toString() ?? '').replace(
          /^WARNING: IPv4 forwarding is disabled\. Networking will not work\.\n/gm,
          '',
        ),
      };
    },
    dockerAsync(args, opts = {}) {
      const c = spawn('docker', args, { env: env(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      c.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      if (opts.input !== undefined) c.stdin.end(opts.input);
      const done = new Promise<RunResult>((resolve) =>
        c.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })),
      );
      return {
        child: c,
        done,
        get stdout() {
          return stdout;
        },
      } as { child: ChildProcess; done: Promise<RunResult> };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
    async kill9() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    async restart(args?: string[]) {
      if (args) extraArgs = args;
      await launch();
    },
    args: () => extraArgs,
    log: out,
    pid: () => child.pid ?? 0,
  };
  return daemon;
}

/**
 * Removes every container and stops the daemon, then what it left on the host: a berthd's bridges and
 * chains, a reference dockerd's bridge; and the roots.
 */
export async function stopDaemon(d: Daemon): Promise<void> {
  // A cluster's kubelet makes again the pods' containers removed under it: the daemon comes back
  // without Kubernetes first (its pods stopped), so that what is removed stays removed.
  if (d.kind === 'berthd' && d.args().includes('--kubernetes') && d.pid()) {
    await d.stop();
    await d.restart(d.args().filter((a) => a !== '--kubernetes'));
  }
  const ids = d.docker(['ps', '-aq']).stdout.split('\n').filter(Boolean);
  if (ids.length) d.docker(['rm', '-f', ...ids]);
  d.docker(['network', 'prune', '-f']);
  await d.stop();
  if (d.kind === 'dockerd') spawnSync('umount', ['-R', d.dataRoot]);
  else cleanupNetwork(d.execRoot, d.dataRoot);
  // berthd unmounts what it mounted (pods' memory volumes included): say so when it did not. The exec
  // root's tmpfs is the harness's own.
  const left = unmountUnder(d.root).filter((p) => p !== d.execRoot);
  if (d.kind === 'berthd' && left.length)
    console.warn(`berthd left mounts under ${d.root} (now unmounted):\n${left.join('\n')}`);
  if (d.bridge) removeLink(d.bridge);
  const hook = exitHooks.get(d.root);
  if (hook) process.off('exit', hook);
  exitHooks.delete(d.root);
  await fs.rm(d.root, { recursive: true, force: true }).catch(() => undefined);
}

/** Lazily unmounts every mount under `root` (deepest first); returns their paths. */
function unmountUnder(root: string): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(root + path.sep))
    .sort((a, b) => b.length - a.length);
  for (const p of points) spawnSync('umount', ['-l', p]);
  return points;
}

/** Loads the busybox fixture image (built from Debian's busybox-static) into the daemon. */
export async function loadBusybox(d: Daemon, tag = 'busybox:latest'): Promise<void> {
  const tar = await busyboxImageTar(fixturesOut, { tag });
  const r = d.docker(['load', '-i', tar]);
  if (r.code !== 0) throw new Error(`docker load failed: ${r.stderr}`);
}

/** Polls until fn returns truthy or the timeout passes. */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/**
 * Where a container's cgroup would be in each cgroup hierarchy of the host: every cgroup or cgroup2
 * mount in /proc/self/mountinfo, under `berth/<id>` (cgroupsPath in native/services/context.ts).
 */
export function cgroupDirsOf(id: string): string[] {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' - '))
    .filter(([, fsPart]) => /^cgroup2? /.test(fsPart ?? ''))
    .map(([head]) => head.split(' ')[4]);
  return [...new Set(mounts)].map((m) => path.join(m, 'berth', id));
}

/** What a container leaves on the host, for checks that `rm -f` leaves nothing behind. */
export function leftovers(d: Daemon, id: string): string[] {
  const found: string[] = [];
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  if (mounts.includes(id)) found.push('mount');
  // Every hierarchy the host mounts (v1 has one per controller, v2 one at the root, hybrid both).
  for (const p of cgroupDirsOf(id)) if (existsSync(p)) found.push(`cgroup ${p}`);
  const ps = spawnSync('pgrep', ['-af', `conmon.*${id}`])
    .stdout?.toString()
    .trim();
  if (ps) found.push(`conmon ${ps}`);
  const grep = spawnSync('sh', ['-c', `find ${d.root} -name '*${id}*' 2>/dev/null`])
    .stdout?.toString()
    .trim();
  if (grep) found.push(`files ${grep}`);
  return found;
}
