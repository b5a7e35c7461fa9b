// vm/machine's surface for the app (electron/main) and the CLI (vm/cli): pick a provider, build its driver
// and the MachineManager over it.
import os from 'node:os';
import path from 'node:path';
import type { Clock } from './clock.ts';
import type { Host } from './host.ts';
import { machinePaths } from './machine-dir.ts';
import { MachineManager } from './manager.ts';
import { NativeDriver } from './native/native-driver.ts';
import { QemuDriver } from './qemu/qemu-driver.ts';
import type { ProviderKind, VmDriver } from './types.ts';
import { WslDriver } from './wsl/wsl-driver.ts';

export { MachineManager, type MachineStatus } from './manager.ts';
export { nodeHost } from './node-host.ts';
export * from './types.ts';

/** The default per platform: Windows → wsl, macOS → qemu, Linux → native as root (servers, CI), else qemu. */
export function defaultProvider(host: Pick<Host, 'platform' | 'isRoot'>): ProviderKind {
  if (host.platform === 'win32') return 'wsl';
  if (host.platform === 'linux' && host.isRoot) return 'native';
  return 'qemu';
}

export interface CreateMachineOptions {
  host: Host;
  clock?: Clock;
  provider?: ProviderKind;
  /** `~/.berth` by default. */
  berthHome?: string;
  /** qemu: the image builder's output (dist/vm/<arch>/ or the app's resources). */
  imageDir: string;
  /** qemu: the app's bundled qemu binaries, searched before PATH. */
  binDirs?: string[];
  /** wsl: the root filesystem as a tarball. */
  rootfsTar?: string;
  /** native: the node that runs dist/berthd.js, and the bundle. */
  node?: string;
  berthdScript?: string;
  /** native: berthd's roots (default /var/lib/berth and /run/berth) and more of its flags. */
  native?: { dataRoot?: string; execRoot?: string; extraArgs?: string[] };
}

export function createMachine(o: CreateMachineOptions): { manager: MachineManager; driver: VmDriver } {
  const home = o.berthHome ?? path.join(o.host.homedir, '.berth');
  const provider = o.provider ?? defaultProvider(o.host);
  let driver: VmDriver;
  let name = 'default';
  if (provider === 'qemu') {
    driver = new QemuDriver({
      host: o.host,
      clock: o.clock,
      berthHome: home,
      imageDir: o.imageDir,
      binDirs: o.binDirs,
    });
  } else if (provider === 'wsl') {
    name = 'wsl';
    driver = new WslDriver({
      host: o.host,
      clock: o.clock,
      berthHome: home,
      rootfsTar: o.rootfsTar ?? path.join(o.imageDir, 'rootfs.tar'),
    });
  } else {
    name = 'native';
    driver = new NativeDriver({
      host: o.host,
      clock: o.clock,
      node: o.node ?? process.execPath,
      script: o.berthdScript ?? path.resolve('dist/berthd.js'),
      logFile: path.join(home, 'logs', 'berthd.log'),
      runtimeFile: machinePaths(home, 'native').runtime,
      ...o.native,
    });
  }
  const manager = new MachineManager({
    driver,
    host: o.host,
    settingsFile: machinePaths(home, name).settings,
    limits: { cpus: os.cpus().length, memoryMiB: Math.floor(os.totalmem() / 2 ** 20) },
  });
  return { manager, driver };
}
