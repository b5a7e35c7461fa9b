// The `berth` command line: a command, its flags (`--flag value`, `--flag=value`, booleans bare) and
// what follows `--`. Errors read as the docker CLI's do: `berth: unknown flag: --x`.
import type { MachineSettings, ProviderKind } from '../machine/index.ts';

export type CommandName =
  | 'start'
  | 'stop'
  | 'restart'
  | 'status'
  | 'reset'
  | 'ssh'
  | 'logs'
  | 'config'
  | 'agent'
  | 'help'
  | 'version';

export interface Parsed {
  command: CommandName;
  provider?: ProviderKind;
  settings: Partial<MachineSettings>;
  json: boolean;
  foreground: boolean;
  retryAccel: boolean;
  force: boolean;
  /** `reset --cluster`: Berth's cluster's state only. */
  cluster: boolean;
  follow: boolean;
  lines: number;
  /** Positional words after the command (config's get/set and its key=value pairs; ssh's command). */
  rest: string[];
}

export class UsageError extends Error {}

const commands: CommandName[] = [
  'start',
  'stop',
  'restart',
  'status',
  'reset',
  'ssh',
  'logs',
  'config',
  'agent',
  'help',
  'version',
];
const providers: ProviderKind[] = ['qemu', 'native', 'wsl'];

const positiveInt = (flag: string, v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new UsageError(`invalid argument "${v}" for "${flag}": a positive whole number is needed`);
  return Number(v);
};

const bool = (flag: string, v: string | undefined) => {
  if (v === undefined || v === 'true') return true;
  if (v === 'false') return false;
  throw new UsageError(`invalid argument "${v}" for "${flag}": true or false`);
};

export function parseArgs(argv: string[]): Parsed {
  const out: Parsed = {
    command: 'help',
    settings: {},
    json: false,
    foreground: false,
    retryAccel: false,
    force: false,
    cluster: false,
    follow: false,
    lines: 100,
    rest: [],
  };
  let seenCommand = false;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (arg === '--') {
      out.rest.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (!seenCommand) {
        if (!commands.includes(arg as CommandName))
          throw new UsageError(`unknown command "${arg}" for "berth"`);
        out.command = arg as CommandName;
        seenCommand = true;
      } else out.rest.push(arg);
      continue;
    }
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const take = () => {
      if (value !== undefined) return value;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`flag needs an argument: ${arg}`);
      return v;
    };
    switch (arg) {
      case '-h':
      case '--help':
        out.command = 'help';
        return out;
      case '-v':
      case '--version':
        out.command = 'version';
        return out;
      case '--provider': {
        const p = take();
        if (!providers.includes(p as ProviderKind))
          throw new UsageError(`invalid argument "${p}" for "--provider": one of ${providers.join(', ')}`);
        out.provider = p as ProviderKind;
        break;
      }
      case '--cpus':
        out.settings.cpus = positiveInt(arg, take());
        break;
      case '--memory':
        out.settings.memoryMiB = positiveInt(arg, take());
        break;
      case '--disk':
        out.settings.diskGiB = positiveInt(arg, take());
        break;
      case '--kubernetes':
        out.settings.kubernetes = bool(arg, value);
        break;
      case '--share-home':
        out.settings.shareHome = bool(arg, value);
        break;
      case '--json':
        out.json = true;
        break;
      case '--foreground':
        out.foreground = true;
        break;
      case '--retry-accel':
        out.retryAccel = true;
        break;
      case '-f':
        if (out.command === 'logs') out.follow = true;
        else out.force = true;
        break;
      case '--follow':
        out.follow = true;
        break;
      case '--force':
        out.force = true;
        break;
      case '--cluster':
        out.cluster = true;
        break;
      case '-n':
      case '--lines':
        out.lines = positiveInt(arg, take());
        break;
      default:
        throw new UsageError(`unknown flag: ${arg}`);
    }
  }
  return out;
}

export const usage = `Usage:  berth COMMAND [OPTIONS]

Runs the Linux machine that hosts Berth's engine and connects your docker, compose and kubectl to it.

Commands:
  start      Start the machine (and connect ~/.berth/run/docker.sock, the berth contexts, ports)
  stop       Stop it
  restart    Stop and start it
  status     Show its state, provider, endpoints and forwarded ports (--json)
  reset      Factory reset: the machine's disk and state go, the image stays (--force when running);
             --cluster: only Berth's cluster's state goes, in the running machine (images, volumes stay)
  ssh        A shell in the machine, or run a command: berth ssh -- uname -a
  logs       The agent's log and the machine's console (-f to follow, -n lines)
  config     Show the settings, or change them: berth config set cpus=4 memory=4096 disk=80 kubernetes=true

Options for start:
  --provider qemu|native|wsl  Where the engine runs (default: native as root on Linux, wsl on Windows, else qemu)
  --cpus N, --memory MiB, --disk GiB, --kubernetes[=false], --share-home[=false]
  --retry-accel               Try the hardware accelerator again after it was found not to run guests
  --foreground                Run the agent in this terminal instead of in the background
`;
