import { promises as fs, mkdirSync } from 'node:fs';
import path from 'node:path';
import { conflict, invalid, notFound } from '../../core/errors.ts';
import { readJson, writeJsonAtomic } from '../../core/fsutil.ts';
import { isValidContainerName } from '../../core/ids.ts';
import type { Logger } from '../../core/log.ts';
import type { ContainerRecord } from './model.ts';

const recordFile = 'config.v2.json';

/** Container records: in memory for lookups, one JSON file per container on disk, written atomically. */
export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly byName = new Map<string, string>();
  private readonly writes = new Map<string, Promise<void>>();
  /** Ids of removed containers (ids are never reused). */
  private readonly removed = new Set<string>();

  constructor(
    readonly root: string,
    private readonly log: Logger,
  ) {}

  dir(id: string): string {
    return path.join(this.root, id);
  }

  async load(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o700 });
    for (const id of await fs.readdir(this.root)) {
      try {
        const rec = await readJson<ContainerRecord>(path.join(this.root, id, recordFile));
        if (!rec) continue;
        this.byId.set(rec.Id, rec);
        this.byName.set(rec.Name, rec.Id);
      } catch (err) {
        this.log.warn('skipping unreadable container record', { id, error: String(err) });
      }
    }
  }

  all(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  /**
   * Writes one container's files one after the other, so that a save that is still under way (the
   * exit monitor's, say) never races the removal of the container's directory.
   */
  private serial(id: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.writes.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.writes.set(id, settled);
    return next.finally(() => {
      if (this.writes.get(id) === settled) this.writes.delete(id);
    });
  }

  async save(rec: ContainerRecord): Promise<void> {
    // A late save of a removed container must not bring it back.
    if (this.removed.has(rec.Id)) return;
    this.byId.set(rec.Id, rec);
    this.byName.set(rec.Name, rec.Id);
    await this.serial(rec.Id, async () => {
      if (this.removed.has(rec.Id)) return;
      mkdirSync(this.dir(rec.Id), { recursive: true, mode: 0o710 });
      await writeJsonAtomic(path.join(this.dir(rec.Id), recordFile), rec, false);
    });
  }

  async delete(rec: ContainerRecord): Promise<void> {
    this.removed.add(rec.Id);
    this.byId.delete(rec.Id);
    if (this.byName.get(rec.Name) === rec.Id) this.byName.delete(rec.Name);
    await this.serial(rec.Id, () => fs.rm(this.dir(rec.Id), { recursive: true, force: true }));
  }

  nameTaken(name: string): boolean {
    return this.byName.has(name.startsWith('/') ? name : `/${name}`);
  }

  /** Reserves a name for a record; throws Docker's conflict when another container holds it. */
  checkName(name: string, selfId?: string): string {
    if (!isValidContainerName(name)) {
      throw invalid(
        `Invalid container name (${name.replace(/^\//, '')}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
      );
    }
    const full = name.startsWith('/') ? name : `/${name}`;
    const holder = this.byName.get(full);
    if (holder && holder !== selfId) {
      throw conflict(
        `Conflict. The container name "${full}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    return full;
  }

  rename(rec: ContainerRecord, newName: string): void {
    this.byName.delete(rec.Name);
    rec.Name = newName;
    this.byName.set(newName, rec.Id);
  }

  /** Finds a container by full id, name, or unique id prefix, as Docker does. */
  find(ref: string): ContainerRecord | undefined {
    if (!ref) return undefined;
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const byName = this.byName.get(ref.startsWith('/') ? ref : `/${ref}`);
    if (byName) return this.byId.get(byName);
    if (!/^[a-f0-9]+$/.test(ref)) return undefined;
    let found: ContainerRecord | undefined;
    for (const rec of this.byId.values()) {
      if (rec.Id.startsWith(ref)) {
        if (found) throw invalid(`multiple IDs found with provided prefix: ${ref}`);
        found = rec;
      }
    }
    return found;
  }

  get(ref: string): ContainerRecord {
    const rec = this.find(ref);
    if (!rec) throw notFound(`No such container: ${ref}`);
    return rec;
  }
}
