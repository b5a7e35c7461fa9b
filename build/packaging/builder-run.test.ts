// electron-builder itself, run on a small copy of the project with build/electron-builder.yml: what a
// package holds (found where the app looks for it, electron/main/app/app-resources.ts), with and without
// a VM image; and its failures to download, told in one line. A stand-in Electron (a shell script) takes the
// place of the binary that cannot be downloaded here; downloads go to a mirror on 127.0.0.1 that has
// nothing. Linux only: the resources' layout tested is Linux's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { appResources } from '../../electron/main/app/app-resources.ts';
import { runElectronBuilder } from './builder-run.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const linux = process.platform === 'linux';
const skip = linux ? false : 'the packed layout checked here is Linux’s';
const arch = process.arch;
const electronVersion = (
  JSON.parse(readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')) as {
    version: string;
  }
).version;
const vmArch = arch === 'arm64' ? 'aarch64' : 'x86_64';
const addonModules = ['better-sqlite3', 'bindings', 'file-uri-to-path'];
/** ssh2 and what it requires: the agent's. */
const agentModules = ['ssh2', 'asn1', 'safer-buffer', 'bcrypt-pbkdf', 'tweetnacl'];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'berth-pack-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A mirror that has no file, and every request it got. */
let mirror = '';
const requests: string[] = [];
const server = http.createServer((req, res) => {
  requests.push(`${req.method} ${req.url}`);
  res.statusCode = 404;
  res.end('not here');
});
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

/** The project as build/build-app.mjs and build/bundle.mjs leave it, in miniature. */
function project(
  name: string,
  o: { vmImage?: boolean; berthd?: string; kubernetes?: string; agent?: string } = {},
): string {
  const dir = path.join(scratch, name);
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const { name: n, version, description, homepage, author, license, main, desktopName } = pkg;
  write(
    'package.json',
    JSON.stringify({ name: n, version, description, homepage, author, license, main, desktopName }),
  );
  write('dist/electron/main.cjs', '// main\n');
  write('dist/electron/main.cjs.map', '{}');
  write('dist/electron/preload.cjs', '// preload\n');
  write('dist/renderer/index.html', '<!doctype html>\n');
  write('dist/berthd.js', o.berthd ?? `// berthd ${name}\n`);
  if (o.kubernetes) write('dist/berthd-kubernetes.mjs', o.kubernetes);
  write('dist/berth.mjs', o.agent ?? `// berth ${name}\n`);
  write('dist/berthd.js.map', '{}');
  if (o.vmImage) {
    write(`dist/vm/${vmArch}/vmlinuz`, 'kernel');
    write(`dist/vm/${vmArch}/rootfs.img`, 'rootfs');
  }
  cpSync(path.join(root, 'build/electron-builder.yml'), path.join(dir, 'build/electron-builder.yml'));
  cpSync(path.join(root, 'build/icons'), path.join(dir, 'build/icons'), { recursive: true });
  mkdirSync(path.join(dir, 'node_modules'));
  // Copies: electron-builder does not follow a symlinked folder.
  for (const m of readdirSync(path.join(root, 'node_modules')).filter(
    (m) => m.startsWith('node-unix-socket') || [...addonModules, ...agentModules].includes(m),
  ))
    cpSync(path.join(root, 'node_modules', m), path.join(dir, 'node_modules', m), {
      recursive: true,
      dereference: true,
    });
  write('electron/electron', '#!/bin/sh\n');
  return dir;
}

/** Every file path in an asar archive (its header: a pickled JSON tree after two size fields). */
function asarFiles(file: string): string[] {
  const buf = readFileSync(file);
  const json = buf.toString('utf8', 16, 16 + buf.readUInt32LE(12));
  type Node = { files?: Record<string, Node> };
  const walk = (node: Node, prefix: string): string[] =>
    Object.entries(node.files ?? {}).flatMap(([k, v]) =>
      v.files ? walk(v, `${prefix}${k}/`) : [`${prefix}${k}`],
    );
  return walk(JSON.parse(json) as Node, '');
}

async function pack(dir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const printed: string[] = [];
  const cache = path.join(dir, '.cache');
  const result = await runElectronBuilder({
    projectDir: dir,
    config: 'build/electron-builder.yml',
    args: ['--linux', ...args, `--${arch}`, '--publish', 'never', `-c.electronVersion=${electronVersion}`],
    env: { ...process.env, XDG_CACHE_HOME: cache, ELECTRON_BUILDER_CACHE: cache, ...env },
    print: (l) => printed.push(l),
  });
  return { ...result, printed };
}

function unpacked(dir: string) {
  const out = path.join(dir, 'dist/packages', arch === 'x64' ? 'linux-unpacked' : `linux-${arch}-unpacked`);
  const resourcesPath = path.join(out, 'resources');
  const where = appResources({
    packaged: true,
    appPath: path.join(resourcesPath, 'app.asar'),
    resourcesPath,
    platform: 'linux',
    arch,
  });
  return {
    out,
    resourcesPath,
    where,
    inAsar: (p: string) => path.relative(path.join(resourcesPath, 'app.asar'), p),
  };
}

test('a package holds the app, berthd with its native module, the agent, the icons the app reads, and no VM image', {
  skip,
}, async () => {
  // The real bundles, to run from where the package puts them.
  if (
    !existsSync(path.join(root, 'dist/berthd.js')) ||
    !existsSync(path.join(root, 'dist/berthd-kubernetes.mjs')) ||
    !existsSync(path.join(root, 'dist/berth.mjs'))
  )
    assert.equal(
      spawnSync(process.execPath, ['build/bundle.mjs'], { cwd: root }).status,
      0,
      'bundling berthd',
    );
  const berthd = readFileSync(path.join(root, 'dist/berthd.js'), 'utf8');
  const kubernetes = readFileSync(path.join(root, 'dist/berthd-kubernetes.mjs'), 'utf8');
  const agent = readFileSync(path.join(root, 'dist/berth.mjs'), 'utf8');
  const dir = project('plain', { berthd, kubernetes, agent });
  const r = await pack(dir, ['dir', `-c.electronDist=${path.join(dir, 'electron')}`], {
    ELECTRON_MIRROR: mirror,
  });
  assert.equal(r.code, 0, r.printed.join('\n'));
  assert.equal(r.failure, null);
  const { out, resourcesPath, where, inAsar } = unpacked(dir);
  assert.ok(existsSync(path.join(out, 'berth')), 'the executable is named after the app');
  assert.equal(readFileSync(where.berthdScript, 'utf8'), berthd);
  // An ES module with no package.json beside it, loading its native module from beside it.
  const run = spawnSync(process.execPath, [where.berthdScript, '--version'], {
    cwd: scratch,
    encoding: 'utf8',
  });
  assert.match(run.stdout, /^Berth engine version /, run.stderr);
  // The orchestrator ships beside berthd.mjs and loads from there (here: it reports the missing admin kubeconfig).
  assert.equal(readFileSync(path.join(resourcesPath, 'berthd/berthd-kubernetes.mjs'), 'utf8'), kubernetes);
  const merge = spawnSync(
    process.execPath,
    [
      where.berthdScript,
      '--data-root',
      path.join(scratch, 'no-root'),
      `--kubeconfig-merge=${path.join(scratch, 'kubeconfig')}`,
    ],
    {
      cwd: scratch,
      encoding: 'utf8',
    },
  );
  assert.match(
    merge.stderr,
    /no admin kubeconfig at .*admin\.kubeconfig: start berthd with --kubernetes first/,
  );
  assert.ok(
    existsSync(
      path.join(resourcesPath, 'berthd/node_modules/better-sqlite3/build/Release/better_sqlite3.node'),
    ),
    "the orchestrator store's addon beside berthd",
  );
  for (const m of ['node-unix-socket', `node-unix-socket-linux-${arch}-gnu`, 'bindings', 'file-uri-to-path'])
    assert.ok(
      existsSync(path.join(resourcesPath, 'berthd/node_modules', m, 'package.json')),
      `${m} beside berthd`,
    );
  // The agent runs from the package as the app launches it (with the package's environment): its
  // ssh2 loads from beside it, and it finds the machine's files with no checkout around it.
  assert.equal(readFileSync(where.agentEntry, 'utf8'), agent);
  for (const m of agentModules)
    assert.ok(
      existsSync(path.join(resourcesPath, 'berthd/node_modules', m, 'package.json')),
      `${m} beside berthd`,
    );
  const home = path.join(scratch, 'agent-home');
  const berth = (...args: string[]) =>
    spawnSync(process.execPath, [where.agentEntry, ...args], {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...process.env, ...where.agentEnv, BERTH_HOME: home },
    });
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const version = berth('version');
  assert.equal(version.stdout, `berth ${pkg.version}\n`, version.stderr);
  const status = berth('status', '--json', '--provider', 'qemu');
  assert.equal(status.status, 0, status.stderr);
  assert.equal((JSON.parse(status.stdout) as { state: string }).state, 'stopped');
  const files = asarFiles(path.join(resourcesPath, 'app.asar'));
  for (const f of [
    'package.json',
    'dist/electron/main.cjs',
    'dist/electron/preload.cjs',
    'dist/renderer/index.html',
    inAsar(where.trayIcon),
    inAsar(where.trayIcon).replace('.png', '@2x.png'),
    inAsar(where.windowIcon),
  ])
    assert.ok(files.includes(f), `${f} in app.asar (it has ${files.join(', ')})`);
  assert.deepEqual(
    files.filter((f) => f.endsWith('.map')),
    [],
  );
  assert.ok(!existsSync(path.join(resourcesPath, 'vm')), 'no VM image is built, so none ships');
  assert.deepEqual(requests, [], 'the stand-in Electron was used: nothing was downloaded');
});

test('a package holds the VM image when dist/vm has one', { skip }, async () => {
  const dir = project('with-vm', { vmImage: true });
  const r = await pack(dir, ['dir', `-c.electronDist=${path.join(dir, 'electron')}`]);
  assert.equal(r.code, 0, r.printed.join('\n'));
  const { where } = unpacked(dir);
  // Where the packaged agent is told the image of this arch is.
  const image = where.agentEnv.BERTH_VM_IMAGE ?? '';
  assert.deepEqual(readdirSync(image).sort(), ['rootfs.img', 'vmlinuz']);
  assert.equal(readFileSync(path.join(image, 'vmlinuz'), 'utf8'), 'kernel');
});

test('Electron’s zip not to be had: one line naming the URL tried and the ways out, nothing else', {
  skip,
}, async () => {
  requests.length = 0;
  const dir = project('no-electron');
  const r = await pack(dir, ['dir'], { ELECTRON_MIRROR: mirror, ELECTRON_BUILDER_BINARIES_MIRROR: mirror });
  assert.notEqual(r.code, 0);
  const zip = `electron-v${electronVersion}-linux-${arch}.zip`;
  assert.deepEqual(requests, [`GET /v${electronVersion}/${zip}`]);
  assert.equal(
    r.failure?.split(' (tried')[0],
    `berth: cannot get Electron ${electronVersion} for linux-${arch} to package`,
  );
  assert.ok(
    r.failure?.includes(
      `(tried ${mirror}v${electronVersion}/${zip}: Response code 404 (Not Found)). Fix: network`,
    ),
    r.failure ?? '',
  );
  assert.match(r.failure ?? '', /ELECTRON_MIRROR=.*-c\.electronDist=/);
  assert.deepEqual(r.printed, [], 'electron-builder’s own lines give way to the one line');
});

for (const target of ['AppImage', 'deb']) {
  // For deb, getting as far as its tools means electron-builder found the metadata a deb needs.
  test(`${target}: electron-builder's tools not to be had, one line naming the target and the mirror variable`, {
    skip,
  }, async () => {
    // A closed port, as with no network.
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const dir = project(`no-tools-${target}`);
    const r = await pack(dir, [target, `-c.electronDist=${path.join(dir, 'electron')}`], {
      ELECTRON_BUILDER_BINARIES_MIRROR: `http://127.0.0.1:${port}/`,
    });
    assert.notEqual(r.code, 0);
    assert.equal(
      r.failure,
      `berth: electron-builder could not download its tools for ${target} (connect ECONNREFUSED 127.0.0.1:${port}). ` +
        `Fix: network access, or ELECTRON_BUILDER_BINARIES_MIRROR=<a mirror of electron-builder-binaries' releases>`,
    );
    assert.ok(!r.printed.some((l) => /⨯|stackTrace|^\s+at /.test(l)), r.printed.join('\n'));
  });
}
