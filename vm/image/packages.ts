// Which Debian packages the guest's root filesystem is made of, and how their dependencies are closed.
//
// There is no dpkg in the guest and no maintainer script ever runs (the packages are unpacked with
// dpkg-deb -x), so the closure follows Depends and Pre-Depends only, takes the first alternative of
// each `a | b` group, and leaves out the packages that exist to configure a Debian system rather than to
// run the guest's programs (debconf, dpkg, perl, usrmerge…). What their scripts would have done that
// the guest needs (alternatives' links, the CA bundle, /bin/sh) the builder does itself (rootfs.ts).

/** The programs the guest runs; their libraries come from the closure. Same names on every arch. */
export const rootPackages = [
  'busybox-static', // the init, the shell and the small tools
  'dash', // /bin/sh, as berthd's spawner and Debian's scripts expect it
  'runc',
  'crun',
  'conmon',
  'tini', // docker run --init (tini-static)
  'iptables',
  'nftables',
  'iproute2', // ip link/addr/route with veth and bridge (busybox's ip has neither)
  'util-linux', // unshare/nsenter with persistent namespaces, fstrim
  'mount',
  'e2fsprogs', // mkfs.ext4 and resize2fs for the data disk
  'procps', // docker top runs ps with the user's options
  'attr', // getfattr for layer diffs
  'ca-certificates',
  'dropbear-bin', // the guest's SSH server
  'libstdc++6', // Node's own binary links it
];

/**
 * Never unpacked: they configure a Debian system (and bring perl) but no program of the guest needs them
 * at run time. openssl only rehashes certificates in ca-certificates' postinst; the bundle is made here.
 */
export const excludedPackages = new Set([
  'debconf',
  'cdebconf',
  'dpkg',
  'perl',
  'perl-base',
  'perl-modules-5.36',
  'init-system-helpers',
  'install-info',
  'usrmerge',
  'usr-is-merged',
  'openssl',
  'tar',
  'readline-common',
  'libpam-modules',
  'libpam-runtime',
  'sensible-utils',
  'lsb-base',
]);

/** One alternative of a dependency: a real package, or a virtual one with the packages that provide it. */
export interface Alternative {
  name: string;
  virtual: boolean;
  providers: string[];
}

/** `apt-cache depends` for one package: its Depends/Pre-Depends as groups of alternatives. */
export type DependsMap = Map<string, Alternative[][]>;

/** Strips an architecture qualifier (`perl:any`, `libc6:amd64`). */
function bare(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(0, colon);
}

/**
 * Parses `apt-cache depends` output. A line ` |Depends: a` joins the next line's alternative to its
 * group; `<v>` is a virtual package, and the lines indented further under it name its providers.
 */
export function parseAptDepends(text: string): DependsMap {
  const map: DependsMap = new Map();
  let groups: Alternative[][] | undefined;
  let open = false;
  let last: Alternative | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (!line.startsWith(' ')) {
      groups = [];
      map.set(bare(line.trim()), groups);
      open = false;
      last = undefined;
      continue;
    }
    const m = /^ ([ |])([A-Za-z-]+): (.+)$/.exec(line);
    if (m) {
      last = undefined;
      if (!groups || (m[2] !== 'Depends' && m[2] !== 'PreDepends')) {
        open = false;
        continue;
      }
      const raw = m[3].trim();
      const virtual = raw.startsWith('<') && raw.endsWith('>');
      const alt: Alternative = { name: bare(virtual ? raw.slice(1, -1) : raw), virtual, providers: [] };
      if (open) groups[groups.length - 1].push(alt);
      else groups.push([alt]);
      open = m[1] === '|';
      last = alt;
      continue;
    }
    if (/^ {4}\S/.test(line) && last?.virtual) last.providers.push(bare(line.trim()));
  }
  return map;
}

export interface Resolution {
  /** Every package to unpack, sorted. */
  packages: string[];
  /** Dependencies left out on purpose (excluded, or only virtual with no provider), for the report. */
  skipped: string[];
}

/**
 * Closes the roots over their dependencies. `lookup` answers `apt-cache depends` for a batch of names
 * (one call per level of the walk). A group already satisfied by a chosen package adds nothing; else its
 * first alternative that is neither excluded nor virtual is taken, then the first provider of a virtual.
 */
export async function resolvePackages(
  roots: string[],
  lookup: (names: string[]) => Promise<DependsMap>,
  excluded: ReadonlySet<string> = excludedPackages,
): Promise<Resolution> {
  const chosen = new Set<string>();
  const skipped = new Set<string>();
  let frontier = [...new Set(roots)].filter((r) => !excluded.has(r));
  for (const r of frontier) chosen.add(r);
  while (frontier.length) {
    const deps = await lookup(frontier);
    const next: string[] = [];
    for (const pkg of frontier) {
      const groups = deps.get(pkg);
      if (!groups) throw new Error(`apt knows no package "${pkg}"`);
      for (const group of groups) {
        const names = group.flatMap((a) => (a.virtual ? a.providers : [a.name]));
        if (names.some((n) => chosen.has(n))) continue;
        const pick =
          group.find((a) => !a.virtual && !excluded.has(a.name))?.name ??
          group.flatMap((a) => (a.virtual ? a.providers : [])).find((n) => !excluded.has(n));
        if (!pick) {
          for (const a of group) skipped.add(a.name);
          continue;
        }
        chosen.add(pick);
        next.push(pick);
      }
    }
    frontier = next;
  }
  return { packages: [...chosen].sort(), skipped: [...skipped].sort() };
}

/** A package as the archive's index names it: the version apt picks and the file that holds it. */
export interface PackageRecord {
  name: string;
  version: string;
  arch: string;
  /** Path in the pool (its basename names the file in the cache). */
  filename: string;
  sha256: string;
  size: number;
}

/** Parses `apt-cache show --no-all-versions` stanzas (one per package asked for). */
export function parseAptShow(text: string): PackageRecord[] {
  const out: PackageRecord[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const m = /^([A-Za-z0-9-]+): ?(.*)$/.exec(line);
      if (m) fields.set(m[1], m[2]);
    }
    const name = fields.get('Package');
    if (!name) continue;
    const need = (k: string) => {
      const v = fields.get(k);
      if (!v) throw new Error(`apt-cache show: ${name} has no ${k}`);
      return v;
    };
    out.push({
      name,
      version: need('Version'),
      arch: need('Architecture'),
      filename: need('Filename'),
      sha256: need('SHA256'),
      size: Number(need('Size')),
    });
  }
  return out;
}

/** The kernel package a meta-package (`linux-image-amd64`) points at this time. */
export function kernelFromMeta(meta: string, deps: DependsMap): string {
  const target = deps
    .get(meta)
    ?.flat()
    .find((a) => !a.virtual && a.name.startsWith('linux-image-'));
  if (!target) throw new Error(`${meta} depends on no linux-image package`);
  return target.name;
}
