// The namespaces a container shares with the host or with another container (`--ipc`, `--pid`, `--uts`,
// and the hostname and files that come with `--network container:`), checked and resolved as dockerd
// 20.10 does: references to other containers are resolved at create, their state is checked at start.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { conflict, internal, invalid, notFound } from '../../core/errors.ts';
import { hasOwnFilesystem, mkdirp } from '../../core/fsutil.ts';
import { runOk } from '../../core/sys.ts';
import { defaultShmSize } from '../../runtime/mounts.ts';
import type { ContainerSpecInput } from '../../runtime/spec.ts';
import type { ContainerContext } from '../context.ts';
import { type ContainerRecord, type HostConfig, isPinned } from './model.ts';
import { hasProcess } from './state.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const donorOf = (mode: string) =>
  mode.startsWith('container:') ? mode.slice('container:'.length) : undefined;

/**
 * At create: `container:<name>` of --ipc and --pid must name a container (400 otherwise: a 404 would
 * make the CLI pull) and is stored with its full id; a hostname cannot go with the host's UTS namespace.
 * `--network container:` is resolved when it can be (dockerd checks it only at start), and refuses what
 * only a network of the container's own would have, in dockerd's order and words: a hostname, links,
 * DNS servers, extra hosts, a MAC address (the host's network too), published and exposed ports. Only
 * the request's own settings count: an image's EXPOSE does not.
 */
export function resolveSharing(
  ctx: ContainerContext,
  hc: HostConfig,
  config: { Hostname?: unknown; MacAddress?: unknown; ExposedPorts?: unknown },
): void {
  hc.IpcMode = str(hc.IpcMode) || 'private';
  for (const key of ['IpcMode', 'PidMode'] as const) {
    const ref = donorOf(str(hc[key]));
    if (ref === undefined) continue;
    const donor = ctx.store.find(ref);
    if (!donor) throw invalid(`No such container: ${ref}`);
    hc[key] = `container:${donor.Id}`;
  }
  const hostname = str(config.Hostname);
  if (str(hc.UTSMode) === 'host' && hostname) throw invalid('conflicting options: hostname and the UTS mode');
  const netRef = donorOf(hc.NetworkMode);
  const some = (v: unknown) => (Array.isArray(v) ? v.length > 0 : !!v && Object.keys(v).length > 0);
  if (hc.NetworkMode === 'host' && str(config.MacAddress))
    throw invalid('conflicting options: mac-address and the network mode');
  if (netRef === undefined) return;
  if (hostname) throw invalid('conflicting options: hostname and the network mode');
  if (some(hc.Links))
    throw invalid(
      "conflicting options: container type network can't be used with links. This would result in undefined behavior",
    );
  if (some(hc.Dns)) throw invalid('conflicting options: dns and the network mode');
  if (some(hc.ExtraHosts))
    throw invalid('conflicting options: custom host-to-IP mapping and the network mode');
  if (str(config.MacAddress)) throw invalid('conflicting options: mac-address and the network mode');
  if (some(hc.PortBindings) || hc.PublishAllPorts === true)
    throw invalid('conflicting options: port publishing and the container type network mode');
  if (some(config.ExposedPorts))
    throw invalid('conflicting options: port exposing and the container type network mode');
  const donor = ctx.store.find(netRef);
  if (donor) hc.NetworkMode = `container:${donor.Id}`;
}

/** The hostname a container gets when none was asked for: the host's in the host's network. */
export function defaultHostname(hc: HostConfig, id: string): string {
  return hc.NetworkMode === 'host' ? os.hostname() : id.slice(0, 12);
}

/** The bind-mounted IPC namespace of a container with no process (pinned.ts). */
export function ipcPinPath(ctx: ContainerContext, id: string): string {
  return path.join(ctx.paths.execRoot, 'ipcns', id);
}

/** Where a shareable container's /dev/shm lives on the host, so that others can mount it too. */
export function shmDir(ctx: ContainerContext, rec: ContainerRecord): string {
  return path.join(ctx.store.dir(rec.Id), 'mounts', 'shm');
}

/**
 * At start: the namespaces and the /dev/shm of the container's spec. A shareable container gets its
 * /dev/shm mounted on the host first; `container:` modes need the other container running (and, for
 * ipc, shareable), with dockerd's words when it is not.
 */
export async function sharedNamespaces(
  ctx: ContainerContext,
  rec: ContainerRecord,
): Promise<Pick<ContainerSpecInput, 'shared' | 'shm'>> {
  const hc = rec.HostConfig;
  const shared: NonNullable<ContainerSpecInput['shared']> = {};
  let shm: ContainerSpecInput['shm'];

  const ipc = str(hc.IpcMode) || 'private';
  const ipcDonor = donorOf(ipc);
  if (ipcDonor !== undefined) {
    const refused = `can't join IPC of container ${ipcDonor}`;
    const donor = ctx.store.find(ipcDonor);
    if (!donor) throw notFound(`${refused}: No such container: ${ipcDonor}`);
    if (!hasProcess(donor.State.Status)) throw internal(`${refused}: container ${donor.Id} is not running`);
    const source = shmSource(ctx, donor);
    if (!source || !(await hasOwnFilesystem(source)))
      throw internal(`${refused}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
    shared.ipc = {
      mode: 'path',
      path: isPinned(donor) ? ipcPinPath(ctx, donor.Id) : `/proc/${donor.State.Pid}/ns/ipc`,
    };
    shm = { mode: 'bind', source };
  } else if (ipc === 'host') {
    shared.ipc = { mode: 'host' };
    shm = { mode: 'bind', source: '/dev/shm' };
  } else if (ipc === 'none') {
    shm = { mode: 'none' };
  } else if (ipc === 'shareable') {
    const dir = shmDir(ctx, rec);
    if (!(await hasOwnFilesystem(dir))) {
      await mkdirp(dir, 0o700);
      const size = Number(hc.ShmSize) || defaultShmSize;
      await runOk(ctx.sys, 'mount', [
        '-t',
        'tmpfs',
        '-o',
        `nosuid,nodev,noexec,mode=1777,size=${size}`,
        'shm',
        dir,
      ]);
    }
    shm = { mode: 'bind', source: dir };
  } else if (ipc !== 'private') {
    throw internal(`Invalid IPC mode: ${ipc}`);
  }

  const pid = str(hc.PidMode);
  const pidDonor = donorOf(pid);
  if (pidDonor !== undefined) {
    const donor = ctx.store.get(pidDonor);
    if (!hasProcess(donor.State.Status)) throw internal(`container ${donor.Id} is not running`);
    if (isPinned(donor))
      throw invalid(`cannot join the PID namespace of container ${donor.Id}: it runs no process`);
    shared.pid = { mode: 'path', path: `/proc/${donor.State.Pid}/ns/pid` };
  } else if (pid === 'host') {
    shared.pid = { mode: 'host' };
  }

  if (str(hc.UTSMode) === 'host') shared.uts = { mode: 'host' };
  return { shared, ...(shm ? { shm } : {}) };
}

/** The host directory of a container's /dev/shm that others may join: its own, or its donor's. */
function shmSource(ctx: ContainerContext, rec: ContainerRecord, depth = 0): string | undefined {
  const ipc = str(rec.HostConfig.IpcMode);
  if (ipc === 'shareable') return shmDir(ctx, rec);
  if (ipc === 'host') return '/dev/shm';
  const donor = donorOf(ipc);
  const next = donor === undefined || depth > 8 ? undefined : ctx.store.find(donor);
  return next ? shmSource(ctx, next, depth + 1) : undefined;
}

/** Unmounts a shareable container's /dev/shm once it stopped (dockerd does the same). */
export async function unmountShm(ctx: ContainerContext, rec: ContainerRecord): Promise<void> {
  const dir = shmDir(ctx, rec);
  if (!(await hasOwnFilesystem(dir))) return;
  const r = await ctx.sys.run('umount', [dir]);
  if (r.code !== 0) await ctx.sys.run('umount', ['-l', dir]);
  await fs.rmdir(dir).catch(() => undefined);
}

/**
 * `--network container:<id>`: the container takes its donor's hostname and /etc files, as dockerd
 * sets them at each start. A missing donor is the 404 dockerd answers.
 */
export function joinDonorNetworkFiles(ctx: ContainerContext, rec: ContainerRecord): void {
  const ref = donorOf(rec.HostConfig.NetworkMode);
  if (ref === undefined) return;
  const donor = ctx.store.get(ref);
  if (!hasProcess(donor.State.Status))
    throw conflict(`cannot join network of a non running container: ${donor.Id}`);
  rec.Config.Hostname = donor.Config.Hostname;
  rec.Config.Domainname = donor.Config.Domainname;
  rec.HostnamePath = donor.HostnamePath;
  rec.HostsPath = donor.HostsPath;
  rec.ResolvConfPath = donor.ResolvConfPath;
}
