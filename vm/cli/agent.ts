// The Berth agent: the one long-lived host process that owns a machine. It starts the machine
// (vm/machine), connects the host to it (vm/forward: the Docker socket, the Kubernetes API, published
// ports, over SSH), writes the `berth` docker and kubeconfig contexts, and answers the CLI and the
// app on its control socket. The CLI's `berth start` launches it in the background, as Lima's
// hostagent or Colima's daemon run beside their VMs; `berth stop` asks it to stop and it exits.
import { promises as fs } from 'node:fs';
import type { ForwarderEvent, HostForwarderOptions } from '../forward/forwarder.ts';
import type { LinkState } from '../forward/link-state.ts';
import type { RunResult } from '../forward/ssh-link.ts';
import type {
  MachineEndpoint,
  MachineEvent,
  MachineManager,
  MachineSettings,
  MachineStatus,
  StartOptions,
} from '../machine/index.ts';
import { pingDocker } from '../machine/node-host.ts';
import type { Handler } from './control.ts';

/** What the agent needs of a forwarder (HostForwarder; tests give their own). */
export interface ForwarderLike {
  on(event: 'event', listener: (e: ForwarderEvent) => void): unknown;
  /** Starts the SSH connection alone, before the engine answers; `start` adds the socket and ports. */
  connect(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  writeKubeContext(file: string, opts?: { use?: boolean }): Promise<void>;
  run(command: string): Promise<RunResult>;
}

/** The guest's script that wipes the cluster's state while it holds berthd down (vm/image/guest). */
export const guestResetCluster = '/opt/berth/init/reset-cluster.sh';

export type AgentEvent =
  | MachineEvent
  | { type: 'forward'; event: ForwarderEvent }
  | { type: 'connected'; docker: string; kubernetes?: string }
  | { type: 'agent'; level: 'info' | 'warning'; message: string };

export interface AgentStatus extends MachineStatus {
  /** The Docker endpoint the user's tools use, once the host is connected. */
  docker?: string;
  kubernetes?: string;
  /** Published ports forwarded to the host right now. */
  ports: string[];
  /** The SSH connection that carries the forwards (a VM's; the native provider has none). */
  link?: LinkState;
}

export interface AgentOptions {
  manager: MachineManager;
  /** The host socket forwarded to the guest's engine. */
  dockerSocket: string;
  forwarder: (o: HostForwarderOptions) => ForwarderLike;
  /** Where the `berth` docker context goes ($DOCKER_CONFIG or ~/.docker). */
  dockerConfigDir: string;
  writeDockerContext(configDir: string, socket: string): Promise<unknown>;
  /** The kubeconfig the `berth` context is merged into. */
  kubeconfig: string;
  /** How long the host's Docker socket may take to answer once the machine runs. */
  connectTimeoutMs?: number;
  /**
   * The berth kubeconfig context is tried again this often (and for this long) when the guest's
   * cluster has not written its admin kubeconfig yet at connect (a first start with the cluster on).
   */
  kubeContextRetry?: { everyMs: number; forMs: number };
  log?: (line: string) => void;
}

const historySize = 500;

export class Agent {
  private forwarder: ForwarderLike | undefined;
  /**
   * The forwarder whose SSH connection was started when the machine became reachable, while berthd
   * starts: by the engine's ready its handshake (~0.3 s of TCG) is done, and connect() takes it.
   */
  private early: { port: number; made: Promise<ForwarderLike | undefined> } | undefined;
  private docker: string | undefined;
  private kubernetes: string | undefined;
  private link: LinkState | undefined;
  private kubeRetry: NodeJS.Timeout | undefined;
  private readonly ports = new Map<string, string>();
  private readonly history: AgentEvent[] = [];
  private readonly listeners = new Set<(e: AgentEvent) => void>();

  constructor(private readonly o: AgentOptions) {
    o.manager.on((e) => {
      if (e.type === 'reachable') this.preconnect(e.endpoint);
      this.emit(e);
    });
  }

  /** Every event so far (the last few hundred), then the new ones; returns the unsubscribe. */
  subscribe(listener: (e: AgentEvent) => void, replay = true): () => void {
    if (replay) for (const e of this.history) listener(e);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async status(): Promise<AgentStatus> {
    return {
      ...(await this.o.manager.status()),
      ...(this.docker ? { docker: this.docker } : {}),
      ...(this.kubernetes ? { kubernetes: this.kubernetes } : {}),
      ...(this.link ? { link: this.link } : {}),
      ports: [...this.ports.values()].sort(),
    };
  }

  /** Starts the machine (from stopped or error) and connects the host to it. */
  async start(opts: StartOptions = {}): Promise<AgentStatus> {
    const before = await this.o.manager.status();
    if (before.state !== 'running') {
      await this.disconnect();
      try {
        await this.o.manager.start(opts);
      } catch (err) {
        await this.disconnect();
        throw err;
      }
    }
    if (!this.docker) await this.connect();
    return this.status();
  }

  async stop(): Promise<void> {
    await this.disconnect();
    await this.o.manager.stop();
  }

  /** The settings the machine starts with (the app's Settings screen reads them here). */
  async settings(): Promise<MachineSettings> {
    return (await this.o.manager.status()).settings;
  }

  configure(change: Partial<MachineSettings>): Promise<{ restartNeeded: boolean }> {
    return this.o.manager.updateSettings(change);
  }

  /**
   * Resets Berth's cluster in the machine: its state wiped (certificates kept, so the host's berth
   * context stays valid), berthd restarted with an empty cluster; images, volumes and containers stay.
   * Answers once the engine answers again.
   */
  async resetCluster(): Promise<{ output: string }> {
    const f = this.forwarder;
    if (!this.docker) throw new Error('the machine is not running: start it first');
    if (!f)
      throw new Error(
        'the engine runs on this host (native): its cluster is reset from the app, which stops the engine around it',
      );
    if (!(await this.settings()).kubernetes) throw new Error("Berth's cluster is off: turn it on first");
    this.say('info', "resetting Berth's cluster: berthd restarts in the machine");
    const r = await f.run(guestResetCluster);
    if (r.code !== 0)
      throw new Error(`the cluster reset failed in the machine: ${r.stderr.trim() || `exit ${r.code}`}`);
    if (!(await pingUntil(this.o.dockerSocket, this.o.connectTimeoutMs ?? 60_000)))
      throw new Error('the engine in the machine did not answer again after the reset');
    const output = r.stdout.toString('utf8').trim();
    this.say('info', output || "Berth's cluster was reset");
    return { output };
  }

  async restart(opts: StartOptions = {}): Promise<AgentStatus> {
    await this.stop();
    return this.start(opts);
  }

  private emit(e: AgentEvent): void {
    this.history.push(e);
    if (this.history.length > historySize) this.history.splice(0, this.history.length - historySize);
    if (e.type === 'state' && (e.state === 'error' || e.state === 'stopped')) this.docker = undefined;
    for (const l of this.listeners) l(e);
  }

  private say(level: 'info' | 'warning', message: string): void {
    this.o.log?.(message);
    this.emit({ type: 'agent', level, message });
  }

  private async connect(): Promise<void> {
    const status = await this.o.manager.status();
    const ep = status.endpoint;
    if (!ep) throw new Error('the machine runs but says nothing of how to reach it');
    let socket: string;
    if (ep.ssh) {
      const kube = status.settings.kubernetes;
      const early = this.early;
      this.early = undefined;
      let forwarder = early?.port === ep.ssh.port ? await early.made : undefined;
      if (!forwarder) {
        await (await early?.made)?.stop();
        forwarder = await this.makeForwarder(ep.ssh, kube);
      }
      this.forwarder = forwarder;
      await forwarder.start();
      socket = this.o.dockerSocket;
      if (!(await pingUntil(socket, this.o.connectTimeoutMs ?? 60_000)))
        throw new Error(`the engine in the machine does not answer at ${socket}`);
      if (kube) {
        try {
          await forwarder.writeKubeContext(this.o.kubeconfig);
          this.kubernetes = 'https://127.0.0.1:6443';
        } catch (err) {
          this.say(
            'warning',
            `the berth kubeconfig context was not written: ${(err as Error).message} (tried again while the cluster starts)`,
          );
          this.retryKubeContext(forwarder);
        }
      }
    } else if (ep.dockerSocket) {
      socket = ep.dockerSocket;
    } else throw new Error('the machine offers neither a Docker socket nor SSH');
    await this.o.writeDockerContext(this.o.dockerConfigDir, socket);
    this.docker = `unix://${socket}`;
    this.emit({
      type: 'connected',
      docker: this.docker,
      ...(this.kubernetes ? { kubernetes: this.kubernetes } : {}),
    });
  }

  private async makeForwarder(
    ssh: NonNullable<MachineEndpoint['ssh']>,
    kube: boolean,
  ): Promise<ForwarderLike> {
    const privateKey = await fs.readFile(ssh.privateKeyFile);
    const forwarder = this.o.forwarder({
      ssh: {
        host: ssh.host,
        port: ssh.port,
        user: ssh.user,
        privateKey,
        // The guest's host key is pinned per machine: a reset machine makes a new one, and a new file.
        knownHostFile: ssh.knownHostFile,
      },
      dockerSocket: this.o.dockerSocket,
      kubernetes: kube ? {} : false,
    });
    forwarder.on('event', (event) => this.forwardEvent(event));
    return forwarder;
  }

  /** The machine's SSH is up while berthd starts: the connection is made now (see `early`). */
  private preconnect(ep: MachineEndpoint): void {
    const ssh = ep.ssh;
    if (!ssh || this.forwarder || this.early) return;
    const made = this.o.manager
      .status()
      .then((s) => this.makeForwarder(ssh, s.settings.kubernetes))
      .then(
        (f) => {
          f.connect();
          return f;
        },
        (err: Error) => {
          this.say('warning', `could not connect to the machine early: ${err.message} (connecting at ready)`);
          return undefined;
        },
      );
    this.early = { port: ssh.port, made };
  }

  /** Writes the berth context once the guest's cluster has made its admin kubeconfig. */
  private retryKubeContext(forwarder: ForwarderLike): void {
    const { everyMs, forMs } = this.o.kubeContextRetry ?? { everyMs: 2000, forMs: 300_000 };
    const deadline = Date.now() + forMs;
    const attempt = async () => {
      this.kubeRetry = undefined;
      if (this.forwarder !== forwarder) return;
      try {
        await forwarder.writeKubeContext(this.o.kubeconfig);
        if (this.forwarder !== forwarder) return;
        this.kubernetes = 'https://127.0.0.1:6443';
        this.say('info', `the berth kubeconfig context was written to ${this.o.kubeconfig}`);
      } catch (err) {
        if (this.forwarder !== forwarder) return;
        if (Date.now() < deadline) this.kubeRetry = setTimeout(attempt, everyMs);
        else
          this.say(
            'warning',
            `the berth kubeconfig context was not written: ${(err as Error).message} (berth restart tries again)`,
          );
      }
    };
    this.kubeRetry = setTimeout(attempt, everyMs);
  }

  private forwardEvent(event: ForwarderEvent): void {
    if (event.kind === 'link') this.link = event.state;
    if (event.kind === 'port') {
      const p = event.event;
      if (p.kind === 'opened' || p.kind === 'closed' || p.kind === 'conflict') {
        const key = `${p.address}/${p.port.proto}`;
        if (p.kind === 'opened') this.ports.set(key, key);
        else this.ports.delete(key);
        if (p.kind === 'conflict') this.say('warning', p.message);
      }
    }
    this.emit({ type: 'forward', event });
  }

  private async disconnect(): Promise<void> {
    const early = this.early;
    this.early = undefined;
    await (await early?.made)?.stop();
    clearTimeout(this.kubeRetry);
    this.kubeRetry = undefined;
    const f = this.forwarder;
    this.forwarder = undefined;
    this.docker = undefined;
    this.kubernetes = undefined;
    this.link = undefined;
    this.ports.clear();
    await f?.stop();
  }
}

/**
 * The agent's answers on its control socket, for `berth agent` and any stand-in of it: `onStopped`
 * runs once a `stop` has been answered (the agent process exits then).
 */
export function controlHandler(agent: Agent, onStopped: () => void): Handler {
  return async (req, send, closed) => {
    switch (req.cmd) {
      case 'ping':
        return 'pong';
      case 'status':
        return agent.status();
      case 'events': {
        const off = agent.subscribe(send, false);
        await closed;
        off();
        return null;
      }
      case 'start': {
        const a = req.args ?? {};
        const settings = (a.settings ?? {}) as Partial<MachineSettings>;
        if (Object.keys(settings).length) await agent.configure(settings);
        return agent.start({ retryAccel: a.retryAccel === true });
      }
      case 'restart':
        return agent.restart();
      case 'cluster-reset':
        return agent.resetCluster();
      case 'settings':
        return agent.settings();
      case 'configure':
        return agent.configure((req.args?.settings ?? {}) as Partial<MachineSettings>);
      case 'stop':
        await agent.stop();
        setImmediate(onStopped);
        return null;
      default:
        throw new Error(`unknown command ${JSON.stringify(req.cmd)}`);
    }
  };
}

/** Whether a Docker API answers `GET /_ping` on the socket within `timeoutMs`, asked again every 200 ms. */
export async function pingUntil(socket: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pingDocker(socket, 2000)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}
