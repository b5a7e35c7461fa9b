// What the guest runs that is not a Debian package: Node from the npm registry's binary package for
// the target architecture, the berthd bundle with the native addons it loads, and the forwarding
// helpers of vm/forward/guest/.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ArchSpec } from './arch.ts';
import { type Runner, runOk } from './run.ts';
import { copyFile, copyTree } from './tree.ts';

/**
 * An npm package's tarball, from the npm cache folder or `npm pack` (which checks the registry's
 * integrity hash). Answers the tarball's path.
 */
export async function npmPack(
  runner: Runner,
  name: string,
  version: string,
  npmDir: string,
): Promise<string> {
  const file = path.join(npmDir, `${name}-${version}.tgz`);
  if (await fs.stat(file).catch(() => undefined)) return file;
  await fs.mkdir(npmDir, { recursive: true });
  await runOk(runner, 'npm', ['pack', '--silent', `${name}@${version}`, '--pack-destination', npmDir]);
  if (!(await fs.stat(file).catch(() => undefined)))
    throw new Error(`npm pack ${name}@${version} made no ${file}`);
  return file;
}

/** The `node-linux-<arch>` package of this version (its binary, and the headers addons build against). */
export function fetchNode(runner: Runner, spec: ArchSpec, version: string, npmDir: string): Promise<string> {
  return npmPack(runner, `node-linux-${spec.nodeArch}`, version, npmDir);
}

/** Unpacks Node's binary (and its licence) from the npm tarball into <root>/opt/berth/node. */
export async function installNode(runner: Runner, tgz: string, root: string, work: string): Promise<void> {
  const tmp = await fs.mkdtemp(path.join(work, 'node-'));
  await runOk(runner, 'tar', ['-xzf', tgz, '-C', tmp, 'package/bin/node', 'package/LICENSE']);
  const dest = path.join(root, 'opt/berth/node');
  await copyFile(path.join(tmp, 'package/bin/node'), path.join(dest, 'bin/node'), 0o755);
  await copyFile(path.join(tmp, 'package/LICENSE'), path.join(dest, 'LICENSE'), 0o644);
  await fs.rm(tmp, { recursive: true, force: true });
}

/** The files of each npm package berthd's bundle leaves outside (build/bundle.mjs's `external`). */
export function addonFiles(spec: ArchSpec): Record<string, (rel: string) => boolean> {
  const js = (rel: string) => rel === 'package.json' || /\.(js|json)$/.test(rel) || !rel.includes('.');
  return {
    'better-sqlite3': (rel) =>
      rel === 'package.json' ||
      rel === 'LICENSE' ||
      rel === 'lib' ||
      (rel.startsWith('lib/') && js(rel)) ||
      ['build', 'build/Release', 'build/Release/better_sqlite3.node'].includes(rel),
    bindings: (rel) => ['package.json', 'bindings.js', 'LICENSE.md'].includes(rel),
    'file-uri-to-path': (rel) => ['package.json', 'index.js', 'LICENSE'].includes(rel),
    'node-unix-socket': (rel) =>
      rel === 'package.json' ||
      rel === 'LICENSE' ||
      rel === 'js' ||
      (rel.startsWith('js/') && rel.endsWith('.js')),
    [spec.unixSocketPackage]: (rel) => rel === 'package.json' || rel.endsWith('.node'),
  };
}

/** The ELF machine number of a binary (e_machine), or undefined for a file that is not ELF. */
export function elfMachine(head: Buffer): number | undefined {
  if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  return head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
}

/**
 * Refuses a missing addon, or one built for another architecture than the image's (a --node-modules
 * of the wrong machine, or a cross build gone wrong) before anything is downloaded.
 */
export async function checkAddons(spec: ArchSpec, files: Record<string, string[]>): Promise<void> {
  const hint = `berthd's addons for ${spec.arch} come from an npm install on such a machine (--node-modules DIR) or the builder's cross build`;
  for (const [pkg, list] of Object.entries(files)) {
    if (!list.length) throw new Error(`${pkg} is not in node_modules: ${hint}`);
  }
  const binaries = Object.values(files)
    .flat()
    .filter((f) => f.endsWith('.node'));
  for (const f of binaries) {
    const fd = await fs.open(f, 'r');
    const head = Buffer.alloc(20);
    await fd.read(head, 0, 20, 0);
    await fd.close();
    const machine = elfMachine(head);
    if (machine !== spec.elfMachine) {
      throw new Error(
        `${f} is built for ELF machine ${machine}, not ${spec.arch} (${spec.elfMachine}): ${hint}`,
      );
    }
  }
}

/**
 * berthd in <root>/opt/berth/berthd: the bundle of dist/ (no source maps) as an ES module package,
 * and the addons from `nodeModules` (the repo's own for the builder's architecture).
 */
export async function installBerthd(spec: ArchSpec, distDir: string, nodeModules: string, root: string) {
  const dest = path.join(root, 'opt/berth/berthd');
  for (const f of ['berthd.js', 'berthd-kubernetes.mjs']) {
    const src = path.join(distDir, f);
    if (!(await fs.stat(src).catch(() => undefined)))
      throw new Error(`${src} is missing: run node build/bundle.mjs`);
    await copyFile(src, path.join(dest, f), 0o644);
  }
  await fs.writeFile(path.join(dest, 'package.json'), '{ "type": "module" }\n', { mode: 0o644 });
  for (const [pkg, keep] of Object.entries(addonFiles(spec))) {
    const src = path.join(nodeModules, pkg);
    if (!(await fs.stat(src).catch(() => undefined))) {
      throw new Error(
        `${src} is missing: berthd needs ${pkg} for ${spec.arch} (npm install on such a machine)`,
      );
    }
    await copyTree(src, path.join(dest, 'node_modules', pkg), keep);
  }
}

/** Every file of vm/forward/guest/ in <root>/opt/berth/forward (there may be none yet). */
export async function installForward(forwardDir: string, root: string): Promise<string[]> {
  const dest = path.join(root, 'opt/berth/forward');
  await fs.mkdir(dest, { recursive: true, mode: 0o755 });
  if (!(await fs.stat(forwardDir).catch(() => undefined))) return [];
  await copyTree(forwardDir, dest);
  return (await fs.readdir(dest, { recursive: true })).map(String).sort();
}
