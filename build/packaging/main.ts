// `npm run dist`: installers for the host's platform and arch in dist/packages (AppImage and deb on Linux,
// dmg on macOS, nsis on Windows). Checks first that Electron's binary can be had (see electron-source.ts),
// then builds the app and berthd, then runs electron-builder with build/electron-builder.yml.
//   npm run dist                       host platform and arch
//   npm run dist -- --dir              an unpacked app only
//   npm run dist -- -c.electronDist=D  Electron from D (an unpacked Electron or its zip)
// Other arguments go to electron-builder as they are.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runElectronBuilder } from './builder-run.ts';
import {
  type ElectronTarget,
  findElectronSource,
  probe,
  proxied,
  unavailableLine,
} from './electron-source.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const fail = (line: string): never => {
  console.error(line);
  process.exit(1);
};

const platformFlags: Record<string, string> = {
  '--linux': 'linux',
  '-l': 'linux',
  '--mac': 'darwin',
  '--macos': 'darwin',
  '-m': 'darwin',
  '--win': 'win32',
  '--windows': 'win32',
  '-w': 'win32',
};
const hostFlag: Record<string, string> = { linux: '--linux', darwin: '--mac', win32: '--win' };
const archNames = ['x64', 'arm64', 'ia32', 'armv7l', 'universal'];
const hostArch = process.arch === 'arm' ? 'armv7l' : process.arch;

function installedElectronDist(): string | null {
  try {
    const bin = require('electron') as unknown;
    return typeof bin === 'string' && existsSync(bin) ? path.join(root, 'node_modules/electron/dist') : null;
  } catch {
    return null;
  }
}

function run(script: string): void {
  const r = spawnSync(process.execPath, [path.join(root, script)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail(`berth: ${script} failed (see above); no packages were made`);
}

const args = process.argv.slice(2);
const platforms = args.filter((a) => platformFlags[a]).map((a) => platformFlags[a]);
if (platforms.length === 0 && !hostFlag[process.platform])
  fail(`berth: npm run dist makes packages on Linux, macOS and Windows, not on ${process.platform}`);
const archs = args.filter((a) => archNames.includes(a.slice(2)) && a.startsWith('--')).map((a) => a.slice(2));
// A universal macOS app is made of the x64 and the arm64 builds.
const targetArchs = (archs.length ? archs : [hostArch]).flatMap((a) =>
  a === 'universal' ? ['x64', 'arm64'] : [a],
);
const version = (require('electron/package.json') as { version: string }).version;
const targets: ElectronTarget[] = (platforms.length ? platforms : [process.platform]).flatMap((platform) =>
  targetArchs.map((arch) => ({ version, platform, arch })),
);

const extra: string[] = [];
const electronDistGiven = args.some((a) => /^(-c|--config)\.electronDist=/.test(a));
const installedDist = installedElectronDist();
for (const t of targets) {
  const source = findElectronSource(t, { env: process.env, installedDist, electronDistGiven });
  // electronDist applies to every target of the run, so the installed binary serves a one-target run only.
  if (source.kind === 'installed' && targets.length === 1) extra.push(`-c.electronDist=${source.dir}`);
  if (source.kind === 'download' && !proxied(process.env)) {
    const why = await probe(source.url);
    if (why) fail(unavailableLine(t, source.url, why, process.env));
  }
}

run('build/build-app.mjs');
run('build/bundle.mjs');

const packages = path.join(root, 'dist/packages');
const startedAt = Date.now();
const { code, failure } = await runElectronBuilder({
  projectDir: root,
  config: 'build/electron-builder.yml',
  args: [
    ...(platforms.length ? [] : [hostFlag[process.platform]]),
    ...(archs.length ? [] : [`--${hostArch}`]),
    ...(args.some((a) => a === '--publish' || a === '-p') ? [] : ['--publish', 'never']),
    ...extra,
    ...args,
  ],
  env: process.env,
  print: (line) => console.log(line),
});
if (failure) fail(failure);
if (code !== 0) fail(`berth: electron-builder failed (exit code ${code}, see above)`);
const made = existsSync(packages)
  ? readdirSync(packages).filter((f) => {
      const st = statSync(path.join(packages, f));
      return st.mtimeMs >= startedAt && !/\.(ya?ml|blockmap)$/.test(f) && !f.startsWith('.');
    })
  : [];
console.log(`berth: made in dist/packages: ${made.join(', ') || '(nothing new)'}`);
