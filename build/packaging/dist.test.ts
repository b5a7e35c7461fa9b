// `npm run dist` where Electron's binary cannot be had: one line on stderr that says what was tried and
// how to get further, exit code 1, and nothing built. The download source is a mirror on 127.0.0.1 (one
// that has nothing, or a closed port), so the test sends no traffic elsewhere.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const version = (
  JSON.parse(readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')) as {
    version: string;
  }
).version;
const platform = process.platform;
const hostArch = process.arch;
const otherArch = hostArch === 'arm64' ? 'x64' : 'arm64';
const cache = mkdtempSync(path.join(os.tmpdir(), 'berth-dist-cache-'));
after(() => rmSync(cache, { recursive: true, force: true }));

function electronInstalled(): boolean {
  try {
    const bin = createRequire(import.meta.url)('electron') as unknown;
    return typeof bin === 'string' && existsSync(bin);
  } catch {
    return false;
  }
}

/** `npm run dist [-- args]` with the given mirror, no proxy and an empty cache; its exit code and output. */
function npmRunDist(mirror: string, args: string[] = []) {
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_MIRROR: mirror, XDG_CACHE_HOME: cache };
  for (const k of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'GLOBAL_AGENT_HTTPS_PROXY'])
    delete env[k];
  for (const k of Object.keys(env)) if (/^npm_(config|package_config)_electron_/i.test(k)) delete env[k];
  const child = spawn('npm', ['run', 'dist', ...(args.length ? ['--', ...args] : [])], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

const zip = (arch: string) => `electron-v${version}-${platform}-${arch}.zip`;
const fixes = `. Fix: network access, ELECTRON_MIRROR=<a mirror's URL>, the zip cached at ${cache}/electron/`;

test('npm run dist without Electron’s binary: one line naming the URL tried and the ways out, exit code 1', {
  timeout: 90_000,
  // With the binary installed, npm run dist uses it and makes the packages.
  skip: electronInstalled() ? 'Electron’s binary is installed here, so npm run dist would build' : false,
}, async () => {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    const r = await npmRunDist(mirror);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(
      lines[0].startsWith(
        `berth: cannot get Electron ${version} for ${platform}-${hostArch} to package ` +
          `(tried ${mirror}v${version}/${zip(hostArch)}: HTTP 404 Not Found)${fixes}`,
      ),
      lines[0],
    );
    assert.match(lines[0], / or npm run dist -- -c\.electronDist=<an unpacked Electron or its zip>$/);
    assert.deepEqual(requests, [`HEAD /v${version}/${zip(hostArch)}`], 'one look, before anything is built');
    assert.doesNotMatch(r.stdout, /electron-builder|vite|berth: made/);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('npm run dist for another arch with no network: the refused connection in the one line', {
  timeout: 90_000,
}, async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const r = await npmRunDist(`http://127.0.0.1:${port}/`, [`--${otherArch}`]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
  assert.ok(
    r.stderr.startsWith(
      `berth: cannot get Electron ${version} for ${platform}-${otherArch} to package ` +
        `(tried http://127.0.0.1:${port}/v${version}/${zip(otherArch)}: connect ECONNREFUSED 127.0.0.1:${port})${fixes}`,
    ),
    r.stderr,
  );
});
