import {
  chownSync,
  promises as fs,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { EngineError, errorMessage, invalid } from '../../core/errors.ts';
import { tryOr } from '../../core/fsutil.ts';
import { ownBoundingSet } from '../../runtime/capabilities.ts';
import { removeCgroup, swapLimitSupported } from '../../runtime/cgroups.ts';
import { conmonCreate, RuntimeStartError } from '../../runtime/conmon.ts';
import { devicesFromPath, throttleDevices } from '../../runtime/devices.ts';
import { buildSpec, type ContainerSpecInput } from '../../runtime/spec.ts';
import { processUser } from '../../runtime/user.ts';
import { mountRootfs, prepareRootfs, rootfsDirs, unmountRootfs } from '../../storage/container-rootfs.ts';
import { bundleDir, type ContainerContext, cgroupsPath, withLock } from '../context.ts';
import { emitContainerEvent, splitSecurityOpt } from './create.ts';
import { containerLayers } from './init-layer.ts';
import { rlimitsOf } from './limits.ts';
import { type ContainerRecord, type HostConfig, isPinned } from './model.ts';
import { joinDonorNetworkFiles, sharedNamespaces, unmountShm } from './namespaces.ts';
import { startPinned } from './pinned.ts';
import { removeLocked } from './remove.ts';
import { guard, transition } from './state.ts';

const hostCaps = ownBoundingSet();

const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export async function startContainer(ctx: ContainerContext, ref: string): Promise<void> {
  const rec = ctx.store.get(ref);
  await withLock(ctx, rec.Id, async () => {
    try {
      await startLocked(ctx, rec);
    } catch (err) {
      // `docker run --rm` waits for the removal of a container that could not start.
      if (rec.HostConfig.AutoRemove && !(err instanceof EngineError && err.kind === 'not-modified')) {
        await removeLocked(ctx, rec, { force: true, volumes: true }).catch(() => undefined);
      }
      throw err;
    }
  });
}

/** Starts a container; the caller holds the container's lock. Used by start, restart and the restart policy. */
export async function startLocked(ctx: ContainerContext, rec: ContainerRecord): Promise<void> {
  guard.start(rec);
  if (isPinned(rec)) return startPinned(ctx, rec);
  const dirs = rootfsDirs(ctx.store.dir(rec.Id));
  const bundle = bundleDir(ctx, rec.Id);
  try {
    const t0 = performance.now();
    const mark: Array<[string, number]> = [];
    const lap = (what: string) => mark.push([what, Math.round(performance.now() - t0)]);
    const image = await ctx.images.resolve(rec.Image);
    if (!image) throw invalid(`image ${rec.Image} of container ${rec.Id.slice(0, 12)} is gone`);
    await prepareRootfs(dirs);
    joinDonorNetworkFiles(ctx, rec);
    // The rootfs mount, the network namespace and a fresh bundle do not depend on each other.
    const freshBundle = async () => {
      rmSync(bundle, { recursive: true, force: true });
      mkdirSync(bundle, { recursive: true, mode: 0o700 });
      rmSync(path.join(ctx.paths.exits, rec.Id), { force: true });
      if (await ctx.runtime.hasState(rec.Id)) await ctx.runtime.delete(rec.Id, true);
    };
    const [, attached] = await Promise.all([
      containerLayers(ctx.store.dir(rec.Id), image.layerDirs).then((layers) =>
        mountRootfs(ctx.sys, dirs, layers),
      ),
      ctx.network.attach(rec),
      freshBundle(),
    ]);
    const networkReady = attached.ready ?? Promise.resolve();
    networkReady.catch(() => undefined);
    lap('mount+netns');
    const spec = await specFor(ctx, rec, dirs.merged, attached.network);
    // A new file in a new directory: nothing can read a torn one.
    writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec), { mode: 0o600 });
    lap('bundle');

    const { pid } = await conmonCreate({
      conmon: ctx.conmon,
      runtime: ctx.runtime,
      id: rec.Id,
      name: rec.Name.slice(1),
      bundle,
      logPath: rec.LogPath,
      exitDir: ctx.paths.exits,
      socketDir: ctx.paths.sockets,
      tty: rec.Config.Tty,
      stdin: rec.Config.OpenStdin,
      leaveStdinOpen: rec.Config.OpenStdin && !rec.Config.StdinOnce,
      sys: ctx.sys,
      fifos: ctx.paths.fifos,
    });
    rec.ConmonPid =
      Number(tryOr(() => readFileSync(path.join(bundle, 'conmon.pid'), 'utf8'), '0').trim()) || 0;
    const waiting = ctx.pendingAttach.get(rec.Id) ?? [];
    ctx.pendingAttach.delete(rec.Id);
    lap('create');
    // The interfaces were set up while the runtime created the container; the process starts after.
    await networkReady;
    lap('network');
    await Promise.all(waiting.map((connect) => connect()));
    await ctx.runtime.start(rec.Id, pid);
    lap('start');
    transition.started(rec, pid, ctx.clock.now());
    rec.RuntimeName = ctx.runtime.name;
    rec.ManuallyStopped = false;
    await ctx.store.save(rec);
    lap('saved');
    ctx.log.debug('container started', { id: rec.Id.slice(0, 12), ms: Object.fromEntries(mark) });
    emitContainerEvent(ctx, rec, 'start');
    ctx.lifecycle.emit(`started:${rec.Id}`);
    // A process that exits at once may have left its exit file before the record said `running`.
    ctx.lifecycle.emit('started', rec.Id);
    ctx.health.started(rec);
  } catch (err) {
    await cleanupAfterFailedStart(ctx, rec, bundle, dirs);
    const msg = errorMessage(err);
    transition.startFailed(rec, msg, exitCodeForStartError(msg));
    await ctx.store.save(rec).catch(() => undefined);
    if (err instanceof RuntimeStartError) {
      throw new EngineError(
        /not found|no such file|permission denied|not a directory/i.test(msg) ? 'invalid' : 'internal',
        `failed to create shim task: OCI runtime create failed: ${msg}: unknown`,
      );
    }
    throw err;
  }
}

export function exitCodeForStartError(msg: string): number {
  if (/executable file not found|no such file or directory/i.test(msg)) return 127;
  if (/permission denied|not a directory|is a directory/i.test(msg)) return 126;
  return 128;
}

async function cleanupAfterFailedStart(
  ctx: ContainerContext,
  rec: ContainerRecord,
  bundle: string,
  dirs: ReturnType<typeof rootfsDirs>,
) {
  ctx.pendingAttach.delete(rec.Id);
  await ctx.runtime.delete(rec.Id, true).catch(() => undefined);
  await ctx.network.detach(rec).catch(() => undefined);
  await unmountRootfs(ctx.sys, dirs).catch(() => undefined);
  await unmountShm(ctx, rec).catch(() => undefined);
  await removeCgroup(ctx.cgroups, cgroupsPath(rec.Id)).catch(() => undefined);
  await fs.rm(bundle, { recursive: true, force: true }).catch(() => undefined);
  await fs.rm(path.join(ctx.paths.exits, rec.Id), { force: true }).catch(() => undefined);
  await fs.rm(path.join(ctx.paths.sockets, rec.Id), { force: true }).catch(() => undefined);
}

/** `--group-add` of a container, for its process and for its execs. */
export function groupAdd(rec: ContainerRecord): string[] {
  const g = rec.HostConfig.GroupAdd;
  return Array.isArray(g) ? g.filter((x): x is string => typeof x === 'string') : [];
}

/** The value of a security option (`key=value`, or the older `key:value`). */
function securityOpt(rec: ContainerRecord, key: string): string | undefined {
  for (const o of rec.HostConfig.SecurityOpt ?? []) {
    const [k, v] = splitSecurityOpt(o);
    if (k === key) return v ?? 'true';
  }
  return undefined;
}

/** `seccomp=unconfined`, a profile's JSON, or (none, `builtin`) Docker's default profile. */
function seccompOf(rec: ContainerRecord): 'default' | 'unconfined' | { profile: string } {
  const v = securityOpt(rec, 'seccomp');
  if (v === 'unconfined') return 'unconfined';
  if (v === undefined || v === 'builtin' || v === '') return 'default';
  return { profile: v };
}

/** Builds the OCI spec of a container from its record and its mounted rootfs. */
export async function specFor(
  ctx: ContainerContext,
  rec: ContainerRecord,
  rootfs: string,
  network: ContainerSpecInput['network'],
) {
  const user = await processUser(rootfs, rec.Config.User, groupAdd(rec));
  let env = [...rec.Config.Env];
  const has = (k: string) => env.some((e) => e.startsWith(`${k}=`));
  if (!has('PATH')) env.unshift(defaultPath);
  if (!has('HOSTNAME')) env.push(`HOSTNAME=${rec.Config.Hostname}`);
  if (rec.Config.Tty && !has('TERM')) env.push('TERM=xterm');
  if (!has('HOME')) env.push(`HOME=${user.home || '/'}`);
  env = env.filter((e) => e.includes('='));
  const cwd = rec.Config.WorkingDir || '/';
  // dockerd 20.10 makes a missing working directory as root, whatever the user.
  if (cwd !== '/') await ensureDirInRootfs(rootfs, cwd, 0, 0);
  const hc = rec.HostConfig;
  let init: string | undefined;
  if (hc.Init) {
    if (!ctx.initBinary) throw invalid('--init requested but no init binary (tini) is installed');
    init = ctx.initBinary;
  }
  const seccomp = seccompOf(rec);
  const sharing = await sharedNamespaces(ctx, rec);
  return buildSpec({
    ...sharing,
    id: rec.Id,
    rootfs,
    readonlyRootfs: hc.ReadonlyRootfs,
    args: [rec.Path, ...rec.Args],
    env,
    cwd,
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    tty: rec.Config.Tty,
    openStdin: rec.Config.OpenStdin,
    hostname: rec.Config.Hostname,
    domainname: rec.Config.Domainname || undefined,
    files: { hosts: rec.HostsPath, hostname: rec.HostnamePath, resolvConf: rec.ResolvConfPath },
    tmpfs: hc.Tmpfs ?? {},
    shmSize: hc.ShmSize,
    privileged: hc.Privileged,
    capAdd: hc.CapAdd ?? [],
    capDrop: hc.CapDrop ?? [],
    noNewPrivileges: securityOpt(rec, 'no-new-privileges') === 'true',
    seccomp,
    resources: {
      memory: hc.Memory || undefined,
      memorySwap: hc.MemorySwap || undefined,
      memoryReservation: hc.MemoryReservation || undefined,
      oomKillDisable: hc.OomKillDisable === true && ctx.cgroups.version === 1,
      nanoCpus: hc.NanoCpus || undefined,
      cpuShares: hc.CpuShares || undefined,
      cpuQuota: hc.CpuQuota || undefined,
      cpuPeriod: hc.CpuPeriod || undefined,
      cpusetCpus: hc.CpusetCpus || undefined,
      pidsLimit: hc.PidsLimit && hc.PidsLimit > 0 ? hc.PidsLimit : undefined,
      blkioThrottle: await blkioThrottle(hc),
    },
    rlimits: rlimitsOf(hc.Ulimits),
    devices: await userDevices(hc.Devices),
    cgroupsPath: cgroupsPath(rec.Id),
    network,
    extraMounts: await ctx.volumes.mounts(rec, rootfs),
    init,
    stopSignal: rec.Config.StopSignal,
    cgroupV2: ctx.cgroups.version === 2,
    swapLimit: swapLimitSupported(ctx.cgroups),
    hostCapabilities: hostCaps,
  });
}

/** The host devices of `--device`, gathered at each start as dockerd does (they may come and go). */
async function userDevices(mappings: HostConfig['Devices']) {
  const out = [];
  for (const m of mappings ?? []) {
    try {
      out.push(...(await devicesFromPath(m.PathOnHost, m.PathInContainer, m.CgroupPermissions)));
    } catch (err) {
      throw invalid(errorMessage(err));
    }
  }
  return out;
}

type ThrottleList = Array<{ Path: string; Rate: number }> | null | undefined;

async function blkioThrottle(hc: HostConfig) {
  const list = (k: string) =>
    throttleDevices(hc[k] as ThrottleList).catch((err) => {
      throw invalid(errorMessage(err));
    });
  return {
    throttleReadBpsDevice: await list('BlkioDeviceReadBps'),
    throttleWriteBpsDevice: await list('BlkioDeviceWriteBps'),
    throttleReadIOPSDevice: await list('BlkioDeviceReadIOps'),
    throttleWriteIOPSDevice: await list('BlkioDeviceWriteIOps'),
  };
}

/** Creates the working directory inside the rootfs without following symlinks out of it. */
async function ensureDirInRootfs(rootfs: string, dir: string, uid: number, gid: number): Promise<void> {
  let cur = rootfs;
  for (const part of dir.split('/').filter(Boolean)) {
    if (part === '..' || part === '.') continue;
    const next = path.join(cur, part);
    const st = tryOr(() => lstatSync(next), undefined);
    if (!st) {
      mkdirSync(next, { mode: 0o755 });
      tryOr(() => chownSync(next, uid, gid), undefined);
    } else if (st.isSymbolicLink()) {
      return; // leave symlinked paths to the runtime, which resolves them inside the rootfs
    } else if (!st.isDirectory()) {
      throw invalid(`Cannot mkdir: ${dir} is not a directory`);
    }
    cur = next;
  }
}
