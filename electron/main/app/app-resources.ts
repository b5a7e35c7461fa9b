// Files the Electron shell reads at run time, in a checkout (`npm start`) and in a package. Where a package
// puts them is build/electron-builder.yml's `files` (inside the app) and `extraResources` (beside it);
// build/packaging/builder-run.test.ts packs the app and finds each of these paths in the result.
import path from 'node:path';

export interface AppLocation {
  /** app.isPackaged */
  packaged: boolean;
  /** app.getAppPath(): the checkout, or the package's app.asar */
  appPath: string;
  /** process.resourcesPath: the package's resources folder */
  resourcesPath: string;
  platform: NodeJS.Platform;
  /** process.arch: which VM image the package's agent boots. */
  arch: NodeJS.Architecture;
}

export interface AppResources {
  /** berthd's bundle; a package keeps it outside the asar, with the native module it loads. */
  berthdScript: string;
  /**
   * The `berth` command, which the app launches as the machine's agent. A package keeps its bundle
   * beside berthd's (they share the node_modules there: ssh2 for the agent) and tells it where berthd
   * and the VM image are, in `agentEnv`, since it has no checkout to find them in.
   */
  agentEntry: string;
  agentEnv: Record<string, string>;
  /** macOS tints a black "Template" image for its menu bar; elsewhere the coloured mark. */
  trayIcon: string;
  windowIcon: string;
}

export function appResources(l: AppLocation): AppResources {
  const icons = path.join(l.appPath, 'build/icons');
  const berthdScript = l.packaged
    ? path.join(l.resourcesPath, 'berthd/berthd.mjs')
    : path.join(l.appPath, 'dist/berthd.js');
  const vmArch = l.arch === 'arm64' ? 'aarch64' : 'x86_64';
  return {
    berthdScript,
    agentEntry: l.packaged
      ? path.join(l.resourcesPath, 'berthd/berth.mjs')
      : path.join(l.appPath, 'vm/cli/berth.mjs'),
    agentEnv: l.packaged
      ? {
          BERTH_BERTHD_SCRIPT: berthdScript,
          BERTH_VM_IMAGE: path.join(l.resourcesPath, 'vm', vmArch),
        }
      : {},
    trayIcon: path.join(icons, l.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'),
    windowIcon: path.join(icons, 'png/256x256.png'),
  };
}
