import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type DependsMap,
  kernelFromMeta,
  parseAptDepends,
  parseAptShow,
  resolvePackages,
} from './packages.ts';

// As apt-cache depends --no-recommends … prints it (Debian 12), trimmed.
const aptDepends = `ca-certificates
  Depends: openssl
 |Depends: debconf
  Depends: <debconf-2.0>
    cdebconf
    debconf
  Breaks: ca-certificates-java
  Enhances: openssl
e2fsprogs
  Depends: logsave
  PreDepends: libblkid1
  PreDepends: libc6
busybox-static
  Conflicts: busybox
  Replaces: busybox
    busybox-static
iproute2
 |Suggests: python3:any
  Depends: libc6
  Depends: <perl:any>
linux-image-amd64
  Depends: linux-image-6.1.0-57-amd64
`;

test('apt-cache depends: Depends and PreDepends as groups of alternatives, virtual ones with providers', () => {
  const map = parseAptDepends(aptDepends);
  assert.deepEqual(map.get('ca-certificates'), [
    [{ name: 'openssl', virtual: false, providers: [] }],
    [
      { name: 'debconf', virtual: false, providers: [] },
      { name: 'debconf-2.0', virtual: true, providers: ['cdebconf', 'debconf'] },
    ],
  ]);
  assert.deepEqual(
    map.get('e2fsprogs')?.map((g) => g.map((a) => a.name)),
    [['logsave'], ['libblkid1'], ['libc6']],
  );
  // Conflicts/Replaces (and the provider lines under them) are no dependencies.
  assert.deepEqual(map.get('busybox-static'), []);
  // A `|Suggests` does not join the Depends after it; an arch qualifier is dropped.
  assert.deepEqual(map.get('iproute2'), [
    [{ name: 'libc6', virtual: false, providers: [] }],
    [{ name: 'perl', virtual: true, providers: [] }],
  ]);
  assert.equal(kernelFromMeta('linux-image-amd64', map), 'linux-image-6.1.0-57-amd64');
  assert.throws(() => kernelFromMeta('linux-image-arm64', map), /depends on no linux-image/);
});

/** A fake apt: answers each batch from a table and records the batches. */
function fakeLookup(table: Record<string, string[][]>) {
  const batches: string[][] = [];
  const lookup = async (names: string[]): Promise<DependsMap> => {
    batches.push([...names]);
    const map: DependsMap = new Map();
    for (const n of names) {
      const groups = table[n];
      if (!groups) continue;
      map.set(
        n,
        groups.map((g) =>
          g.map((alt) => {
            const [name, providers] = alt.split('=');
            return providers === undefined
              ? { name, virtual: false, providers: [] }
              : { name, virtual: true, providers: providers ? providers.split(',') : [] };
          }),
        ),
      );
    }
    return map;
  };
  return { lookup, batches };
}

test('resolution: first usable alternative, providers of virtual packages, exclusions, one batch per level', async () => {
  const { lookup, batches } = fakeLookup({
    app: [['libc6'], ['debconf', 'debconf-2.0=cdebconf,debconf'], ['libfoo']],
    libfoo: [['libc6'], ['mawk', 'gawk']],
    libc6: [['libgcc-s1']],
    'libgcc-s1': [['libc6']], // a cycle, as libc6 and libgcc-s1 have
    mawk: [],
    tool: [['awk=mawk,gawk'], ['perl-base']],
  });
  const r = await resolvePackages(['app', 'tool'], lookup, new Set(['debconf', 'cdebconf', 'perl-base']));
  assert.deepEqual(r.packages, ['app', 'libc6', 'libfoo', 'libgcc-s1', 'mawk', 'tool']);
  assert.deepEqual(r.skipped, ['debconf', 'debconf-2.0', 'perl-base']);
  assert.deepEqual(batches, [['app', 'tool'], ['libc6', 'libfoo', 'mawk'], ['libgcc-s1']]);
});

test('resolution: a group already met by a chosen package takes nothing more', async () => {
  const { lookup } = fakeLookup({
    a: [['gawk'], ['mawk', 'gawk']],
    gawk: [],
  });
  assert.deepEqual((await resolvePackages(['a'], lookup, new Set())).packages, ['a', 'gawk']);
});

test('resolution: a package apt does not know fails by name', async () => {
  const { lookup } = fakeLookup({ a: [['ghost']] });
  await assert.rejects(resolvePackages(['a'], lookup, new Set()), /apt knows no package "ghost"/);
});

test('apt-cache show: version, file and checksum of each candidate', () => {
  const recs = parseAptShow(`Package: runc
Version: 1.1.5+ds1-1+deb12u1
Installed-Size: 8633
Architecture: amd64
Depends: libc6 (>= 2.34), libseccomp2 (>= 2.5.0)
Description: Open Container Project - runtime
 runc is a CLI tool for spawning and running containers
 .
 more text: with a colon
Filename: pool/main/r/runc/runc_1.1.5+ds1-1+deb12u1_amd64.deb
Size: 2716392
SHA256: ${'a'.repeat(64)}

Package: busybox-static
Version: 1:1.35.0-4+deb12u1+b1
Architecture: amd64
Filename: pool/main/b/busybox/busybox-static_1.35.0-4+deb12u1+b1_amd64.deb
Size: 928188
SHA256: ${'b'.repeat(64)}
`);
  assert.deepEqual(recs, [
    {
      name: 'runc',
      version: '1.1.5+ds1-1+deb12u1',
      arch: 'amd64',
      filename: 'pool/main/r/runc/runc_1.1.5+ds1-1+deb12u1_amd64.deb',
      sha256: 'a'.repeat(64),
      size: 2716392,
    },
    {
      name: 'busybox-static',
      version: '1:1.35.0-4+deb12u1+b1',
      arch: 'amd64',
      filename: 'pool/main/b/busybox/busybox-static_1.35.0-4+deb12u1+b1_amd64.deb',
      sha256: 'b'.repeat(64),
      size: 928188,
    },
  ]);
  assert.throws(() => parseAptShow('Package: x\nVersion: 1\n'), /x has no Architecture/);
});
