// The one SSH connection from the host to the guest that every forward rides on. It connects, keeps
// itself alive with SSH keepalives (a host that slept or a guest that restarted shows as a dead
// connection within keepaliveMs × 3), and reconnects with back-off, saying at each step what it does,
// so the UI can show "connecting", "connected" or "reconnecting: <why>".
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import ssh2, { type Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { LinkState } from './link-state.ts';

export type { LinkState } from './link-state.ts';

// ssh2 is CommonJS: Node's ESM loader finds only some of its names, so take them from the default.
const { Client: SshClient } = ssh2;

export interface SshLinkOptions {
  host?: string;
  port: number;
  user?: string;
  privateKey: string | Buffer;
  /**
   * Where the guest's host key is pinned (trust on first use): written at the first connection, and
   * every later connection must present the same key. The machine's reset deletes it with the disk.
   */
  knownHostFile: string;
  keepaliveMs?: number;
  /** Back-off between attempts: from minBackoffMs, doubling, up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Before the link was first up, an attempt that met no SSH server (refused, or closed before a server
   * showed its key: a guest still starting it, as when the agent connects while the boot goes on) is
   * tried again after this, up to `startupRetries` times, instead of backing off: doubling from 250 ms,
   * a server up 0.8 s later was reached 1.8 s later.
   */
  startupRetryMs?: number;
  startupRetries?: number;
  readyTimeoutMs?: number;
}

/** The wait before attempt `attempt` (1 = the first retry): doubling from min, capped at max. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.max(0, attempt - 1));
}

export interface RunResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

interface LinkEvents {
  state: [LinkState];
}

export class SshLink extends EventEmitter<LinkEvents> {
  private client: Client | undefined;
  private current: LinkState = { state: 'stopped' };
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** Whether the link was up since its start (startupRetryMs applies until then). */
  private wasUp = false;
  private pinned: string | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly opts: Required<SshLinkOptions>;

  constructor(opts: SshLinkOptions) {
    super();
    this.opts = {
      host: '127.0.0.1',
      user: 'root',
      keepaliveMs: 5_000,
      minBackoffMs: 250,
      maxBackoffMs: 10_000,
      startupRetryMs: 100,
      startupRetries: 100,
      readyTimeoutMs: 20_000,
      ...opts,
    };
  }

  get state(): LinkState {
    return this.current;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.failures = 0;
    this.wasUp = false;
    void this.attempt();
  }

  /** Closes the connection and stops reconnecting; channels in flight end. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.client?.end();
    this.client = undefined;
    this.setState({ state: 'stopped' });
    for (const w of this.waiters) w();
  }

  /** Resolves once connected (at once when it is), rejects after timeoutMs or when stopped. */
  whenConnected(timeoutMs: number): Promise<Client> {
    if (this.current.state === 'connected' && this.client) return Promise.resolve(this.client);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        if (this.current.state === 'connected' && this.client) resolve(this.client);
        else reject(new Error(this.stopped ? 'the SSH link is stopped' : this.describe()));
      };
      const t = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  /** A `direct-tcpip` channel to host:port as seen from the guest. */
  async forwardOut(host: string, port: number, waitMs = 15_000): Promise<ClientChannel> {
    const client = await this.whenConnected(waitMs);
    return new Promise((resolve, reject) =>
      client.forwardOut('127.0.0.1', 0, host, port, (err, ch) =>
        err
          ? reject(new Error(`the guest refused a connection to ${host}:${port}: ${err.message}`))
          : resolve(ch),
      ),
    );
  }

  /** A command in the guest, as an exec channel (stdin/stdout are the channel, stderr its .stderr). */
  async exec(command: string, waitMs = 15_000): Promise<ClientChannel> {
    const client = await this.whenConnected(waitMs);
    return new Promise((resolve, reject) =>
      client.exec(command, (err, ch) =>
        err ? reject(new Error(`cannot run "${command}" in the guest: ${err.message}`)) : resolve(ch),
      ),
    );
  }

  /**
   * Runs a command in the guest to its end. Its exit status also comes in band, as the last thing on
   * its stderr: Debian 12's dropbear (2022.83, the guest's SSH server) sometimes closes an exec
   * channel without the exit-status message (its sesscheckclose regression, fixed upstream by
   * mkj/dropbear#326), which left a command's code unknown (-1) now and then, more often on a busy host.
   */
  async run(command: string, waitMs?: number): Promise<RunResult> {
    const marker = `berth-exit-${randomBytes(6).toString('hex')}:`;
    const wrapped = `(\n${command}\n); s=$?; printf '%s%d\\n' '${marker}' "$s" >&2; exit "$s"`;
    const ch = await this.exec(wrapped, waitMs);
    const out: Buffer[] = [];
    let stderr = '';
    ch.on('data', (d: Buffer) => out.push(d));
    ch.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    ch.end();
    let code = await new Promise<number | undefined>((resolve) => {
      let exit: number | undefined;
      ch.on('exit', (c: number | null) => {
        exit = c ?? -1;
      });
      ch.on('close', () => resolve(exit));
    });
    const at = stderr.lastIndexOf(marker);
    const inBand = at >= 0 ? /^(\d+)\n$/.exec(stderr.slice(at + marker.length)) : null;
    if (inBand) {
      stderr = stderr.slice(0, at);
      code ??= Number(inBand[1]);
    }
    return { code: code ?? -1, stdout: Buffer.concat(out), stderr };
  }

  private describe(): string {
    const s = this.current;
    if (s.state === 'reconnecting') return `the guest is not reachable over SSH: ${s.reason}`;
    if (s.state === 'connecting') return 'still connecting to the guest over SSH';
    return 'not connected to the guest';
  }

  private setState(s: LinkState): void {
    this.current = s;
    this.emit('state', s);
    if (s.state === 'connected') for (const w of [...this.waiters]) w();
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    if (this.failures === 0) this.setState({ state: 'connecting', attempt: 1 });
    if (this.pinned === undefined)
      this.pinned = (await fs.readFile(this.opts.knownHostFile, 'utf8').catch(() => '')).trim();
    const client = new SshClient();
    this.client = client;
    let reason = 'connection closed';
    let mismatch = false;
    let presented = '';
    const cfg: ConnectConfig = {
      host: this.opts.host,
      port: this.opts.port,
      username: this.opts.user,
      privateKey: this.opts.privateKey,
      keepaliveInterval: this.opts.keepaliveMs,
      keepaliveCountMax: 3,
      readyTimeout: this.opts.readyTimeoutMs,
      hostVerifier: (key: Buffer) => {
        presented = key.toString('base64');
        if (!this.pinned) return true;
        mismatch = presented !== this.pinned;
        return !mismatch;
      },
    };
    client.on('ready', async () => {
      if (client !== this.client) return;
      // Without it, Nagle and delayed ACKs meet at every SSH window: bulk transfers crawl at one
      // window (dropbear's default is 24 KiB) per 40 ms.
      client.setNoDelay(true);
      this.failures = 0;
      if (!this.pinned && presented)
        await this.pinHostKey(presented).catch((err: Error) => {
          reason = `cannot pin the guest's host key: ${err.message}`;
          client.end();
        });
      if (client !== this.client || this.stopped || !this.pinned) return;
      this.wasUp = true;
      this.setState({ state: 'connected', since: Date.now() });
    });
    client.on('error', (err: Error & { level?: string }) => {
      reason = mismatch
        ? `the guest's host key is not the one pinned in ${this.opts.knownHostFile}`
        : err.message || String(err);
    });
    client.on('close', () => {
      if (client !== this.client || this.stopped) return;
      this.client = undefined;
      this.failures += 1;
      const starting = !this.wasUp && !presented && this.failures <= this.opts.startupRetries;
      const retryInMs = starting
        ? this.opts.startupRetryMs
        : backoffDelay(this.failures, this.opts.minBackoffMs, this.opts.maxBackoffMs);
      this.setState({ state: 'reconnecting', attempt: this.failures + 1, reason, retryInMs });
      this.timer = setTimeout(() => void this.attempt(), retryInMs);
    });
    client.connect(cfg);
  }

  /** Trust on first use: the key of the first connection is the one every later one must show. */
  private async pinHostKey(key: string): Promise<void> {
    this.pinned = key;
    const file = this.opts.knownHostFile;
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, `${key}\n`, { mode: 0o600 });
    await fs.rename(tmp, file);
  }
}
