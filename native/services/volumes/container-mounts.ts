import { existsSync, promises as fs } from 'node:fs';
import { errorMessage, invalid, isEngineError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { secureJoin } from '../../core/securejoin.ts';
import type { Sys } from '../../core/sys.ts';
import { type OciMount, tmpfsMount } from '../../runtime/mounts.ts';
import type { ContainerVolumes } from '../containers/hooks.ts';
import type { ContainerRecord, MountPoint } from '../containers/model.ts';
import type { ContainerStore } from '../containers/store.ts';
import type { EventBus } from '../events.ts';
import { copyUp } from './copy-up.ts';
import {
  anonymousVolumePoint,
  cleanPath,
  type ParsedMount,
  parseBind,
  parseMount,
  parseVolumesFrom,
} from './mount-spec.ts';
import type { VolumeService } from './service.ts';

export interface ContainerMountsDeps {
  volumes: VolumeService;
  store: ContainerStore;
  events: EventBus;
  sys: Sys;
  log: Logger;
}

/**
 * The mounts of containers: resolves Binds, Mounts, VolumesFrom and the image's VOLUMEs into mount
 * points at create, turns them into OCI mounts at start (mounting and filling volumes), and lets go
 * of them when the container exits (its `die` event) and when it is removed.
 */
export class ContainerMounts implements ContainerVolumes {
  constructor(private readonly deps: ContainerMountsDeps) {
    deps.events.subscribe((e) => {
      if (e.Type === 'container' && e.Action === 'die') {
        const rec = deps.store.find(e.Actor.ID);
        if (rec) void this.stopped(rec);
      }
    });
  }

  async prepare(rec: ContainerRecord): Promise<void> {
    const planned = this.plan(rec);
    rec.MountPoints = [];
    // Recorded one by one, so that a failure part-way lets `release` undo what was taken.
    for (const p of planned) {
      const point = { ...p.point };
      if (point.Type === 'volume') {
        const v = p.inherited
          ? await this.deps.volumes.reference(point.Name ?? '', rec.Id)
          : await this.deps.volumes.create(
              {
                Name: point.Name,
                Driver: p.volume?.driver,
                DriverOpts: p.volume && Object.keys(p.volume.options).length ? p.volume.options : null,
                Labels: p.volume && Object.keys(p.volume.labels).length ? p.volume.labels : null,
              },
              rec.Id,
              point.Anonymous === true,
            );
        point.Name = v.Name;
        point.Source = v.Mountpoint;
        point.Driver = v.Driver;
      }
      rec.MountPoints.push(point);
    }
  }

  /** Parses and validates every mount request; the later kinds override volumes-from, as in dockerd. */
  private plan(rec: ContainerRecord): Array<ParsedMount & { inherited?: boolean }> {
    const hc = rec.HostConfig;
    const byDest = new Map<string, ParsedMount & { inherited?: boolean }>();
    const tmpfs = new Set(Object.keys(hc.Tmpfs ?? {}).map(cleanPath));
    for (const spec of stringList(hc.VolumesFrom, 'VolumesFrom')) {
      const { ref, rw } = parseVolumesFrom(spec);
      const from = this.deps.store.find(ref);
      // dockerd answers 400 here: a 404 would make the CLI pull the image.
      if (!from) throw invalid(`No such container: ${ref}`);
      for (const m of from.MountPoints ?? []) {
        byDest.set(m.Destination, { point: { ...m, RW: m.RW && rw, CopyData: false }, inherited: true });
      }
    }
    const taken = new Set<string>();
    for (const raw of stringList(hc.Binds, 'Binds')) {
      const p = parseBind(raw);
      const dest = p.point.Destination;
      if (taken.has(dest) || tmpfs.has(dest)) throw invalid(`Duplicate mount point: ${dest}`);
      taken.add(dest);
      byDest.set(dest, p);
    }
    const mounts = hc.Mounts ?? [];
    if (!Array.isArray(mounts))
      throw invalid(
        'json: cannot unmarshal object into Go struct field HostConfig.Mounts of type []mount.Mount',
      );
    for (const raw of mounts) {
      const p = parseMount(raw, existsSync);
      const dest = p.point.Destination;
      if (taken.has(dest))
        throw invalid(`Duplicate mount point: ${(raw as { Target?: string }).Target ?? dest}`);
      taken.add(dest);
      byDest.set(dest, p);
    }
    for (const dest of Object.keys(rec.Config.Volumes ?? {})) {
      const point = anonymousVolumePoint(dest);
      if (byDest.has(point.Destination) || tmpfs.has(point.Destination)) continue;
      byDest.set(point.Destination, { point });
    }
    return [...byDest.values()];
  }

  async mounts(rec: ContainerRecord, rootfs: string): Promise<OciMount[]> {
    const points = [...(rec.MountPoints ?? [])].sort((a, b) => depth(a.Destination) - depth(b.Destination));
    const out: OciMount[] = [];
    const mountedHere: string[] = [];
    try {
      for (const m of points) {
        if (m.Type === 'bind') out.push(await this.bindMount(m));
        else if (m.Type === 'tmpfs') out.push(tmpfsMount(m.Destination, m.TmpfsOptions ?? ''));
        else {
          const name = m.Name ?? '';
          const fresh = !this.deps.volumes.isMountedBy(name, rec.Id);
          const dir = await this.deps.volumes.mount(name, rec.Id);
          if (fresh) mountedHere.push(name);
          if (m.CopyData) {
            await copyUp(this.deps.sys, rootfs, m.Destination, dir).catch((err) => {
              throw invalid(
                `cannot copy image content of ${m.Destination} into volume ${name}: ${errorMessage(err)}`,
              );
            });
            m.CopyData = false;
          }
          out.push({
            destination: m.Destination,
            type: 'bind',
            source: m.Subpath ? await subpathOf(dir, m.Subpath) : dir,
            options: ['rbind', m.RW ? 'rw' : 'ro', m.Propagation || 'rprivate'],
          });
        }
      }
    } catch (err) {
      for (const name of mountedHere) await this.deps.volumes.unmount(name, rec.Id).catch(() => undefined);
      throw err;
    }
    for (const m of points) {
      if (m.Type !== 'volume' || !m.Name) continue;
      this.deps.volumes.event('mount', m.Name, {
        container: rec.Id,
        destination: m.Destination,
        propagation: m.Propagation,
        'read/write': String(m.RW),
      });
    }
    return out;
  }

  private async bindMount(m: MountPoint): Promise<OciMount> {
    const st = await fs.stat(m.Source).catch(() => undefined);
    if (!st) {
      if (!m.CreateSource)
        throw invalid(`invalid mount config for type "bind": bind source path does not exist: ${m.Source}`);
      await fs.mkdir(m.Source, { recursive: true, mode: 0o755 }).catch((err) => {
        throw invalid(`error while creating mount source path '${m.Source}': ${errorMessage(err)}`);
      });
    }
    return {
      destination: m.Destination,
      type: 'bind',
      source: m.Source,
      options: [m.NonRecursive ? 'bind' : 'rbind', m.RW ? 'rw' : 'ro', m.Propagation || 'rprivate'],
    };
  }

  /** The container exited: its volumes are no longer in use by a running process. */
  private async stopped(rec: ContainerRecord): Promise<void> {
    const id = rec.Id;
    // All unmounts are queued at once (each volume serialises its operations), so that a start that
    // follows at once (restart) mounts after them.
    await Promise.all(
      (rec.MountPoints ?? [])
        .filter((m) => m.Type === 'volume' && m.Name)
        .map(async (m) => {
          const name = m.Name ?? '';
          try {
            if (await this.deps.volumes.unmount(name, id))
              this.deps.volumes.event('unmount', name, { container: id });
          } catch (err) {
            this.deps.log.warn('cannot unmount volume', { name, container: id, error: errorMessage(err) });
          }
        }),
    );
  }

  async release(rec: ContainerRecord, removeVolumes: boolean): Promise<void> {
    await this.stopped(rec);
    for (const m of rec.MountPoints ?? []) {
      if (m.Type !== 'volume' || !m.Name) continue;
      this.deps.volumes.dereference(m.Name, rec.Id);
    }
    if (!removeVolumes) return;
    for (const m of rec.MountPoints ?? []) {
      if (m.Type !== 'volume' || !m.Name || !m.Anonymous) continue;
      // Another container (--volumes-from) may still use it: that is not an error, as in dockerd.
      await this.deps.volumes.remove(m.Name).catch((err) => {
        if (!isEngineError(err, 'conflict') && !isEngineError(err, 'not-found'))
          this.deps.log.warn('cannot remove anonymous volume', { name: m.Name, error: errorMessage(err) });
      });
    }
  }

  view(rec: ContainerRecord): object[] {
    return (rec.MountPoints ?? []).map((m) => ({
      Type: m.Type,
      ...(m.Name ? { Name: m.Name } : {}),
      Source: m.Source,
      Destination: m.Destination,
      ...(m.Driver ? { Driver: m.Driver } : {}),
      Mode: m.Mode,
      RW: m.RW,
      Propagation: m.Propagation,
    }));
  }
}

function depth(p: string): number {
  return p.split('/').filter(Boolean).length;
}

function stringList(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw invalid(
      `json: cannot unmarshal ${typeof v} into Go struct field HostConfig.${field} of type []string`,
    );
  return v as string[];
}

/** A subpath of a volume, which must exist and stay inside it. */
async function subpathOf(dir: string, subpath: string): Promise<string> {
  const p = await secureJoin(dir, subpath);
  if (!(await fs.lstat(p).catch(() => undefined)))
    throw invalid(`cannot access path ${p}: volume's path is not accessible`);
  return p;
}
