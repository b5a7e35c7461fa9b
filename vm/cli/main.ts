// `berth`: start, stop, restart, status, reset, ssh, logs and config of the machine that hosts
// Berth's engine. A running machine belongs to the agent (agent.ts), which `berth start` launches in
// the background; the other commands ask it over its control socket, so the CLI and the app see and
// drive the same machine. Without an agent the machine is stopped, and status, config and reset
// work on its files directly.
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { berthVersion } from '../../native/services/system/info.ts';
import { dockerConfigDir, userKubeconfigPath, writeDockerContext } from '../forward/contexts.ts';
import { HostForwarder } from '../forward/forwarder.ts';
import { linkText } from '../forward/link-state.ts';
import type { MachineEvent, MachineSettings, ProviderKind } from '../machine/index.ts';
import { Agent, type AgentEvent, type AgentStatus, controlHandler } from './agent.ts';
import { type Parsed, parseArgs, UsageError, usage } from './args.ts';
import { ControlClient, serveControl } from './control.ts';
import { cliMachine, launchAgent, projectRoot, rememberProvider, savedProvider } from './launch.ts';
import { type CliPaths, cliPaths } from './paths.ts';

interface Context {
  args: Parsed;
  paths: CliPaths;
  root: string;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** --provider when given, else the provider last used, else the platform's default. */
async function chosenProvider(ctx: Context): Promise<ProviderKind> {
  return ctx.args.provider ?? savedProvider(ctx.paths.home);
}

function machineFor(ctx: Context, provider: ProviderKind) {
  return cliMachine(ctx.paths, provider, ctx.root);
}

/** A line for a progress display, or undefined for events the user need not read as they come. */
export function describeEvent(e: AgentEvent): string | undefined {
  switch (e.type) {
    case 'state':
      return e.state === 'error' ? `error: ${e.reason ?? 'the machine stopped'}` : undefined;
    case 'progress':
      if (e.line.kind === 'error') return `✗ ${e.line.stage}: ${e.line.text}`;
      return e.line.kind === 'ready'
        ? `✓ ready ${e.line.text}`.trimEnd()
        : `… ${e.line.stage} ${e.line.text}`.trimEnd();
    case 'notice':
      return `${e.level === 'warning' ? '!' : 'i'} ${e.message}`;
    case 'agent':
      return `${e.level === 'warning' ? '!' : 'i'} ${e.message}`;
    case 'connected':
      return `✓ docker: ${e.docker}${e.kubernetes ? `, kubernetes: ${e.kubernetes}` : ''}`;
    case 'forward': {
      const f = e.event;
      if (f.kind === 'port' && f.event.kind === 'conflict') return `! ${f.event.message}`;
      if (f.kind === 'error') return `! ${f.message}`;
      return undefined;
    }
    default:
      return undefined;
  }
}

export function describeStatus(s: AgentStatus): string[] {
  const lines = [`state:      ${s.state}${s.reason ? ` (${s.reason})` : ''}`];
  lines.push(`provider:   ${s.provider}${s.accel && s.accel !== s.provider ? ` (${s.accel})` : ''}`);
  if (s.provider !== 'native')
    lines.push(
      `settings:   ${s.settings.cpus} cpus, ${s.settings.memoryMiB} MiB, ${s.settings.diskGiB} GiB disk, kubernetes ${s.settings.kubernetes ? 'on' : 'off'}`,
    );
  if (s.docker) lines.push(`docker:     ${s.docker} (context berth)`);
  if (s.kubernetes) lines.push(`kubernetes: ${s.kubernetes} (context berth)`);
  if (s.link && s.link.state !== 'connected') lines.push(`ssh:        ${linkText(s.link)}`);
  if (s.ports.length) lines.push(`ports:      ${s.ports.join(', ')}`);
  return lines;
}

async function start(ctx: Context): Promise<number> {
  const provider = await chosenProvider(ctx);
  if (ctx.args.foreground) return runAgent(ctx, provider, true);
  let client = await ControlClient.connect(ctx.paths.agentSocket);
  if (client) {
    const s = await client.request<AgentStatus>('status');
    if (ctx.args.provider && s.provider !== ctx.args.provider) {
      client.close();
      ctx.err(
        `berth: the machine runs under the ${s.provider} provider; stop it first to use ${ctx.args.provider}`,
      );
      return 1;
    }
  } else
    client = await launchAgent({
      paths: ctx.paths,
      provider,
      execArgv: process.execArgv,
      entry: process.argv[1],
    });
  await rememberProvider(ctx.paths.home, provider);
  client.onEvent((e) => {
    const line = describeEvent(e as AgentEvent);
    if (line) ctx.out(line);
  });
  void client.request('events').catch(() => undefined);
  try {
    const s = await client.request<AgentStatus>('start', {
      settings: ctx.args.settings,
      retryAccel: ctx.args.retryAccel,
    });
    for (const l of describeStatus(s)) ctx.out(l);
    return 0;
  } catch (err) {
    ctx.err(`berth: the machine did not start: ${(err as Error).message}`);
    ctx.err(`(berth logs shows more; berth start tries again)`);
    return 1;
  } finally {
    client.close();
  }
}

async function stop(ctx: Context): Promise<number> {
  const client = await ControlClient.connect(ctx.paths.agentSocket);
  if (!client) {
    ctx.out('the machine is not running');
    return 0;
  }
  try {
    await client.request('stop');
  } catch (err) {
    // The agent exits once the machine stopped: a closed connection is the expected end.
    if (!/closed the connection/.test((err as Error).message)) {
      ctx.err(`berth: ${(err as Error).message}`);
      return 1;
    }
  } finally {
    client.close();
  }
  // Gone when its socket no longer answers.
  const answers = async () => {
    const c = await ControlClient.connect(ctx.paths.agentSocket);
    c?.close();
    return !!c;
  };
  for (let i = 0; i < 100 && (await answers()); i++) await new Promise((r) => setTimeout(r, 100));
  ctx.out('stopped');
  return 0;
}

async function localStatus(ctx: Context): Promise<AgentStatus> {
  const { manager } = machineFor(ctx, await chosenProvider(ctx));
  return { ...(await manager.status()), ports: [] };
}

async function status(ctx: Context): Promise<number> {
  const client = await ControlClient.connect(ctx.paths.agentSocket);
  let s: AgentStatus;
  if (client) {
    try {
      s = await client.request<AgentStatus>('status');
    } finally {
      client.close();
    }
  } else s = await localStatus(ctx);
  if (ctx.args.json) ctx.out(JSON.stringify(s, null, 2));
  else for (const l of describeStatus(s)) ctx.out(l);
  return 0;
}

/** `berth reset --cluster`: the running machine's agent has the guest wipe the cluster's state. */
async function resetCluster(ctx: Context): Promise<number> {
  const client = await ControlClient.connect(ctx.paths.agentSocket);
  if (!client) {
    ctx.err('berth: the machine is not running; berth start, then berth reset --cluster resets its cluster');
    return 1;
  }
  try {
    const r = await client.request<{ output: string }>('cluster-reset');
    if (r.output) ctx.out(r.output);
    ctx.out("Berth's cluster was reset: its objects and pods are gone; images, volumes and containers stay");
    return 0;
  } catch (err) {
    ctx.err(`berth: ${(err as Error).message}`);
    return 1;
  } finally {
    client.close();
  }
}

async function reset(ctx: Context): Promise<number> {
  if (ctx.args.cluster) return resetCluster(ctx);
  const client = await ControlClient.connect(ctx.paths.agentSocket);
  if (client) {
    client.close();
    if (!ctx.args.force) {
      ctx.err('berth: the machine is running; berth reset --force stops it and wipes it');
      return 1;
    }
    await stop(ctx);
  }
  const { manager } = machineFor(ctx, await chosenProvider(ctx));
  await manager.reset();
  ctx.out('the machine was reset: its disk and state are gone, the image and the settings stay');
  return 0;
}

async function config(ctx: Context): Promise<number> {
  const [verb = 'get', ...pairs] = ctx.args.rest;
  // A running machine's settings are its agent's (the app changes them there too): ask it.
  const client = await ControlClient.connect(ctx.paths.agentSocket);
  try {
    return await configWith(ctx, verb, pairs, client);
  } finally {
    client?.close();
  }
}

async function configWith(
  ctx: Context,
  verb: string,
  pairs: string[],
  client: ControlClient | undefined,
): Promise<number> {
  const { manager } = machineFor(ctx, await chosenProvider(ctx));
  if (verb === 'get') {
    const settings = client
      ? await client.request<MachineSettings>('settings')
      : (await manager.status()).settings;
    const key = pairs[0];
    if (key && !(key in settings)) throw new UsageError(`unknown setting "${key}"`);
    if (key) ctx.out(String(settings[key as keyof MachineSettings]));
    else for (const [k, v] of Object.entries(settings)) ctx.out(`${k}=${v}`);
    return 0;
  }
  if (verb !== 'set' || !pairs.length) throw new UsageError('berth config [get [KEY]] | set KEY=VALUE…');
  const names: Record<string, keyof MachineSettings> = {
    cpus: 'cpus',
    memory: 'memoryMiB',
    memoryMiB: 'memoryMiB',
    disk: 'diskGiB',
    diskGiB: 'diskGiB',
    kubernetes: 'kubernetes',
    shareHome: 'shareHome',
  };
  const change: Partial<MachineSettings> = {};
  for (const pair of pairs) {
    const [k, v] = pair.split('=', 2);
    const key = names[k];
    if (!key || v === undefined)
      throw new UsageError(`unknown setting "${pair}": cpus, memory, disk, kubernetes, shareHome`);
    if (key === 'kubernetes' || key === 'shareHome') {
      if (v !== 'true' && v !== 'false') throw new UsageError(`${k}: true or false`);
      change[key] = v === 'true';
    } else {
      if (!/^\d+$/.test(v)) throw new UsageError(`${k}: a whole number`);
      change[key] = Number(v);
    }
  }
  if (client) await client.request('configure', { settings: change });
  else await manager.updateSettings(change);
  ctx.out(client ? 'saved; they apply when the machine restarts (berth restart)' : 'saved');
  return 0;
}

async function ssh(ctx: Context): Promise<number> {
  const client = await ControlClient.connect(ctx.paths.agentSocket);
  if (!client) {
    ctx.err('berth: the machine is not running (berth start)');
    return 1;
  }
  const s = await client.request<AgentStatus>('status').finally(() => client.close());
  const ep = s.endpoint?.ssh;
  if (!ep) {
    ctx.err(
      `berth: the ${s.provider} provider runs the engine on this host: there is no machine to ssh into`,
    );
    return 1;
  }
  const which = spawnSync('sh', ['-c', 'command -v ssh'], { encoding: 'utf8' });
  if (which.status !== 0) {
    ctx.err('berth: ssh needs the OpenSSH client (Debian: apt-get install openssh-client)');
    return 1;
  }
  const r = spawnSync(
    'ssh',
    [
      '-i',
      ep.privateKeyFile,
      '-p',
      String(ep.port),
      '-o',
      `UserKnownHostsFile=${path.join(path.dirname(ep.privateKeyFile), 'known_hosts.openssh')}`,
      '-o',
      'StrictHostKeyChecking=accept-new',
      '-o',
      'LogLevel=ERROR',
      ...(ctx.args.rest.length ? [] : ['-t']),
      `${ep.user}@${ep.host}`,
      ...ctx.args.rest,
    ],
    { stdio: 'inherit' },
  );
  return r.status ?? 1;
}

async function logs(ctx: Context): Promise<number> {
  const provider = await chosenProvider(ctx);
  const machineDir = path.join(ctx.paths.home, 'machines', provider === 'qemu' ? 'default' : provider);
  const consoleLog =
    provider === 'native'
      ? path.join(ctx.paths.home, 'logs', 'berthd.log')
      : path.join(machineDir, 'serial.log');
  const tail = (file: string) =>
    (existsSync(file) ? readFileSync(file, 'utf8') : '').split('\n').filter(Boolean).slice(-ctx.args.lines);
  for (const [title, file] of [
    ['agent', ctx.paths.agentLog],
    [provider === 'native' ? 'berthd' : 'console', consoleLog],
  ] as const) {
    ctx.out(`==> ${title}: ${file} <==`);
    for (const l of tail(file)) ctx.out(l);
  }
  if (!ctx.args.follow) return 0;
  let offset = existsSync(consoleLog) ? (await fs.stat(consoleLog)).size : 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const size = existsSync(consoleLog) ? (await fs.stat(consoleLog)).size : 0;
    if (size < offset) offset = 0;
    if (size > offset) {
      const fh = await fs.open(consoleLog, 'r');
      const buf = Buffer.alloc(size - offset);
      await fh.read(buf, 0, buf.length, offset);
      await fh.close();
      process.stdout.write(buf);
      offset = size;
    }
  }
}

/** The agent itself: owns the machine until stopped; answers on the control socket. */
async function runAgent(ctx: Context, provider: ProviderKind, startNow = false): Promise<number> {
  const { manager } = machineFor(ctx, provider);
  const agent = new Agent({
    manager,
    dockerSocket: ctx.paths.dockerSocket,
    forwarder: (o) => new HostForwarder(o),
    dockerConfigDir: dockerConfigDir(),
    writeDockerContext: (dir, socket) => writeDockerContext(dir, socket),
    kubeconfig: userKubeconfigPath(),
    log: (l) => ctx.out(`${new Date().toISOString()} ${l}`),
  });
  agent.subscribe((e) => {
    // The log also keeps each step of the SSH connection (the progress display leaves them out).
    const line =
      describeEvent(e) ??
      (e.type === 'state' ? `state: ${e.state}` : undefined) ??
      (e.type === 'forward' && e.event.kind === 'link' ? `ssh: ${linkText(e.event.state)}` : undefined);
    if (line) ctx.out(`${new Date().toISOString()} ${line}`);
  });
  let server: net.Server | undefined;
  let exiting = false;
  const exit = async (code: number) => {
    if (exiting) return;
    exiting = true;
    server?.close();
    await fs.rm(ctx.paths.agentSocket, { force: true });
    process.exit(code);
  };
  server = await serveControl(
    ctx.paths.agentSocket,
    controlHandler(agent, () => void exit(0)),
  );
  const onSignal = () => void agent.stop().finally(() => exit(0));
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  ctx.out(`${new Date().toISOString()} the Berth agent (${provider}) listens on ${ctx.paths.agentSocket}`);
  if (startNow) {
    try {
      await manager.updateSettings(ctx.args.settings);
      const s = await agent.start({ retryAccel: ctx.args.retryAccel });
      for (const l of describeStatus(s)) ctx.out(l);
    } catch (err) {
      ctx.err(`berth: the machine did not start: ${(err as Error).message}`);
    }
  }
  await new Promise(() => {});
  return 0;
}

export async function main(argv: string[], out = console.log, err = console.error): Promise<number> {
  let args: Parsed;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`berth: ${e.message}\nSee 'berth --help'.`);
    return 125;
  }
  const ctx: Context = { args, paths: cliPaths(), root: projectRoot(), out, err };
  try {
    switch (args.command) {
      case 'help':
        out(usage.trimEnd());
        return 0;
      case 'version':
        out(`berth ${berthVersion}`);
        return 0;
      case 'start':
        return await start(ctx);
      case 'stop':
        return await stop(ctx);
      case 'restart':
        await stop(ctx);
        return await start(ctx);
      case 'status':
        return await status(ctx);
      case 'reset':
        return await reset(ctx);
      case 'config':
        return await config(ctx);
      case 'ssh':
        return await ssh(ctx);
      case 'logs':
        return await logs(ctx);
      case 'agent':
        return await runAgent(ctx, await chosenProvider(ctx));
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`berth: ${e.message}\nSee 'berth --help'.`);
      return 125;
    }
    err(`berth: ${(e as Error).message}`);
    return 1;
  }
}

export type { MachineEvent };
