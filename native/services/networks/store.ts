import { promises as fs } from 'node:fs';
import path from 'node:path';
import { notFound } from '../../core/errors.ts';
import { readJson, writeJsonAtomic } from '../../core/fsutil.ts';
import type { Logger } from '../../core/log.ts';

/** A network as Docker's API describes it (what `docker network inspect` prints), plus its bridge. */
export interface NetworkRecord {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'local';
  Driver: 'bridge' | 'host' | 'null';
  EnableIPv6: boolean;
  IPAM: {
    Driver: string;
    Options: Record<string, string> | null;
    Config: Array<{ Subnet: string; Gateway: string; IPRange?: string }>;
  };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Options: Record<string, string>;
  Labels: Record<string, string>;
  /** Whether the subnet was given by the user (static addresses are allowed only then). */
  UserSubnet?: boolean;
  /** The gateway was chosen by berthd for a subnet given without one: inspect leaves it out, as dockerd does. */
  AutoGateway?: boolean;
  /** The Linux bridge (bridge driver only). */
  BridgeName?: string;
}

export const predefined = new Set(['bridge', 'host', 'none']);

/** Network records, one JSON file each under <data-root>/network. */
export class NetworkStore {
  private readonly byId = new Map<string, NetworkRecord>();

  constructor(
    readonly dir: string,
    private readonly log: Logger,
  ) {}

  async load(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const f of await fs.readdir(this.dir)) {
      if (!f.endsWith('.json')) continue;
      const rec = await readJson<NetworkRecord>(path.join(this.dir, f)).catch(() => undefined);
      if (rec?.Id && rec.Name) this.byId.set(rec.Id, rec);
      else this.log.warn('ignoring unreadable network record', { file: f });
    }
  }

  all(): NetworkRecord[] {
    return [...this.byId.values()];
  }

  /** By full id, name, or unique id prefix, as Docker resolves network references. */
  find(ref: string): NetworkRecord | undefined {
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const byName = this.all().find((n) => n.Name === ref);
    if (byName) return byName;
    const prefixed = this.all().filter((n) => n.Id.startsWith(ref));
    return prefixed.length === 1 ? prefixed[0] : undefined;
  }

  get(ref: string): NetworkRecord {
    const n = this.find(ref);
    if (!n) throw notFound(`network ${ref} not found`);
    return n;
  }

  async save(rec: NetworkRecord): Promise<void> {
    await writeJsonAtomic(path.join(this.dir, `${rec.Id}.json`), rec);
    this.byId.set(rec.Id, rec);
  }

  async delete(rec: NetworkRecord): Promise<void> {
    await fs.rm(path.join(this.dir, `${rec.Id}.json`), { force: true });
    this.byId.delete(rec.Id);
  }
}
