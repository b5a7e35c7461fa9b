import path from 'node:path';
import type { Clock } from '../../core/clock.ts';
import { conflict, errorMessage, invalid, isEngineError, notFound, wrap } from '../../core/errors.ts';
import { dirSize } from '../../core/fsutil.ts';
import type { Logger } from '../../core/log.ts';
import { runOk, type Sys } from '../../core/sys.ts';
import type { ContainerRecord } from '../containers/model.ts';
import { hasProcess } from '../containers/state.ts';
import type { EventInput } from '../events.ts';
import { labelsMatch } from '../filters.ts';
import { localOptionsError, mountLocal, needsMount, unmountLocal } from './local-driver.ts';
import { anonymousLabel, anonymousVolumeName, volumeNameError } from './names.ts';
import { createdAt, type VolumeRecord, VolumeStore } from './store.ts';

export interface VolumeServiceOptions {
  /** `<data-root>/volumes`. */
  root: string;
  sys: Sys;
  log: Logger;
  clock: Clock;
  emit: (e: EventInput) => void;
}

export interface CreateVolumeRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** A volume as the API shows it (`docker volume inspect`). */
export interface VolumeView {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: 'local';
}

/**
 * Named and anonymous volumes of the local driver. Two counts per volume: the containers that refer
 * to it (a volume in use cannot be removed; seeded from the container records at start) and the
 * users that have it mounted (a volume with mount options is mounted for the first and unmounted
 * after the last). Operations on one volume are serialised.
 */
export class VolumeService {
  readonly store: VolumeStore;
  private readonly refs = new Map<string, Set<string>>();
  private readonly active = new Map<string, Set<string>>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: VolumeServiceOptions) {
    this.store = new VolumeStore(opts.root, opts.log);
  }

  /** Loads the volumes and who uses them; unmounts option volumes left mounted with no running user. */
  async init(containers: ContainerRecord[]): Promise<void> {
    await this.store.load();
    for (const c of containers) {
      const running = hasProcess(c.State.Status);
      for (const m of c.MountPoints ?? []) {
        if (m.Type !== 'volume' || !m.Name) continue;
        add(this.refs, m.Name, c.Id);
        if (running) add(this.active, m.Name, c.Id);
      }
    }
    for (const v of this.store.all()) {
      if (needsMount(v.Options) && !this.active.get(v.Name)?.size) {
        await unmountLocal(this.opts.sys, this.store.dataDir(v.Name)).catch((err) =>
          this.opts.log.warn('cannot unmount stale volume', { name: v.Name, error: errorMessage(err) }),
        );
      }
    }
  }

  /** Creates a volume, or returns the existing one of that name; `ref` records a container's use. */
  async create(req: CreateVolumeRequest, ref?: string, anonymous = false): Promise<VolumeView> {
    const name = req.Name || anonymousVolumeName();
    const nameErr = volumeNameError(name);
    if (nameErr) throw invalid(`create ${name}: ${nameErr}`);
    const driver = req.Driver || 'local';
    if (driver !== 'local')
      throw notFound(
        `create ${name}: error looking up volume plugin ${driver}: plugin ${JSON.stringify(driver)} not found`,
      );
    const options = req.DriverOpts ?? null;
    const view = await this.locked(name, async () => {
      let rec = this.store.get(name);
      // As in dockerd, a volume that exists is returned as it is, whatever options come with the name.
      if (!rec) {
        const optErr = localOptionsError(options ?? {});
        if (optErr) throw invalid(`create ${name}: ${optErr}`);
        // A volume made without a name is anonymous, whoever asks (dockerd ≥ 23; `volume prune` takes it).
        const anon = anonymous || !req.Name;
        const labels = { ...(req.Labels ?? {}), ...(anon ? { [anonymousLabel]: '' } : {}) };
        rec = {
          Name: name,
          Driver: 'local',
          Labels: Object.keys(labels).length || req.Labels ? labels : null,
          Options: options,
          CreatedAt: createdAt(new Date(this.opts.clock.now())),
        };
        await this.store.create(rec);
      }
      if (ref) add(this.refs, name, ref);
      return this.view(rec);
    });
    this.emit('create', name);
    return view;
  }

  get(name: string): VolumeRecord {
    const rec = this.store.get(name);
    if (!rec) throw notFound(`get ${name}: no such volume`);
    return rec;
  }

  inspect(name: string): VolumeView {
    return this.view(this.get(name));
  }

  /** Records that a container uses an existing volume (`--volumes-from`). */
  async reference(name: string, ref: string): Promise<VolumeView> {
    return this.locked(name, async () => {
      const view = this.inspect(name);
      add(this.refs, name, ref);
      return view;
    });
  }

  /** Forgets a container's use of a volume. */
  dereference(name: string, ref: string): void {
    drop(this.refs, name, ref);
  }

  /** IDs of the containers that use a volume. */
  usersOf(name: string): string[] {
    return [...(this.refs.get(name) ?? [])];
  }

  list(filters: Record<string, string[]>): { Volumes: VolumeView[]; Warnings: null } {
    const known = new Set(['dangling', 'name', 'driver', 'label', 'label!']);
    for (const k of Object.keys(filters)) if (!known.has(k)) throw invalid(`Invalid filter '${k}'`);
    let dangling: boolean | undefined;
    const d = filters.dangling;
    if (d?.length) {
      // dockerd's order: any true wins, then any false; the values are printed as Go prints a slice.
      if (d.includes('true') || d.includes('1')) dangling = true;
      else if (d.includes('false') || d.includes('0')) dangling = false;
      else throw invalid(`Invalid filter 'dangling=[${d.join(' ')}]'`);
    }
    const matchesName = (name: string) =>
      (filters.name ?? []).some((n) => {
        try {
          return new RegExp(n).test(name);
        } catch {
          return name.includes(n);
        }
      });
    const volumes = this.store.all().filter((v) => {
      if (dangling !== undefined && dangling !== (this.usersOf(v.Name).length === 0)) return false;
      if (filters.name?.length && !matchesName(v.Name)) return false;
      if (filters.driver?.length && !filters.driver.includes(v.Driver)) return false;
      return labelsMatch(v.Labels ?? {}, filters.label ?? [], filters['label!'] ?? []);
    });
    return { Volumes: volumes.map((v) => this.view(v)), Warnings: null };
  }

  /** Removes a volume; 409 while a container uses it. `force` ignores a missing volume. */
  async remove(name: string, force = false): Promise<void> {
    await this.locked(name, async () => {
      if (!this.store.get(name)) {
        if (force) return;
        throw notFound(`get ${name}: no such volume`);
      }
      const users = this.usersOf(name);
      if (users.length) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
      this.active.delete(name);
      await unmountLocal(this.opts.sys, this.store.dataDir(name));
      await this.store.delete(name);
    });
    this.emit('destroy', name);
  }

  /**
   * Removes unused volumes: only anonymous ones unless `all` is set (API ≥ 1.42), narrowed by
   * `label` / `label!`.
   */
  async prune(
    filters: Record<string, string[]>,
  ): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }> {
    const known = new Set(['label', 'label!', 'all']);
    for (const k of Object.keys(filters)) if (!known.has(k)) throw invalid(`Invalid filter '${k}'`);
    let all = false;
    for (const v of filters.all ?? []) {
      if (['true', '1'].includes(v.toLowerCase())) all = true;
      else if (!['false', '0'].includes(v.toLowerCase())) throw invalid(`invalid filter 'all=${v}'`);
    }
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const v of this.store.all()) {
      const labels = v.Labels ?? {};
      if (this.usersOf(v.Name).length) continue;
      if (!all && !(anonymousLabel in labels)) continue;
      if (!labelsMatch(labels, filters.label ?? [], filters['label!'] ?? [])) continue;
      const size = needsMount(v.Options) ? 0 : await dirSize(this.store.dataDir(v.Name));
      try {
        await this.remove(v.Name);
      } catch (err) {
        if (isEngineError(err, 'conflict') || isEngineError(err, 'not-found')) continue;
        throw err;
      }
      deleted.push(v.Name);
      reclaimed += size;
    }
    this.opts.emit({
      Type: 'volume',
      Action: 'prune',
      Actor: { ID: '', Attributes: { reclaimed: String(reclaimed) } },
    });
    return { VolumesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }

  /** Volumes with their size and number of users, for `docker system df`. */
  async usage(): Promise<Array<VolumeView & { UsageData: { Size: number; RefCount: number } }>> {
    const out = [];
    for (const v of this.store.all()) {
      const size = await dirSize(this.store.dataDir(v.Name));
      out.push({ ...this.view(v), UsageData: { Size: size, RefCount: this.usersOf(v.Name).length } });
    }
    return out;
  }

  /**
   * Makes a volume's data available to `user` and returns its path: a volume with mount options is
   * mounted for its first user.
   */
  async mount(name: string, user: string): Promise<string> {
    return this.locked(name, async () => {
      const rec = this.get(name);
      const dir = this.store.dataDir(name);
      if (needsMount(rec.Options) && !this.active.get(name)?.size) {
        try {
          await mountLocal(this.opts.sys, rec.Options ?? {}, dir);
        } catch (err) {
          throw invalid(`error while mounting volume '${dir}': ${errorMessage(err)}`);
        }
      }
      add(this.active, name, user);
      return dir;
    });
  }

  /** Ends `user`'s use of a volume's data; a volume with mount options is unmounted after its last user. */
  async unmount(name: string, user: string): Promise<boolean> {
    return this.locked(name, async () => {
      if (!this.active.get(name)?.has(user)) return false;
      drop(this.active, name, user);
      const rec = this.store.get(name);
      if (rec && needsMount(rec.Options) && !this.active.get(name)?.size) {
        await unmountLocal(this.opts.sys, this.store.dataDir(name));
      }
      return true;
    });
  }

  /** Whether `user` has a volume mounted (a container between start and exit). */
  isMountedBy(name: string, user: string): boolean {
    return this.active.get(name)?.has(user) ?? false;
  }

  /** Runs fn with the volume's data available (mounting it for the while when it has mount options). */
  async withData<T>(name: string, fn: (dir: string) => Promise<T>): Promise<T> {
    const user = `berth-files-${anonymousVolumeName().slice(0, 12)}`;
    const dir = await this.mount(name, user);
    try {
      return await fn(dir);
    } finally {
      await this.unmount(name, user).catch(() => undefined);
    }
  }

  /**
   * A new volume `target` with a copy of `source`'s data (owners, modes, times, links and xattrs kept),
   * made while `source` may be in use; the new volume goes again when the copy fails.
   */
  async clone(source: string, target: string): Promise<VolumeView> {
    this.get(source);
    if (this.store.get(target)) throw conflict(`clone ${source}: a volume named ${target} already exists`);
    const view = await this.create({ Name: target });
    try {
      await this.withData(source, (from) =>
        this.withData(target, (to) =>
          runOk(this.opts.sys, 'cp', ['-a', '--no-target-directory', '--', `${from}/.`, to]),
        ),
      );
    } catch (err) {
      await this.remove(target).catch(() => undefined);
      throw wrap(`clone ${source} to ${target}`, err);
    }
    return view;
  }

  private view(rec: VolumeRecord): VolumeView {
    return {
      CreatedAt: rec.CreatedAt,
      Driver: rec.Driver,
      Labels: rec.Labels,
      Mountpoint: path.join(this.store.root, rec.Name, '_data'),
      Name: rec.Name,
      Options: rec.Options,
      Scope: 'local',
    };
  }

  private emit(action: string, name: string, extra: Record<string, string> = {}): void {
    this.opts.emit({
      Type: 'volume',
      Action: action,
      Actor: { ID: name, Attributes: { driver: 'local', ...extra } },
    });
  }

  /** A volume event with Docker's attributes (the container mounts emit `mount` and `unmount`). */
  event(action: string, name: string, attributes: Record<string, string>): void {
    this.emit(action, name, attributes);
  }

  private async locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(name) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.locks.set(name, settled);
    try {
      return await next;
    } finally {
      if (this.locks.get(name) === settled) this.locks.delete(name);
    }
  }
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  const s = map.get(key) ?? new Set<string>();
  s.add(value);
  map.set(key, s);
}

function drop(map: Map<string, Set<string>>, key: string, value: string): void {
  const s = map.get(key);
  if (!s) return;
  s.delete(value);
  if (s.size === 0) map.delete(key);
}
