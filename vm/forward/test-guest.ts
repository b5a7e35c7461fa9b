// A stand-in for the VM in tests, on this host: a real dropbear (Debian's dropbear-bin, the guest's
// SSH server) in a mount namespace of its own, where a temporary directory is /root (so root's
// authorized_keys is the test's, and the real /root/.ssh is never touched), and a real berthd whose
// Docker API listens on a loopback TCP port too (`-H tcp://`), as the guest's serves 127.0.0.1:2375.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Daemon, startDaemon, stopDaemon } from '../../test/conformance/harness.ts';
import { sshKeyPair } from '../machine/ssh-key.ts';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function waitListening(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tryOnce = () => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve();
      });
      c.once('error', () => {
        if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port}`));
        else setTimeout(tryOnce, 50);
      });
    };
    tryOnce();
  });
}

/** Every descendant of pid (from /proc), children first: dropbear forks a process per connection. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {}
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) {
      if (pp !== p) continue;
      walk(c);
      out.push(c);
    }
  };
  walk(pid);
  return out;
}

export class TestSshd {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'bf-ssh-'));
  readonly hostKey = path.join(this.dir, 'host_key');
  readonly privateKey: string;
  private child: ChildProcess | undefined;
  port = 0;

  /** `extraArgs`: more dropbear flags (e.g. `-W` for its receive window). */
  constructor(private readonly extraArgs: string[] = []) {
    const home = path.join(this.dir, 'root');
    execFileSync('mkdir', ['-m', '0700', '-p', path.join(home, '.ssh')]);
    const keys = sshKeyPair('berth-host');
    this.privateKey = keys.private;
    writeFileSync(path.join(home, '.ssh', 'authorized_keys'), `${keys.public}\n`, { mode: 0o600 });
    try {
      execFileSync('dropbearkey', ['-t', 'ed25519', '-f', this.hostKey], { stdio: 'ignore' });
    } catch (err) {
      throw new Error(
        `these tests need Debian's dropbear-bin (the guest's SSH server): ${(err as Error).message}`,
      );
    }
  }

  /** Starts dropbear (on the port it had before, when restarted). */
  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const home = path.join(this.dir, 'root');
    const script = `mount --bind "$1" /root && shift && exec dropbear -F -E -s "$@"`;
    this.child = spawn(
      'unshare',
      [
        ...['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', home],
        ...['-p', `127.0.0.1:${this.port}`, '-r', this.hostKey, '-P', path.join(this.dir, 'pid')],
        ...this.extraArgs,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    this.child.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    await waitListening(this.port).catch((err: Error) => {
      throw new Error(`${err.message}: dropbear said: ${log}`);
    });
  }

  /** Kills dropbear and every session it forked: to the client, the guest went away. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c?.pid || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    for (const p of [...descendants(c.pid), c.pid]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {}
    }
    await exited;
    this.child = undefined;
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The guest stand-in: dropbear plus a berthd reached at 127.0.0.1:<dockerPort>. */
export interface TestGuest {
  sshd: TestSshd;
  daemon: Daemon;
  dockerPort: number;
  close(): Promise<void>;
}

export async function startTestGuest(extraArgs: string[] = []): Promise<TestGuest> {
  const sshd = new TestSshd();
  await sshd.start();
  // As in the guest: the Docker API on a loopback TCP port too, for SSH's direct-tcpip.
  const dockerPort = await freePort();
  const daemon = await startDaemon('berthd', ['-H', `tcp://127.0.0.1:${dockerPort}`, ...extraArgs]);
  return {
    sshd,
    daemon,
    dockerPort,
    async close() {
      await stopDaemon(daemon);
      await sshd.close();
    },
  };
}
