import type { LogLevel } from './core/log.ts';
import type { StoreKind } from './orchestrator/store/open.ts';

export interface DaemonFlags {
  dataRoot: string;
  execRoot: string;
  hosts: string[];
  pidfile?: string;
  /** Written once the API listens on every host, removed at stop (a supervisor's readiness signal). */
  readyFile?: string;
  logLevel: LogLevel;
  runtime?: string;
  insecureRegistries: string[];
  registryMirrors: string[];
  /** Linux bridge of the default `bridge` network (dockerd's --bridge; `none` disables it). */
  bridge?: string;
  /** Gateway address and prefix of the default bridge (dockerd's --bip). */
  bip?: string;
  /** Whether berthd writes iptables rules (dockerd's --iptables). */
  iptables: boolean;
  /** Default DNS servers of containers (dockerd's --dns). */
  dns: string[];
  /** Run the orchestrator's Kubernetes API server. */
  kubernetes: boolean;
  /** Its port on 127.0.0.1. */
  kubeApiPort: number;
  /** Its store: SQLite in the data root (default), etcd, or memory (nothing kept). */
  kubeStore: StoreKind;
  /** etcd's client URLs, comma-separated (with kubeStore etcd). */
  kubeEtcdEndpoint?: string;
  /** Merge the berth cluster, user and context into this kubeconfig (true: the user's default one). */
  kubeconfigMerge?: string | true;
  /** With kubeconfigMerge: also make berth the current context. */
  kubeconfigUseContext: boolean;
  /** Wipe the cluster (its state and pod containers; images stay) before starting. */
  kubeReset: boolean;
  help: boolean;
  version: boolean;
}

export class FlagError extends Error {}

const levels = new Set(['debug', 'info', 'warn', 'error', 'fatal']);

function parseBool(flag: string, value: string | undefined): boolean {
  const v = value ?? 'true';
  if (v !== 'true' && v !== 'false')
    throw new FlagError(
      `invalid argument "${v}" for "${flag}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`,
    );
  return v === 'true';
}

/** Parses dockerd's own flag names (`--flag value` and `--flag=value`). */
export function parseDaemonFlags(argv: string[]): DaemonFlags {
  let kubeStore: string | undefined;
  const flags: DaemonFlags = {
    insecureRegistries: [],
    registryMirrors: [],
    iptables: true,
    dns: [],
    dataRoot: '/var/lib/berth',
    execRoot: '/run/berth',
    hosts: [],
    logLevel: 'info',
    kubernetes: false,
    kubeApiPort: 6443,
    kubeStore: 'sqlite',
    kubeconfigUseContext: false,
    kubeReset: false,
    help: false,
    version: false,
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const take = () => {
      if (value !== undefined) return value;
      const v = argv[++i];
      if (v === undefined) throw new FlagError(`flag needs an argument: ${arg}`);
      return v;
    };
    switch (arg) {
      case '--data-root':
      case '-g':
      case '--graph':
        flags.dataRoot = take();
        break;
      case '--exec-root':
        flags.execRoot = take();
        break;
      case '-H':
      case '--host':
        flags.hosts.push(take());
        break;
      case '-p':
      case '--pidfile':
        flags.pidfile = take();
        break;
      case '--ready-file':
        flags.readyFile = take();
        break;
      case '-l':
      case '--log-level': {
        const l = take();
        if (!levels.has(l))
          throw new FlagError(`invalid argument "${l}" for "-l, --log-level" flag: not a valid log level`);
        flags.logLevel = l as LogLevel;
        break;
      }
      case '-D':
      case '--debug':
        flags.logLevel = 'debug';
        break;
      case '--runtime':
      case '--default-runtime':
        flags.runtime = take();
        break;
      case '--insecure-registry':
        flags.insecureRegistries.push(take());
        break;
      case '--registry-mirror':
        flags.registryMirrors.push(take());
        break;
      case '-b':
      case '--bridge':
        flags.bridge = take();
        break;
      case '--bip':
        flags.bip = take();
        break;
      case '--dns':
        flags.dns.push(take());
        break;
      case '--iptables':
        flags.iptables = parseBool(arg, value);
        break;
      case '--kubernetes':
        flags.kubernetes = parseBool(arg, value);
        break;
      case '--kube-api-port': {
        const v = take();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n < 1 || n > 65535)
          throw new FlagError(`invalid argument "${v}" for "--kube-api-port" flag: not a valid port`);
        flags.kubeApiPort = n;
        break;
      }
      case '--kube-store':
        kubeStore = take();
        if (!['sqlite', 'etcd', 'memory'].includes(kubeStore))
          throw new FlagError(
            `invalid argument "${kubeStore}" for "--kube-store" flag: must be one of sqlite, etcd, memory`,
          );
        break;
      case '--kube-etcd-endpoint':
      case '--datastore-endpoint': {
        const v = take();
        for (const u of v.split(','))
          if (!/^https?:\/\/[^/]+\/?$/.test(u.trim()))
            throw new FlagError(
              `invalid argument "${v}" for "${arg}" flag: not an etcd client URL (http://host:port)`,
            );
        flags.kubeEtcdEndpoint = v;
        break;
      }
      case '--kubeconfig-merge':
        // Only the --flag=PATH form takes a path: a bare flag must not swallow the next argument.
        flags.kubeconfigMerge = value ?? true;
        break;
      case '--kubeconfig-use-context':
        flags.kubeconfigUseContext = parseBool(arg, value);
        break;
      case '--kube-reset':
        flags.kubeReset = parseBool(arg, value);
        break;
      case '-h':
      case '--help':
        flags.help = true;
        break;
      case '-v':
      case '--version':
        flags.version = true;
        break;
      default:
        throw new FlagError(`unknown flag: ${arg}`);
    }
  }
  // An etcd endpoint alone chooses etcd; etcd without one is a mistake.
  flags.kubeStore = (kubeStore ?? (flags.kubeEtcdEndpoint ? 'etcd' : 'sqlite')) as StoreKind;
  if (flags.kubeStore === 'etcd' && !flags.kubeEtcdEndpoint)
    throw new FlagError('--kube-store=etcd needs --kube-etcd-endpoint');
  if (flags.kubeStore !== 'etcd' && flags.kubeEtcdEndpoint)
    throw new FlagError(`--kube-etcd-endpoint is for --kube-store=etcd, not ${flags.kubeStore}`);
  if (flags.hosts.length === 0) flags.hosts.push(`unix://${flags.execRoot}/docker.sock`);
  for (const h of flags.hosts) parseHost(h);
  flags.pidfile ??= `${flags.execRoot}/berthd.pid`;
  return flags;
}

/** Where the Docker API listens: a unix socket, or TCP on a loopback address. */
export type ListenAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/**
 * Parses one `-H` value. TCP is served on loopback addresses only: berthd has no TLS, and a Docker API
 * on a reachable address is root on the machine for anyone who can connect (the VM's guest uses it on
 * its own 127.0.0.1, reached by the host through SSH).
 */
export function parseHost(h: string): ListenAddress {
  if (h.startsWith('unix://')) {
    const path = h.slice('unix://'.length);
    if (!path.startsWith('/')) throw new FlagError(`invalid host "${h}": the socket path must be absolute`);
    return { kind: 'unix', path };
  }
  if (h.startsWith('tcp://')) {
    const m = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[^:/[\]]*):(\d{1,5})\/?$/.exec(h);
    const port = m ? Number(m[2]) : Number.NaN;
    if (!m || port < 1 || port > 65535)
      throw new FlagError(`invalid host "${h}": expected tcp://ADDRESS:PORT`);
    const host = m[1].replace(/^\[|\]$/g, '') || '0.0.0.0';
    const loopback = host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
    if (!loopback)
      throw new FlagError(
        `invalid host "${h}": berthd serves TCP only on a loopback address (127.0.0.0/8, ::1 or localhost), since it has no TLS; use a unix socket otherwise`,
      );
    return { kind: 'tcp', host, port };
  }
  throw new FlagError(
    `invalid host "${h}": only unix:// sockets and tcp:// on a loopback address are supported`,
  );
}

export const usage = `Usage:	berthd [OPTIONS]

A Docker-compatible container engine (Berth)

Options:
      --data-root string    Root directory of persistent state (default "/var/lib/berth")
      --exec-root string    Root directory for execution state files (default "/run/berth")
  -H, --host list           Daemon socket to listen on: unix://PATH, or tcp://127.0.0.1:PORT (loopback only; default unix:///run/berth/docker.sock)
  -p, --pidfile string      Path to use for daemon PID file (default "<exec-root>/berthd.pid")
      --ready-file string   Write this file once the API listens on every host (removed at stop)
  -l, --log-level string    Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
      --runtime string      OCI runtime: runc or crun (default: detect)
      --insecure-registry list  Registries reached over plain HTTP (localhost and 127.0.0.0/8 always are)
      --registry-mirror list    Mirrors tried before Docker Hub
  -b, --bridge string       Attach containers to a network bridge (default "berth0"; "none" disables)
      --bip string          Specify network bridge IP
      --dns list            DNS server to use
      --iptables            Enable addition of iptables rules (default true)
      --kubernetes          Run the Kubernetes API server (certificates and admin.kubeconfig in <data-root>/kubernetes)
      --kube-api-port int   Port of the Kubernetes API on 127.0.0.1 (default 6443)
      --kube-store string   Kubernetes state: "sqlite" (<data-root>/kubernetes/state.db), "etcd" or "memory" (default "sqlite")
      --kube-etcd-endpoint string  etcd client URLs for --kube-store=etcd (alias --datastore-endpoint)
      --kubeconfig-merge[=path]  Merge the berth cluster, user and context into ~/.kube/config (or path)
      --kubeconfig-use-context   With --kubeconfig-merge, make berth the current context
      --kube-reset          Wipe the cluster (state, certificates, pod containers; images stay) before starting
  -v, --version             Print version information and quit
`;
