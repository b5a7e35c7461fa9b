// Everything that connects the host to the guest, started and stopped as one: the SSH link, the
// Docker socket, the Kubernetes API port, and the published ports the engine's events tell of.
import { EventEmitter } from 'node:events';
import { type KubeEntries, kubeEntriesFromAdmin, writeKubeconfig } from './contexts.ts';
import { EngineWatch } from './engine-watch.ts';
import { type ForwardListener, type GuestTarget, listenUnix } from './listeners.ts';
import { type PortEvent, PortForwarder, type PortForwarderOptions } from './port-forwarder.ts';
import { type LinkState, type RunResult, SshLink, type SshLinkOptions } from './ssh-link.ts';

export interface HostForwarderOptions {
  ssh: SshLinkOptions;
  /** The host's Docker socket (`~/.berth/run/docker.sock`). */
  dockerSocket: string;
  /** The engine's API in the guest (its TCP listener on the guest's loopback). */
  dockerGuest?: GuestTarget;
  /** The Kubernetes API: host address and port, and where it is in the guest; false: not forwarded. */
  kubernetes?: false | { hostIp?: string; hostPort?: number; guest?: GuestTarget; adminKubeconfig?: string };
  ports?: PortForwarderOptions;
}

export type ForwarderEvent =
  | { kind: 'link'; state: LinkState }
  | { kind: 'port'; event: PortEvent }
  | { kind: 'error'; message: string };

export const guestAdminKubeconfig = '/var/lib/berth/engine/kubernetes/admin.kubeconfig';

export class HostForwarder extends EventEmitter<{ event: [ForwarderEvent] }> {
  readonly link: SshLink;
  readonly ports: PortForwarder;
  private readonly watch: EngineWatch;
  private socket: ForwardListener | undefined;

  constructor(private readonly opts: HostForwarderOptions) {
    super();
    this.link = new SshLink(opts.ssh);
    this.ports = new PortForwarder(this.link, opts.ports);
    this.watch = new EngineWatch(
      this.link,
      this.dockerGuest,
      (list) => void this.ports.setWanted('docker', list),
    );
    this.link.on('state', (state) => this.emit('event', { kind: 'link', state }));
    this.ports.on('port', (event) => this.emit('event', { kind: 'port', event }));
    this.watch.on('error', (err) => this.error(err));
  }

  private get dockerGuest(): GuestTarget {
    return this.opts.dockerGuest ?? { host: '127.0.0.1', port: 2375 };
  }

  private error(err: Error): void {
    this.emit('event', { kind: 'error', message: err.message });
  }

  /** The SSH link alone, before the engine answers (the agent's early connection while berthd starts). */
  connect(): void {
    this.link.start();
  }

  async start(): Promise<void> {
    this.socket = await listenUnix(this.link, this.opts.dockerSocket, this.dockerGuest, (e) => this.error(e));
    const k = this.opts.kubernetes;
    if (k) {
      const guest = k.guest ?? { host: '127.0.0.1', port: 6443 };
      await this.ports.setWanted('kubernetes-api', [
        {
          proto: 'tcp',
          hostIp: k.hostIp ?? '127.0.0.1',
          port: k.hostPort ?? 6443,
          guestHost: guest.host,
          guestPort: guest.port,
        },
      ]);
    }
    this.link.start();
    this.watch.start();
  }

  async stop(): Promise<void> {
    this.watch.stop();
    await this.ports.close();
    await this.socket?.close();
    this.socket = undefined;
    this.link.stop();
  }

  /** The `berth` cluster and user for the host's kubeconfig, read from the guest's admin kubeconfig. */
  async kubeEntries(): Promise<KubeEntries> {
    const k = this.opts.kubernetes || {};
    const file = k.adminKubeconfig ?? guestAdminKubeconfig;
    const r = await this.link.run(`cat ${file}`);
    if (r.code !== 0)
      throw new Error(`cannot read ${file} in the guest: ${r.stderr.trim() || `exit ${r.code}`}`);
    return kubeEntriesFromAdmin(
      r.stdout.toString('utf8'),
      `https://${k.hostIp ?? '127.0.0.1'}:${k.hostPort ?? 6443}`,
    );
  }

  /** A command in the guest, run to its end over the link. */
  run(command: string): Promise<RunResult> {
    return this.link.run(command);
  }

  /** Merges the `berth` context into the user's kubeconfig (current context unchanged unless `use`). */
  async writeKubeContext(file: string, opts: { use?: boolean } = {}): Promise<void> {
    await writeKubeconfig(file, await this.kubeEntries(), opts);
  }
}
