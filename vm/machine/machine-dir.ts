// A machine's own directory (`~/.berth/machines/<name>/`) and what lives in it. A factory reset removes the
// directory whole; the image it boots lives elsewhere (the app's resources or dist/vm) and stays.
import path from 'node:path';
import type { Host } from './host.ts';
import { readableKey, sshKeyPair } from './ssh-key.ts';
import { MachineError } from './types.ts';

export interface MachinePaths {
  dir: string;
  dataDisk: string;
  serialLog: string;
  /** The guest's `berth.progress` virtio-serial port, written by qemu to this file. */
  progressLog: string;
  /** qemu's own stdout and stderr (an accelerator that fails to open says so here). */
  qemuLog: string;
  qmpSocket: string;
  pidFile: string;
  guestConfig: string;
  /** The configuration as the guest's boot scripts read it (guest-env.ts), fw_cfg `opt/berth/config.env`. */
  guestEnv: string;
  sshKey: string;
  sshPublicKey: string;
  /** The guest's SSH host key as first seen (vm/forward pins it). */
  sshKnownHost: string;
  /** The user's settings (MachineManager keeps them here; a reset writes them back). */
  settings: string;
  virtiofsSocket: string;
  /** The running machine (pid, SSH port, accelerator), for a later process to attach to. */
  runtime: string;
  /** The image's gzipped kernel ELF, unpacked for qemu (vm/machine/qemu/image.ts), and its source's hash. */
  kernel: string;
  kernelSource: string;
}

export function machinePaths(berthHome: string, name: string): MachinePaths {
  if (!/^[a-z0-9][a-z0-9_.-]{0,62}$/i.test(name)) {
    throw new MachineError('machine.bad_name', `invalid machine name ${JSON.stringify(name)}`);
  }
  const dir = path.join(berthHome, 'machines', name);
  const at = (f: string) => path.join(dir, f);
  return {
    dir,
    dataDisk: at('data.qcow2'),
    serialLog: at('serial.log'),
    progressLog: at('progress.log'),
    qemuLog: at('qemu.log'),
    qmpSocket: at('qmp.sock'),
    pidFile: at('qemu.pid'),
    guestConfig: at('guest-config.json'),
    guestEnv: at('guest-config.env'),
    sshKey: at('ssh_ed25519'),
    sshPublicKey: at('ssh_ed25519.pub'),
    sshKnownHost: at('ssh_known_host'),
    settings: at('settings.json'),
    virtiofsSocket: at('virtiofs.sock'),
    runtime: at('runtime.json'),
    kernel: at('vmlinux'),
    kernelSource: at('vmlinux.source'),
  };
}

/** The machine's SSH key pair, made on first use: the guest's dropbear accepts root with its public half. */
export async function ensureSshKey(host: Host, p: MachinePaths): Promise<string> {
  const existing = await host.readText(p.sshPublicKey);
  // A key ssh2 cannot read back (made before sshKeyPair checked) is made again.
  const key = await host.readText(p.sshKey);
  if (existing && key !== null && readableKey(key)) return existing.trim();
  const pair = sshKeyPair('berth-host');
  await host.writeFile(p.sshKey, pair.private, 0o600);
  await host.writeFile(p.sshPublicKey, `${pair.public.trim()}\n`, 0o644);
  return pair.public.trim();
}

/** The machine's configuration (guest-config.json); the qemu guest reads it as guest-env.ts writes it. */
export interface GuestConfig {
  hostname: string;
  sshAuthorizedKey: string;
  timeMs: number;
  share: { tag: string; path: string; type: '9p' | 'virtiofs' } | null;
  kubernetes: boolean;
  dockerTcpPort: number;
}

/** The last `n` lines of a log file, for an error the user reads. */
export async function tailLines(host: Host, file: string, n: number): Promise<string[]> {
  const text = await host.readText(file);
  if (!text) return [];
  const lines = text.replace(/\r/g, '').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-n);
}
