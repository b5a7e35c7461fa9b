// What differs between the architectures the VM runs on: Debian's and Node's names for them, the
// kernel package, the console, the squashfs branch filter. Everything else is built the same way.

export type Arch = 'x86_64' | 'aarch64';

export interface ArchSpec {
  arch: Arch;
  /** Debian's name (dpkg --print-architecture). */
  debArch: 'amd64' | 'arm64';
  /** Node's process.arch, as in the npm registry's `node-linux-<arch>` packages. */
  nodeArch: 'x64' | 'arm64';
  /** The meta-package that depends on the current generic kernel (the cloud kernel has no 9p). */
  kernelPackage: string;
  /** The serial console the provider logs: the PC's 16550 or the virt machine's PL011. */
  console: string;
  /** mksquashfs's branch-call filter for executables of this architecture. */
  bcj: string;
  /** Prebuilt native addons of the npm packages berthd loads (name of the platform's package). */
  unixSocketPackage: string;
  /** ELF e_machine of the architecture's binaries (to refuse an addon built for another one). */
  elfMachine: number;
  /**
   * Debian's cross compiler for this architecture (its programs' prefix and its package): the
   * builder compiles better-sqlite3 with it when the image is not for the builder's own architecture.
   */
  crossCompiler: { prefix: string; debPackage: string };
}

export const archSpecs: Record<Arch, ArchSpec> = {
  x86_64: {
    arch: 'x86_64',
    debArch: 'amd64',
    nodeArch: 'x64',
    kernelPackage: 'linux-image-amd64',
    console: 'ttyS0',
    bcj: 'x86',
    unixSocketPackage: 'node-unix-socket-linux-x64-gnu',
    elfMachine: 62,
    crossCompiler: { prefix: 'x86_64-linux-gnu-', debPackage: 'g++-x86-64-linux-gnu' },
  },
  aarch64: {
    arch: 'aarch64',
    debArch: 'arm64',
    nodeArch: 'arm64',
    kernelPackage: 'linux-image-arm64',
    console: 'ttyAMA0',
    bcj: 'arm',
    unixSocketPackage: 'node-unix-socket-linux-arm64-gnu',
    elfMachine: 183,
    crossCompiler: { prefix: 'aarch64-linux-gnu-', debPackage: 'g++-aarch64-linux-gnu' },
  },
};

export function archSpec(name: string): ArchSpec {
  const spec = (archSpecs as Record<string, ArchSpec | undefined>)[name];
  if (!spec) throw new Error(`unknown architecture "${name}" (x86_64 or aarch64)`);
  return spec;
}

/** The architecture of the machine the builder runs on, in the VM's terms. */
export function hostArch(): Arch {
  return process.arch === 'arm64' ? 'aarch64' : 'x86_64';
}
