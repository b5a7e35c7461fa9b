import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Apt, debianSources, sourcesList } from './apt.ts';
import type { PackageRecord } from './packages.ts';
import type { Runner, RunOptions } from './run.ts';

/** apt-get as far as the builder sees it: `download` writes each package's file, as apt names it. */
class FakeApt implements Runner {
  calls: Array<{ cmd: string; args: string[]; cwd?: string }> = [];
  constructor(private readonly files: Record<string, Buffer>) {}
  async run(cmd: string, args: string[], opts: RunOptions = {}) {
    this.calls.push({ cmd, args, cwd: opts.cwd });
    const i = args.indexOf('download');
    if (cmd === 'apt-get' && i >= 0) {
      for (const spec of args.slice(i + 1)) {
        const [name, version] = spec.split('=');
        await fs.writeFile(
          path.join(opts.cwd!, `${name}_${encodeURIComponent(version)}_amd64.deb`),
          this.files[name] ?? Buffer.alloc(0),
        );
      }
    }
    return { code: 0, stdout: '', stderr: '' };
  }
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const rec = (name: string, version: string, data: Buffer): PackageRecord => ({
  name,
  version,
  arch: 'amd64',
  filename: `pool/main/x/${name}/${name}_${version.replace(/^\d+:/, '')}_amd64.deb`,
  sha256: sha(data),
  size: data.length,
});

test("sources: Debian 12's suites for the one architecture, signed by Debian's keyring", () => {
  assert.equal(
    sourcesList(debianSources({}), 'arm64'),
    [
      'deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main',
      'deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main',
      'deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main',
      '',
    ].join('\n'),
  );
  assert.match(
    sourcesList(debianSources({ BERTH_DEBIAN_MIRROR: 'http://127.0.0.1:3142/debian' }), 'amd64'),
    /127\.0\.0\.1:3142/,
  );
});

test("apt's own state: every path under the cache, the target architecture only", () => {
  const apt = new Apt(new FakeApt({}), '/cache', 'arm64');
  const o = apt.options();
  const opts = new Map<string, string>();
  for (let i = 0; i < o.length; i += 2) {
    assert.equal(o[i], '-o');
    const [k, v] = o[i + 1].split(/=(.*)/s);
    opts.set(k, v);
  }
  assert.equal(opts.get('APT::Architecture'), 'arm64');
  assert.equal(opts.get('APT::Architectures'), 'arm64');
  for (const k of [
    'Dir::Etc::SourceList',
    'Dir::Etc::SourceParts',
    'Dir::State::Lists',
    'Dir::State::status',
    'Dir::Cache',
  ]) {
    assert.ok(opts.get(k)?.startsWith('/cache/apt/arm64/'), `${k}=${opts.get(k)}`);
  }
});

test('downloads: only what the cache lacks, under the pool name, checked against the index', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-apt-'));
  try {
    const runcDeb = Buffer.from('runc deb');
    const bbDeb = Buffer.from('busybox deb');
    const runner = new FakeApt({ runc: runcDeb, 'busybox-static': bbDeb });
    const apt = new Apt(runner, dir, 'amd64');
    const recs = [rec('busybox-static', '1:1.35.0-4', bbDeb), rec('runc', '1.1.5', runcDeb)];
    const debDir = path.join(dir, 'debs');
    const files = await apt.download(recs, debDir);
    assert.deepEqual(files, [
      path.join(debDir, 'busybox-static_1.35.0-4_amd64.deb'),
      path.join(debDir, 'runc_1.1.5_amd64.deb'),
    ]);
    assert.ok((await fs.readFile(files[0])).equals(bbDeb));
    const downloads = runner.calls.filter((c) => c.args.includes('download'));
    assert.deepEqual(
      downloads.map((c) => c.args.slice(c.args.indexOf('download') + 1)),
      [['busybox-static=1:1.35.0-4', 'runc=1.1.5']],
    );
    assert.deepEqual((await fs.readdir(debDir)).sort(), [
      'busybox-static_1.35.0-4_amd64.deb',
      'runc_1.1.5_amd64.deb',
    ]);

    // Again: nothing to fetch. A file that changed in the cache is fetched again.
    await apt.download(recs, debDir);
    assert.equal(runner.calls.filter((c) => c.args.includes('download')).length, 1);
    await fs.writeFile(files[1], 'truncated');
    await apt.download(recs, debDir);
    const last = runner.calls.filter((c) => c.args.includes('download')).at(-1)!;
    assert.deepEqual(last.args.slice(last.args.indexOf('download') + 1), ['runc=1.1.5']);

    // What the mirror sends must be what the index says.
    const liar = new Apt(new FakeApt({ runc: Buffer.from('something else') }), dir, 'amd64');
    await fs.rm(files[1]);
    await assert.rejects(liar.download(recs, debDir), /runc_1.1.5_amd64.deb: sha256 \w+, the index says/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
