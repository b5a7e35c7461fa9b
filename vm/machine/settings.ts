// Checking a change of settings before it is saved: limits the host can give, and the data disk, which grows
// but never shrinks (a qcow2 shrunk under an ext4 filesystem loses data).
import { MachineError, type MachineSettings } from './types.ts';

export interface HostLimits {
  cpus: number;
  memoryMiB: number;
}

export const minMemoryMiB = 512;
export const minDiskGiB = 8;
export const maxDiskGiB = 4096;

export function validateSettings(s: MachineSettings, limits: HostLimits): void {
  const bad = (what: string) => {
    throw new MachineError('settings.invalid', what);
  };
  if (!Number.isInteger(s.cpus) || s.cpus < 1) bad(`CPUs must be a whole number ≥ 1 (got ${s.cpus})`);
  if (s.cpus > limits.cpus) bad(`CPUs: this host has ${limits.cpus}, the machine cannot have ${s.cpus}`);
  if (!Number.isInteger(s.memoryMiB) || s.memoryMiB < minMemoryMiB) {
    bad(`memory must be at least ${minMemoryMiB} MiB (got ${s.memoryMiB})`);
  }
  if (s.memoryMiB > limits.memoryMiB) {
    bad(`memory: this host has ${limits.memoryMiB} MiB, the machine cannot have ${s.memoryMiB} MiB`);
  }
  if (!Number.isInteger(s.diskGiB) || s.diskGiB < minDiskGiB || s.diskGiB > maxDiskGiB) {
    bad(`disk size must be a whole number of GiB from ${minDiskGiB} to ${maxDiskGiB} (got ${s.diskGiB})`);
  }
}

/** Refuses a disk smaller than the one that exists; says how to get a smaller one. */
export function checkDiskChange(currentGiB: number | null, wantedGiB: number): 'none' | 'grow' {
  if (currentGiB === null || wantedGiB === currentGiB) return 'none';
  if (wantedGiB < currentGiB) {
    throw new MachineError(
      'disk.shrink_refused',
      `the data disk is ${currentGiB} GiB and cannot shrink to ${wantedGiB} GiB (its filesystem would lose data); ` +
        'a factory reset makes a new, smaller disk (and deletes its images, containers and volumes)',
    );
  }
  return 'grow';
}
