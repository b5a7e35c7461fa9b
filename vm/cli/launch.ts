// What the `berth` command and the desktop app share to reach the machine: the provider in use, a
// MachineManager over the machine's files (for status, settings and reset while no agent runs), and
// launching the agent in the background. The app calls these rather than copying them, so that the
// two always drive the same machine through the same agent.
import { spawn } from 'node:child_process';
import { existsSync, promises as fs, openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMachine, defaultProvider, nodeHost, type ProviderKind } from '../machine/index.ts';
import { ControlClient } from './control.ts';
import type { CliPaths } from './paths.ts';

/** The project's root: dist/berth.mjs and vm/cli/*.ts both find package.json above them. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

const providers: readonly ProviderKind[] = ['qemu', 'native', 'wsl'];

/** The provider last used (kept beside the machines as `provider`), else the platform's default. */
export async function savedProvider(home: string): Promise<ProviderKind> {
  const saved = (await fs.readFile(path.join(home, 'provider'), 'utf8').catch(() => '')).trim();
  if (providers.includes(saved as ProviderKind)) return saved as ProviderKind;
  return defaultProvider(nodeHost());
}

export async function rememberProvider(home: string, provider: ProviderKind): Promise<void> {
  await fs.mkdir(home, { recursive: true, mode: 0o700 });
  await fs.writeFile(path.join(home, 'provider'), `${provider}\n`);
}

/** Where a native machine keeps berthd's roots (BERTH_NATIVE_ROOT moves them beside another engine). */
export function nativeRoots(env: NodeJS.ProcessEnv = process.env): { dataRoot: string; execRoot: string } {
  const root = env.BERTH_NATIVE_ROOT;
  return root
    ? { dataRoot: path.join(root, 'data'), execRoot: path.join(root, 'run') }
    : { dataRoot: '/var/lib/berth', execRoot: '/run/berth' };
}

/**
 * The machine of `provider` under `paths.home`, as the agent builds it. From a checkout, berthd and the
 * VM image are found in its dist/; a packaged app names them (BERTH_BERTHD_SCRIPT, BERTH_VM_IMAGE).
 * BERTHD_FLAGS adds berthd flags.
 */
export function cliMachine(
  paths: CliPaths,
  provider: ProviderKind,
  root = projectRoot(),
  env: NodeJS.ProcessEnv = process.env,
) {
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  return createMachine({
    host: nodeHost(),
    provider,
    berthHome: paths.home,
    imageDir: env.BERTH_VM_IMAGE ?? path.join(root, 'dist', 'vm', arch),
    node: process.execPath,
    berthdScript: env.BERTH_BERTHD_SCRIPT ?? path.join(root, 'dist', 'berthd.js'),
    native: {
      ...(env.BERTH_NATIVE_ROOT ? nativeRoots(env) : {}),
      extraArgs: env.BERTHD_FLAGS ? env.BERTHD_FLAGS.split(/\s+/).filter(Boolean) : [],
    },
  });
}

/** Connects to the agent's socket, trying again until `ms` has passed. */
export async function waitForAgent(socket: string, ms: number): Promise<ControlClient | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const c = await ControlClient.connect(socket);
    if (c || Date.now() >= deadline) return c;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface LaunchAgentOptions {
  paths: CliPaths;
  provider: ProviderKind;
  /** What runs the entry: node, or Electron's binary with ELECTRON_RUN_AS_NODE=1 in `env`. */
  command?: string;
  /** Arguments before the entry (node's --import flags under tsx). */
  execArgv?: string[];
  /** The `berth` command's entry: vm/cli/berth.mjs or dist/berth.mjs. */
  entry: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Starts `berth agent` in the background (its output in the agent log) and connects to it. */
export async function launchAgent(o: LaunchAgentOptions): Promise<ControlClient> {
  await fs.mkdir(path.dirname(o.paths.agentLog), { recursive: true, mode: 0o700 });
  const log = openSync(o.paths.agentLog, 'a');
  const child = spawn(
    o.command ?? process.execPath,
    [...(o.execArgv ?? []), o.entry, 'agent', '--provider', o.provider],
    { detached: true, stdio: ['ignore', log, log], env: o.env ?? process.env },
  );
  child.unref();
  const client = await waitForAgent(o.paths.agentSocket, o.timeoutMs ?? 15_000);
  if (!client) {
    const tail = (await fs.readFile(o.paths.agentLog, 'utf8').catch(() => '')).trim().split('\n').slice(-10);
    throw new Error(`the Berth agent did not start; its log (${o.paths.agentLog}) ends:\n${tail.join('\n')}`);
  }
  return client;
}
