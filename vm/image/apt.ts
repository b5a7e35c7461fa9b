// apt as a user runs it for another system: its own sources, lists and empty dpkg status under the
// builder's cache, for the target architecture. Nothing of the host's apt state is read or written
// (its extra repositories, its installed packages, its architecture), no root is needed, and arm64
// packages resolve on an amd64 host exactly as amd64 ones do.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { byCodeUnits } from './order.ts';
import {
  type DependsMap,
  type PackageRecord,
  parseAptDepends,
  parseAptShow,
  type Resolution,
  resolvePackages,
} from './packages.ts';
import { type Runner, runOk } from './run.ts';

export interface AptSource {
  uri: string;
  suites: string[];
}

/** Debian 12 from its own mirror (BERTH_DEBIAN_MIRROR / BERTH_DEBIAN_SECURITY_MIRROR override). */
export function debianSources(env: NodeJS.ProcessEnv = process.env): AptSource[] {
  return [
    {
      uri: env.BERTH_DEBIAN_MIRROR || 'http://deb.debian.org/debian',
      suites: ['bookworm', 'bookworm-updates'],
    },
    {
      uri: env.BERTH_DEBIAN_SECURITY_MIRROR || 'http://deb.debian.org/debian-security',
      suites: ['bookworm-security'],
    },
  ];
}

export const debianKeyring = '/usr/share/keyrings/debian-archive-keyring.gpg';

export function sourcesList(sources: AptSource[], debArch: string, keyring = debianKeyring): string {
  return sources
    .flatMap((s) =>
      s.suites.map((suite) => `deb [arch=${debArch} signed-by=${keyring}] ${s.uri} ${suite} main\n`),
    )
    .join('');
}

export class Apt {
  readonly dir: string;

  constructor(
    private readonly runner: Runner,
    cacheDir: string,
    readonly debArch: string,
    private readonly sources: AptSource[] = debianSources(),
  ) {
    this.dir = path.join(cacheDir, 'apt', debArch);
  }

  /** The -o options that point apt at this state and architecture only. */
  options(): string[] {
    const d = this.dir;
    const o = {
      'Dir::Etc::SourceList': path.join(d, 'sources.list'),
      'Dir::Etc::SourceParts': path.join(d, 'sources.list.d'),
      'Dir::Etc::Preferences': path.join(d, 'preferences'),
      'Dir::Etc::PreferencesParts': path.join(d, 'preferences.d'),
      'Dir::State::Lists': path.join(d, 'lists'),
      'Dir::State::status': path.join(d, 'status'),
      'Dir::Cache': path.join(d, 'cache'),
      'APT::Architecture': this.debArch,
      'APT::Architectures': this.debArch,
      'Acquire::Languages': 'none',
      'Debug::NoLocking': '1',
      // Downloads land in the builder's own folders, which apt's _apt user may not be able to enter.
      'APT::Sandbox::User': process.getuid?.() === 0 ? 'root' : '',
    };
    return Object.entries(o)
      .filter(([, v]) => v !== '')
      .flatMap(([k, v]) => ['-o', `${k}=${v}`]);
  }

  /** Makes the state folders; fetches the archive's indexes when there are none yet or when asked. */
  async prepare(refresh = false): Promise<void> {
    for (const sub of ['lists/partial', 'cache/archives/partial', 'sources.list.d', 'preferences.d']) {
      await fs.mkdir(path.join(this.dir, sub), { recursive: true });
    }
    await fs.writeFile(path.join(this.dir, 'sources.list'), sourcesList(this.sources, this.debArch));
    await fs.writeFile(path.join(this.dir, 'status'), '', { flag: 'a' });
    const lists = await fs.readdir(path.join(this.dir, 'lists'));
    if (refresh || !lists.some((f) => f.endsWith('_Packages'))) await this.update();
  }

  async update(): Promise<void> {
    await runOk(this.runner, 'apt-get', [...this.options(), '-q', 'update']);
  }

  async depends(names: string[]): Promise<DependsMap> {
    const out = await runOk(this.runner, 'apt-cache', [
      ...this.options(),
      'depends',
      '--no-recommends',
      '--no-suggests',
      '--no-conflicts',
      '--no-breaks',
      '--no-replaces',
      '--no-enhances',
      ...names,
    ]);
    return parseAptDepends(out);
  }

  resolve(roots: string[]): Promise<Resolution> {
    return resolvePackages(roots, (names) => this.depends(names));
  }

  /** The candidate version of each package, with the index's checksum of its file. */
  async records(names: string[]): Promise<PackageRecord[]> {
    const recs = parseAptShow(
      await runOk(this.runner, 'apt-cache', [...this.options(), 'show', '--no-all-versions', ...names]),
    );
    const missing = names.filter((n) => !recs.some((r) => r.name === n));
    if (missing.length) throw new Error(`apt has no candidate for ${missing.join(', ')}`);
    return recs.sort((a, b) => byCodeUnits(a.name, b.name));
  }

  /**
   * Puts each package's file in `debDir` under its pool name, downloading only what is not there yet
   * (checked against the index's SHA-256 either way), and answers the paths in the records' order.
   */
  async download(recs: PackageRecord[], debDir: string): Promise<string[]> {
    await fs.mkdir(debDir, { recursive: true });
    const want = recs.map((r) => ({ rec: r, file: path.join(debDir, path.basename(r.filename)) }));
    const missing: PackageRecord[] = [];
    for (const w of want) {
      if ((await sha256File(w.file).catch(() => '')) !== w.rec.sha256) missing.push(w.rec);
    }
    if (missing.length) {
      const tmp = await fs.mkdtemp(path.join(debDir, '.download-'));
      try {
        await runOk(
          this.runner,
          'apt-get',
          [...this.options(), '-q', 'download', ...missing.map((r) => `${r.name}=${r.version}`)],
          { cwd: tmp },
        );
        for (const f of await fs.readdir(tmp)) {
          const name = decodeURIComponent(f).split('_')[0];
          const rec = missing.find((r) => r.name === name);
          if (!rec) continue;
          const got = await sha256File(path.join(tmp, f));
          if (got !== rec.sha256) throw new Error(`${f}: sha256 ${got}, the index says ${rec.sha256}`);
          await fs.rename(path.join(tmp, f), path.join(debDir, path.basename(rec.filename)));
        }
      } finally {
        await fs.rm(tmp, { recursive: true, force: true });
      }
    }
    return want.map((w) => w.file);
  }
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('error', reject)
      .on('data', (b) => h.update(b))
      .on('end', () => resolve(h.digest('hex')));
  });
}
