// `npm start`: builds the desktop app (renderer with Vite, Electron main/preload and the web-mode server
// with esbuild), makes sure an engine is reachable (starts berthd when none is and we are root; a set
// DOCKER_HOST always wins), then opens Electron when a binary and a display exist, else web mode.
//   npm start              auto
//   npm start -- --web     force web mode (prints `Berth UI: http://127.0.0.1:PORT/?token=…`)
//   npm start -- --build   build only
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { build as viteBuild } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const forceWeb = args.includes('--web');
const buildOnly = args.includes('--build');
const berthdSocket = '/run/berth/docker.sock';
const log = (m) => console.error(`berth: ${m}`);

async function buildApp() {
  await viteBuild({ configFile: path.join(root, 'renderer/vite.config.ts'), logLevel: 'warn' });
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'electron/main/app.ts')],
      outfile: path.join(root, 'dist/electron/main.cjs'),
      format: 'cjs',
      external: ['electron'],
    }),
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'electron/preload/index.ts')],
      outfile: path.join(root, 'dist/electron/preload.cjs'),
      format: 'cjs',
      external: ['electron'],
    }),
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'electron/web/main.ts')],
      outfile: path.join(root, 'dist/web/main.mjs'),
      format: 'esm',
    }),
  ]);
}

function ping(endpoint) {
  return new Promise((resolve) => {
    const opts = endpoint.startsWith('unix://')
      ? { socketPath: endpoint.slice(7) }
      : (() => {
          const u = new URL(endpoint.replace(/^tcp:/, 'http:'));
          return { host: u.hostname, port: u.port || 2375 };
        })();
    const req = http.request({ ...opts, path: '/_ping', timeout: 1500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** Returns the DOCKER_HOST to use and the berthd child we started, if any. */
async function ensureEngine() {
  if (process.env.DOCKER_HOST) {
    if (!(await ping(process.env.DOCKER_HOST)))
      log(`DOCKER_HOST=${process.env.DOCKER_HOST} is not answering yet`);
    return { host: process.env.DOCKER_HOST, child: null };
  }
  for (const s of [berthdSocket, '/var/run/docker.sock']) {
    if (await ping(`unix://${s}`)) return { host: `unix://${s}`, child: null };
  }
  if (process.platform !== 'linux' || !process.getuid || process.getuid() !== 0) {
    log('no engine is reachable and berthd needs root on Linux: run `sudo npm start`, or set DOCKER_HOST.');
    return { host: `unix://${berthdSocket}`, child: null };
  }
  const setup = spawnSync('sh', [path.join(root, 'build/setup.sh')], { stdio: ['ignore', 2, 2] });
  if (setup.status !== 0) {
    log('build/setup.sh failed: berthd cannot start; the UI will show the engine as unreachable.');
    return { host: `unix://${berthdSocket}`, child: null };
  }
  // berthd's own log goes to a file: stdout carries only the UI's one line.
  const logFile = path.join(os.tmpdir(), 'berthd.log');
  log(`starting berthd (log: ${logFile})`);
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [path.join(root, 'dist/berthd.js')], {
    stdio: ['ignore', out, out],
  });
  for (let i = 0; i < 200 && child.exitCode === null; i++) {
    if (await ping(`unix://${berthdSocket}`)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`docker CLI users: export DOCKER_HOST=unix://${berthdSocket}`);
  return { host: `unix://${berthdSocket}`, child };
}

function electronBinary() {
  try {
    const bin = createRequire(import.meta.url)('electron');
    return typeof bin === 'string' && existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const hasDisplay = () =>
  process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

await buildApp();
if (buildOnly) process.exit(0);
const engine = await ensureEngine();
const env = { ...process.env, DOCKER_HOST: engine.host };
const bin = forceWeb ? null : electronBinary();
let app;
if (bin && hasDisplay()) {
  app = spawn(bin, [root], { stdio: 'inherit', env });
} else {
  if (!forceWeb) log(bin ? 'no display: starting web mode' : 'no Electron binary: starting web mode');
  app = spawn(process.execPath, [path.join(root, 'dist/web/main.mjs')], { stdio: 'inherit', env });
}
const children = [app, engine.child].filter(Boolean);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of children) c.kill(sig);
  });
}
app.on('exit', (code) => {
  engine.child?.kill('SIGTERM');
  process.exit(code ?? 0);
});
