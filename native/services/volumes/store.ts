import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isNoEnt, mkdirp, readJson, rmrf, writeJsonAtomic } from '../../core/fsutil.ts';
import type { Logger } from '../../core/log.ts';
import { isMounted } from '../../storage/container-rootfs.ts';

/** A volume's metadata, as it is kept beside its data (`<root>/<name>/volume.json`). */
export interface VolumeRecord {
  Name: string;
  Driver: string;
  Labels: Record<string, string> | null;
  /** The local driver's options (`type`, `device`, `o`); null when none were given. */
  Options: Record<string, string> | null;
  CreatedAt: string;
}

const metaFile = 'volume.json';

/**
 * Volumes on disk: `<root>/<name>/_data` holds the data, `<root>/<name>/volume.json` the metadata,
 * written atomically after `_data` exists, so a volume is there entirely or not at all. Removal
 * renames the directory away first (names never start with a dot) and then deletes it.
 */
export class VolumeStore {
  private readonly byName = new Map<string, VolumeRecord>();

  constructor(
    readonly root: string,
    private readonly log: Logger,
  ) {}

  dir(name: string): string {
    return path.join(this.root, name);
  }

  dataDir(name: string): string {
    return path.join(this.root, name, '_data');
  }

  async load(): Promise<void> {
    await mkdirp(this.root, 0o701);
    for (const entry of await fs.readdir(this.root)) {
      const dir = path.join(this.root, entry);
      if (entry.startsWith('.')) {
        // A removal cut short by a crash: finish it, unless something is still mounted there.
        if (!(await isMounted(path.join(dir, '_data')))) await rmrf(dir).catch(() => undefined);
        continue;
      }
      try {
        let rec = await readJson<VolumeRecord>(path.join(dir, metaFile));
        if (!rec) {
          // Data without metadata (a crash between the two, or a directory put there by hand): keep
          // the data and adopt it as a plain volume.
          const st = await fs.stat(path.join(dir, '_data')).catch(() => undefined);
          if (!st?.isDirectory()) continue;
          rec = { Name: entry, Driver: 'local', Labels: null, Options: null, CreatedAt: createdAt(st.ctime) };
          await writeJsonAtomic(path.join(dir, metaFile), rec);
        }
        this.byName.set(rec.Name, rec);
      } catch (err) {
        this.log.warn('skipping unreadable volume', { name: entry, error: String(err) });
      }
    }
  }

  get(name: string): VolumeRecord | undefined {
    return this.byName.get(name);
  }

  all(): VolumeRecord[] {
    return [...this.byName.values()];
  }

  async create(rec: VolumeRecord): Promise<void> {
    await mkdirp(this.dir(rec.Name), 0o701);
    await fs.mkdir(this.dataDir(rec.Name), { mode: 0o755 }).catch((err) => {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    });
    await writeJsonAtomic(path.join(this.dir(rec.Name), metaFile), rec);
    this.byName.set(rec.Name, rec);
  }

  /** Deletes a volume and its data; the caller has made sure nothing is mounted on it. */
  async delete(name: string): Promise<void> {
    // Never recurse into a mounted device (a bind-style volume's source would go with it).
    if (await isMounted(this.dataDir(name))) throw new Error(`volume ${name} is still mounted`);
    const trash = path.join(this.root, `.${name}.${randomBytes(4).toString('hex')}.removing`);
    try {
      await fs.rename(this.dir(name), trash);
    } catch (err) {
      if (!isNoEnt(err)) throw err;
    }
    this.byName.delete(name);
    await rmrf(trash);
  }
}

/** RFC 3339 in whole seconds, as dockerd shows a volume's CreatedAt. */
export function createdAt(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}
