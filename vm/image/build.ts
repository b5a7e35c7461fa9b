// `npm run vm:image [-- --arch x86_64|aarch64] [--out DIR]`: the VM's kernel, initramfs and root
// filesystem from Debian packages, Node and the berthd bundle, with manifest.json for the provider.
//
// Downloads (.debs, Node's npm tarball, apt's indexes) stay in the cache (~/.cache/berth/vm, or
// BERTH_VM_CACHE); a build whose inputs have not changed since the last one in DIR does nothing.
// The same inputs give the same bytes: fixed times (SOURCE_DATE_EPOCH, else a constant), root
// owners, sorted archives, no time in any compressed stream.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { targetNodeModules } from './addons.ts';
import { Apt, sha256File } from './apt.ts';
import { type ArchSpec, archSpec, hostArch } from './arch.ts';
import { writeInitramfs } from './initramfs.ts';
import { bootKernel } from './kernel.ts';
import { bootModules, initramfsModules, readModuleTree, rootfsModules, selectModules } from './kmods.ts';
import { imageHash, inputsHash, kernelCmdline, type Manifest } from './manifest.ts';
import { byCodeUnits } from './order.ts';
import { kernelFromMeta, type PackageRecord, rootPackages } from './packages.ts';
import { addonFiles, checkAddons, fetchNode, installBerthd, installForward, installNode } from './payload.ts';
import { installGuestFiles, installModules, makeSquashfs, settle, unpackDebs } from './rootfs.ts';
import { processRunner, type Runner, runOk } from './run.ts';

const here = import.meta.dirname;
export const repoRoot = path.resolve(here, '../..');

/** 2025-01-01T00:00:00Z: every file's time unless SOURCE_DATE_EPOCH says otherwise. */
export const defaultEpoch = 1735689600;

export type Compression = 'zstd' | 'xz';

export function compressionArgs(c: Compression, spec: ArchSpec): string[] {
  return c === 'xz'
    ? ['-comp', 'xz', '-Xbcj', spec.bcj, '-b', '1M']
    : ['-comp', 'zstd', '-Xcompression-level', '19', '-b', '1M'];
}

export interface BuildOptions {
  arch: ArchSpec;
  out: string;
  cache: string;
  epoch: number;
  compression: Compression;
  /** Fetch apt's indexes again (new security updates) before resolving. */
  refresh: boolean;
  /** Run build/bundle.mjs first (off when the caller has just done it). */
  bundle: boolean;
  /** Build even when DIR's manifest has the same inputs. */
  force: boolean;
  nodeVersion: string;
  /**
   * npm packages of berthd's native addons, built for the target architecture (--node-modules). By
   * default the repo's own for the builder's architecture, a cross build for the other (addons.ts).
   */
  nodeModules?: string;
  log: (line: string) => void;
}

export interface BuildResult {
  manifest: Manifest;
  /** False when DIR already held the image of these inputs. */
  built: boolean;
  seconds: number;
}

export function defaultCache(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BERTH_VM_CACHE) return env.BERTH_VM_CACHE;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'berth', 'vm');
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): BuildOptions {
  let arch = archSpec(hostArch());
  let out: string | undefined;
  const o = {
    cache: defaultCache(env),
    nodeModules: undefined as string | undefined,
    compression: 'zstd' as Compression,
    refresh: false,
    bundle: true,
    force: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--arch') arch = archSpec(value());
    else if (a === '--out') out = path.resolve(value());
    else if (a === '--cache') o.cache = path.resolve(value());
    else if (a === '--node-modules') o.nodeModules = path.resolve(value());
    else if (a === '--compression') {
      const c = value();
      if (c !== 'zstd' && c !== 'xz') throw new Error(`--compression ${c}: zstd or xz`);
      o.compression = c;
    } else if (a === '--refresh') o.refresh = true;
    else if (a === '--no-bundle') o.bundle = false;
    else if (a === '--force') o.force = true;
    else throw new Error(`unknown option ${a}`);
  }
  const epoch = env.SOURCE_DATE_EPOCH ? Number(env.SOURCE_DATE_EPOCH) : defaultEpoch;
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`SOURCE_DATE_EPOCH=${env.SOURCE_DATE_EPOCH}`);
  return {
    ...o,
    arch,
    out: out ?? path.join(repoRoot, 'dist', 'vm', arch.arch),
    epoch,
    nodeVersion: env.BERTH_VM_NODE_VERSION || process.versions.node,
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

/** The files' names (relative to `base`: a checkout or a staging folder elsewhere hashes the same) and bytes. */
async function hashFiles(base: string, files: string[]): Promise<string> {
  const h = createHash('sha256');
  for (const f of files) h.update(`${path.relative(base, f)}\0${await sha256File(f)}\n`);
  return h.digest('hex');
}

async function listFiles(dir: string, keep: (rel: string) => boolean = () => true): Promise<string[]> {
  if (!(await fs.stat(dir).catch(() => undefined))) return [];
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const e of (await fs.readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) =>
      byCodeUnits(a.name, b.name),
    )) {
      const r = path.join(rel, e.name);
      if (!keep(r)) continue;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile()) out.push(path.join(dir, r));
    }
  };
  await walk('');
  return out;
}

async function fileEntry(file: string) {
  return { sha256: await sha256File(file), size: (await fs.stat(file)).size };
}

async function readManifest(file: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** Whether DIR holds the complete image the manifest describes (sizes checked, not hashes). */
async function complete(dir: string, m: Manifest): Promise<boolean> {
  for (const [name, f] of Object.entries(m.files)) {
    const st = await fs.stat(path.join(dir, name)).catch(() => undefined);
    if (st?.size !== f.size) return false;
  }
  return true;
}

export async function buildImage(opts: BuildOptions, runner: Runner = processRunner): Promise<BuildResult> {
  const started = Date.now();
  const spec = opts.arch;
  const log = opts.log;
  if (opts.bundle) {
    log('bundling berthd (build/bundle.mjs)');
    await runOk(runner, process.execPath, ['build/bundle.mjs'], { cwd: repoRoot });
  }

  // Addons the caller named are checked before anything is downloaded.
  if (opts.nodeModules) await addonList(spec, opts.nodeModules);
  const stage = await fs.mkdtemp(path.join(os.tmpdir(), `berth-vm-${spec.arch}-addons-`));
  try {
    return await build(opts, runner, started, stage);
  } finally {
    await fs.rm(stage, { recursive: true, force: true });
  }
}

/** berthd's addon files in a node_modules folder; refused when one is missing or of another architecture. */
async function addonList(spec: ArchSpec, nodeModules: string): Promise<string[]> {
  const addons: Record<string, string[]> = {};
  for (const [pkg, keep] of Object.entries(addonFiles(spec))) {
    addons[pkg] = await listFiles(path.join(nodeModules, pkg), keep);
  }
  await checkAddons(spec, addons);
  return Object.values(addons).flat();
}

/** The build once the bundle is there; `stage` is a folder of its own for the cross-built addons. */
async function build(
  opts: BuildOptions,
  runner: Runner,
  started: number,
  stage: string,
): Promise<BuildResult> {
  const spec = opts.arch;
  const log = opts.log;
  const nodeTgz = await fetchNode(runner, spec, opts.nodeVersion, path.join(opts.cache, 'npm'));
  const nodeSha = await sha256File(nodeTgz);
  const hostModules = path.join(repoRoot, 'node_modules');
  const nodeModules =
    opts.nodeModules ??
    (await targetNodeModules(runner, spec, {
      hostModules,
      cache: opts.cache,
      nodeTgz,
      nodeVersion: opts.nodeVersion,
      work: stage,
      log,
    }));
  const addons = await addonList(spec, nodeModules);

  const apt = new Apt(runner, opts.cache, spec.debArch);
  const debDir = path.join(opts.cache, 'debs', spec.debArch);
  const fetchDebs = async (refresh: boolean) => {
    await apt.prepare(refresh);
    const resolution = await apt.resolve(rootPackages);
    const kernelPackage = kernelFromMeta(spec.kernelPackage, await apt.depends([spec.kernelPackage]));
    const records = await apt.records([...resolution.packages, kernelPackage]);
    log(`${records.length} Debian packages (${kernelPackage}); left out: ${resolution.skipped.join(' ')}`);
    return { kernelPackage, records, debs: await apt.download(records, debDir) };
  };
  // Kept indexes name the versions of their day; once the mirror has dropped one of them (a security
  // update replaced it), fresh indexes name what it has now.
  const { kernelPackage, records, debs } = await fetchDebs(opts.refresh).catch((err) => {
    if (opts.refresh) throw err;
    log(`${err instanceof Error ? err.message.split('\n')[0] : err}: fetching apt's indexes again`);
    return fetchDebs(true);
  });
  const debOf = (r: PackageRecord) => debs[records.indexOf(r)];
  const kernelRec = records.find((r) => r.name === kernelPackage)!;
  const systemRecs = records.filter((r) => r !== kernelRec);

  const distDir = path.join(repoRoot, 'dist');
  const forwardDir = path.join(repoRoot, 'vm/forward/guest');
  const inputs = {
    // The builder's code and the guest's files (not its tests and notes).
    builder: await hashFiles(
      here,
      await listFiles(here, (r) => !r.endsWith('.test.ts') && !r.endsWith('.md')),
    ),
    debs: records.map((r) => `${r.name}=${r.version}:${r.sha256}`).join(','),
    node: nodeSha,
    berthd: await hashFiles(
      distDir,
      ['berthd.js', 'berthd-kubernetes.mjs'].map((f) => path.join(distDir, f)),
    ),
    addons: await hashFiles(nodeModules, addons),
    forward: await hashFiles(forwardDir, await listFiles(forwardDir)),
    epoch: String(opts.epoch),
    compression: compressionArgs(opts.compression, spec).join(' '),
    mksquashfs: (await runner.run('mksquashfs', ['-version'])).stdout.split('\n')[0] ?? '',
    builderNode: process.version,
  };
  const inputsDigest = inputsHash(inputs);
  const manifestFile = path.join(opts.out, 'manifest.json');
  const previous = await readManifest(manifestFile);
  if (!opts.force && previous?.inputsHash === inputsDigest && (await complete(opts.out, previous))) {
    log(`${opts.out} is up to date (${previous.imageHash})`);
    return { manifest: previous, built: false, seconds: (Date.now() - started) / 1000 };
  }

  await fs.mkdir(opts.out, { recursive: true });
  const work = await fs.mkdtemp(path.join(os.tmpdir(), `berth-vm-${spec.arch}-`));
  try {
    log('unpacking the kernel');
    const kernelDir = path.join(work, 'kernel');
    await unpackDebs(runner, [debOf(kernelRec)], kernelDir);
    const versions = await fs.readdir(path.join(kernelDir, 'lib/modules'));
    if (versions.length !== 1) throw new Error(`${kernelPackage} has modules for ${versions.join(', ')}`);
    const kernelVersion = versions[0];
    const modulesDir = path.join(kernelDir, 'lib/modules', kernelVersion);
    const allModules = await readModuleTree(modulesDir);
    const initMods = selectModules(allModules, initramfsModules);
    const guestMods = selectModules(allModules, rootfsModules);

    log(`unpacking ${systemRecs.length} packages`);
    const root = path.join(work, 'root');
    await unpackDebs(runner, systemRecs.map(debOf), root);
    const { applets } = await settle(root);
    await installModules(root, kernelVersion, modulesDir, guestMods, bootModules);
    await installNode(runner, nodeTgz, root, work);
    await installBerthd(spec, distDir, nodeModules, root);
    const forward = await installForward(forwardDir, root);
    await installGuestFiles(path.join(here, 'guest/rootfs'), root);
    log(
      `root: ${guestMods.length} modules, ${applets.length} busybox applets, forward files: ${forward.join(' ') || 'none'}`,
    );

    log(`making rootfs.img (squashfs, ${opts.compression})`);
    await makeSquashfs(
      runner,
      root,
      path.join(opts.out, 'rootfs.img'),
      opts.epoch,
      compressionArgs(opts.compression, spec),
    );

    await writeInitramfs(
      {
        kernelVersion,
        busybox: await fs.readFile(path.join(root, 'usr/bin/busybox')),
        init: await fs.readFile(path.join(here, 'guest/initramfs/init')),
        modules: await Promise.all(
          initMods.map(async (info) => ({ info, data: await fs.readFile(path.join(modulesDir, info.path)) })),
        ),
      },
      path.join(opts.out, 'initrd.img'),
      opts.epoch,
    );
    const kernel = await bootKernel(
      runner,
      await fs.readFile(path.join(kernelDir, 'boot', `vmlinuz-${kernelVersion}`)),
      path.join(work, 'vmlinux'),
    );
    for (const stale of ['vmlinuz', 'vmlinux.gz']) await fs.rm(path.join(opts.out, stale), { force: true });
    await fs.writeFile(path.join(opts.out, kernel.name), kernel.data);

    const files = {
      [kernel.name]: await fileEntry(path.join(opts.out, kernel.name)),
      'initrd.img': await fileEntry(path.join(opts.out, 'initrd.img')),
      'rootfs.img': await fileEntry(path.join(opts.out, 'rootfs.img')),
    };
    const base = {
      arch: spec.arch,
      kernelVersion,
      kernel: kernel.name,
      initrd: 'initrd.img',
      rootfs: 'rootfs.img',
      rootfsFormat: 'squashfs' as const,
      cmdline: kernelCmdline(spec.console),
      files,
    };
    const manifest: Manifest = {
      ...base,
      packages: records.map((r) => ({ name: r.name, version: r.version, sha256: r.sha256 })),
      node: { version: opts.nodeVersion, sha256: nodeSha },
      inputsHash: inputsDigest,
      imageHash: imageHash(base),
    };
    await fs.writeFile(`${manifestFile}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
    await fs.rename(`${manifestFile}.tmp`, manifestFile);
    return { manifest, built: true, seconds: (Date.now() - started) / 1000 };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

export function imageSize(m: Manifest): number {
  return Object.values(m.files).reduce((a, f) => a + f.size, 0);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const r = await buildImage(opts);
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  for (const [name, f] of Object.entries(r.manifest.files)) opts.log(`  ${name.padEnd(11)} ${mb(f.size)}`);
  opts.log(
    `${r.built ? 'built' : 'kept'} ${opts.out}: ${mb(imageSize(r.manifest))} in all (target ≤ 80 MB), ` +
      `Linux ${r.manifest.kernelVersion}, ${r.manifest.imageHash}, ${r.seconds.toFixed(1)} s`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((err) => {
    process.stderr.write(`vm:image: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
