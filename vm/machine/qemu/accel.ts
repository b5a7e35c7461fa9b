// Which accelerator qemu gets: the host's hardware one when it has one for the guest's architecture (kvm on
// Linux, hvf on macOS, whpx on Windows), TCG otherwise. A hardware accelerator that exists but does not run
// guests (nested virtualization on cloud machines: /dev/kvm is there, the guest never prints a line) is
// found out at a start (qemu-driver.ts) and remembered here per host kernel, so the next start goes
// straight to TCG; `retryAccel` forgets it.
import path from 'node:path';
import type { Host } from '../host.ts';
import type { GuestArch } from '../types.ts';
import type { Accel } from './qemu-command.ts';

export interface HardwareAccel {
  accel: Exclude<Accel, 'tcg'> | null;
  /** Why there is none (for the message that says TCG will be slow). */
  why: string;
}

export async function hardwareAccel(host: Host, arch: GuestArch): Promise<HardwareAccel> {
  const native = host.arch === 'arm64' ? 'aarch64' : 'x86_64';
  if (native !== arch) return { accel: null, why: `the guest is ${arch} and this host is ${native}` };
  switch (host.platform) {
    case 'linux':
      if (!(await host.exists('/dev/kvm'))) return { accel: null, why: 'this host has no /dev/kvm' };
      if (!(await host.readWrite('/dev/kvm'))) {
        return { accel: null, why: '/dev/kvm is not open to this user (add it to the kvm group)' };
      }
      return { accel: 'kvm', why: '' };
    case 'darwin': {
      const r = await host.run('sysctl', ['-n', 'kern.hv_support'], { timeoutMs: 5000 });
      if (r.code !== 0 || r.stdout.trim() !== '1') {
        return { accel: null, why: 'macOS says this Mac has no Hypervisor.framework support' };
      }
      return { accel: 'hvf', why: '' };
    }
    case 'win32':
      return { accel: 'whpx', why: '' };
  }
}

export interface AccelVerdict {
  accel: Accel;
  /** The host kernel it was seen on: a new kernel gets another try. */
  kernelRelease: string;
  atMs: number;
  reason: string;
}

export function verdictFile(berthHome: string): string {
  return path.join(berthHome, 'machines', 'accel-verdicts.json');
}

async function readAll(host: Host, file: string): Promise<AccelVerdict[]> {
  const text = await host.readText(file);
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? (parsed as AccelVerdict[]) : [];
  } catch {
    return [];
  }
}

/** The remembered "does not run guests" for this accelerator on this host kernel, if any. */
export async function brokenVerdict(host: Host, file: string, accel: Accel): Promise<AccelVerdict | null> {
  const all = await readAll(host, file);
  return all.find((v) => v.accel === accel && v.kernelRelease === host.kernelRelease) ?? null;
}

export async function rememberBroken(host: Host, file: string, verdict: AccelVerdict): Promise<void> {
  const others = (await readAll(host, file)).filter((v) => v.accel !== verdict.accel);
  await host.writeFile(file, `${JSON.stringify([...others, verdict], null, 2)}\n`);
}

export async function forgetBroken(host: Host, file: string, accel: Accel): Promise<void> {
  const all = await readAll(host, file);
  const kept = all.filter((v) => v.accel !== accel);
  if (kept.length !== all.length) await host.writeFile(file, `${JSON.stringify(kept, null, 2)}\n`);
}
