// berthd's native addons for the image's architecture. For the builder's own architecture they are the
// repo's node_modules, as npm install left them. For the other one (the aarch64 image built on an
// x86_64 machine, issue 15) the builder makes a node_modules folder itself, with Debian's cross
// compiler and the headers of the very Node the guest runs (the registry's `node-linux-<arch>`
// tarball carries include/node, with that build's config.gypi):
// - better-sqlite3, which has no linux-arm64 prebuild that npm could fetch, compiled by node-gyp from
//   the sources npm installed here; kept in the cache under better-sqlite3's version, Node's version
//   and the architecture (a cross compile is a few minutes, once);
// - node-unix-socket's platform package, whose binding (Rust, prebuilt upstream) the registry this
//   project reaches does not serve for arm64 (only -linux-x64-gnu/-musl): unix-socket/seqpacket.c,
//   its SOCK_SEQPACKET half in C, compiled in a second; its JavaScript is upstream's, copied as is;
// - the addons' pure JavaScript (bindings, file-uri-to-path), copied.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type ArchSpec, hostArch } from './arch.ts';
import { addonFiles, elfMachine } from './payload.ts';
import { type Runner, runOk } from './run.ts';
import { copyFile, copyTree } from './tree.ts';

export interface TargetModulesOptions {
  /** The builder's node_modules (the repo's): the addons' JavaScript and better-sqlite3's sources. */
  hostModules: string;
  cache: string;
  /** The guest's Node (`node-linux-<arch>` tarball) and its version. */
  nodeTgz: string;
  nodeVersion: string;
  /** An empty folder of the build's own, removed after it: the staging happens there. */
  work: string;
  log: (line: string) => void;
}

async function packageJson(
  dir: string,
): Promise<{ version: string; optionalDependencies?: Record<string, string> }> {
  return JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8'));
}

async function exists(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => undefined)) !== undefined;
}

/**
 * The node_modules folder berthd's addons for `spec` are taken from: the host's own when it is the
 * builder's architecture, else one staged under `work` (see the top of this file).
 */
export async function targetNodeModules(
  runner: Runner,
  spec: ArchSpec,
  opts: TargetModulesOptions,
): Promise<string> {
  if (spec.arch === hostArch()) return opts.hostModules;
  const cc = spec.crossCompiler.prefix;
  const probe = await runner.run(`${cc}g++`, ['--version']).catch(() => undefined);
  if (probe?.code !== 0) {
    throw new Error(
      `berthd's addons for ${spec.arch} are compiled with ${cc}gcc and ${cc}g++: apt-get install ` +
        `${spec.crossCompiler.debPackage} (or BERTH_SETUP_VM=1 npm run setup), or give --node-modules DIR ` +
        'from an npm install on such a machine',
    );
  }
  // The guest Node's headers (and its config.gypi, which names the target architecture).
  await runOk(runner, 'tar', ['-xzf', opts.nodeTgz, '-C', opts.work, 'package/include/node']);
  const nodeDir = path.join(opts.work, 'package');

  const dest = path.join(opts.work, 'node_modules');
  const sqliteNode = await crossBuildBetterSqlite3(runner, spec, nodeDir, opts);
  for (const [pkg, keep] of Object.entries(addonFiles(spec))) {
    if (pkg === spec.unixSocketPackage) continue;
    const src = path.join(opts.hostModules, pkg);
    if (!(await exists(src))) throw new Error(`${src} is missing: run npm install`);
    await copyTree(src, path.join(dest, pkg), (rel) => keep(rel) && rel.split(path.sep)[0] !== 'build');
  }
  await copyFile(sqliteNode, path.join(dest, 'better-sqlite3/build/Release/better_sqlite3.node'), 0o755);

  // node-unix-socket's platform package, as npm would have installed it on such a machine, with the
  // binding compiled here from unix-socket/seqpacket.c.
  const socket = await packageJson(path.join(opts.hostModules, 'node-unix-socket'));
  const version = socket.optionalDependencies?.[spec.unixSocketPackage] ?? socket.version;
  const binding = unixSocketBindingName(spec);
  const socketDir = path.join(dest, spec.unixSocketPackage);
  await fs.mkdir(socketDir, { recursive: true });
  await compileSeqpacketBinding(runner, `${cc}gcc`, nodeDir, path.join(socketDir, binding));
  const manifest = {
    name: spec.unixSocketPackage,
    version,
    main: binding,
    description: `node-unix-socket's SeqpacketSocketWrap for ${spec.arch}, compiled by berth's image builder from vm/image/unix-socket/seqpacket.c`,
  };
  await fs.writeFile(path.join(socketDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dest;
}

/** The file node-unix-socket's loader looks for (js/addon.js): `node-unix-socket.linux-arm64-gnu.node`. */
export function unixSocketBindingName(spec: ArchSpec): string {
  return `${spec.unixSocketPackage.replace(/^node-unix-socket-/, 'node-unix-socket.')}.node`;
}

export const seqpacketSource = path.join(import.meta.dirname, 'unix-socket/seqpacket.c');

/** The compiler's arguments for the SOCK_SEQPACKET binding: one C file against Node's headers. */
export function seqpacketCompileArgs(nodeDir: string, out: string): string[] {
  return [
    ...['-std=c11', '-O2', '-fPIC', '-shared', '-fvisibility=hidden', '-Wall', '-Wextra', '-Werror'],
    `-I${path.join(nodeDir, 'include/node')}`,
    '-DNAPI_VERSION=8',
    ...['-o', out, seqpacketSource],
  ];
}

/** Compiles unix-socket/seqpacket.c with `cc` (a cross gcc, or the host's for the tests). */
export async function compileSeqpacketBinding(runner: Runner, cc: string, nodeDir: string, out: string) {
  await fs.mkdir(path.dirname(out), { recursive: true });
  await runOk(runner, cc, seqpacketCompileArgs(nodeDir, out));
}

/** Where the cross-compiled addon of these versions is kept. */
export function crossBuildCacheFile(
  cache: string,
  spec: ArchSpec,
  sqliteVersion: string,
  nodeVersion: string,
): string {
  return path.join(
    cache,
    'addons',
    `better-sqlite3-${sqliteVersion}-node-${nodeVersion}-linux-${spec.nodeArch}`,
    'better_sqlite3.node',
  );
}

/**
 * node-gyp's build of better-sqlite3 for `spec`, as the package's own `build-release` script runs it
 * (npm puts its bundled node-gyp on the script's PATH): the target architecture, the guest Node's
 * headers, and the cross compiler for every step of the Makefile (the archive of SQLite included).
 */
export function crossBuildCommand(
  spec: ArchSpec,
  nodeDir: string,
): { args: string[]; env: Record<string, string> } {
  const p = spec.crossCompiler.prefix;
  return {
    args: ['run', 'build-release', '--', `--arch=${spec.nodeArch}`, `--nodedir=${nodeDir}`, '--jobs=max'],
    env: {
      CC: `${p}gcc`,
      CXX: `${p}g++`,
      LINK: `${p}g++`,
      AR: `${p}ar`,
      npm_config_update_notifier: 'false',
    },
  };
}

/** better-sqlite3 compiled for `spec` (from the cache when these versions were compiled before). */
export async function crossBuildBetterSqlite3(
  runner: Runner,
  spec: ArchSpec,
  nodeDir: string,
  opts: TargetModulesOptions,
): Promise<string> {
  const src = path.join(opts.hostModules, 'better-sqlite3');
  if (!(await exists(src))) throw new Error(`${src} is missing: run npm install`);
  const { version } = await packageJson(src);
  const cached = crossBuildCacheFile(opts.cache, spec, version, opts.nodeVersion);
  if (await exists(cached)) return cached;

  opts.log(`compiling better-sqlite3 ${version} for ${spec.arch} (Node ${opts.nodeVersion})`);
  const started = Date.now();
  const pkg = path.join(await fs.mkdtemp(path.join(opts.work, 'build-')), 'better-sqlite3');
  // The package's sources as npm unpacked them, without the build of the host's own architecture.
  await copyTree(src, pkg, (rel) => !['build', 'node_modules', 'prebuilds'].includes(rel.split(path.sep)[0]));
  const cmd = crossBuildCommand(spec, nodeDir);
  await runOk(runner, 'npm', cmd.args, { cwd: pkg, env: cmd.env });

  const built = path.join(pkg, 'build/Release/better_sqlite3.node');
  const head = Buffer.alloc(20);
  const fd = await fs.open(built, 'r');
  await fd.read(head, 0, 20, 0).finally(() => fd.close());
  const machine = elfMachine(head);
  if (machine !== spec.elfMachine) {
    throw new Error(
      `the cross build made ${built} for ELF machine ${machine}, not ${spec.arch} (${spec.elfMachine})`,
    );
  }
  await fs.mkdir(path.dirname(cached), { recursive: true });
  await fs.copyFile(built, `${cached}.tmp`);
  await fs.rename(`${cached}.tmp`, cached);
  opts.log(
    `better-sqlite3 for ${spec.arch} compiled in ${((Date.now() - started) / 1000).toFixed(0)} s, kept in ${cached}`,
  );
  return cached;
}
