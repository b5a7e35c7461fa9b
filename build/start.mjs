// `npm start`: builds the desktop app (renderer with Vite, Electron main/preload and the web-mode server
// with esbuild) unless dist/ is newer than every source, makes sure an engine is reachable (a set
// DOCKER_HOST always wins; else a standard socket that answers; else, as root on Linux, the app starts
// berthd itself and owns it: its log, restart and reset are on the Troubleshoot screen), then opens
// Electron when a binary and a display exist, else web mode.
//   npm start              auto
//   npm start -- --web     force web mode (prints `Berth UI: http://127.0.0.1:PORT/?token=…`)
//   npm start -- --build   build only (always builds)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const forceWeb = args.includes('--web');
const buildOnly = args.includes('--build');
const berthdSocket = '/run/berth/docker.sock';
const log = (m) => console.error(`berth: ${m}`);

/** Builds in a child process that exits, so Vite and esbuild do not stay loaded in this launcher. */
function buildApp() {
  const r = spawnSync(process.execPath, [path.join(root, 'build/build-app.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) {
    log('the build failed (see above)');
    process.exit(r.status ?? 1);
  }
}

const outputs = [
  'dist/renderer/index.html',
  'dist/electron/main.cjs',
  'dist/electron/preload.cjs',
  'dist/web/main.mjs',
];
const inputs = ['renderer', 'electron', 'build/start.mjs', 'package.json', 'package-lock.json'];

function newestMtime(p) {
  let st;
  try {
    st = statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(p)) {
    // Tests are no part of the app.
    if (name === 'node_modules' || name.startsWith('.') || /\.test\.tsx?$/.test(name)) continue;
    newest = Math.max(newest, newestMtime(path.join(p, name)));
  }
  return newest;
}

/** dist/ holds every output, each newer than every source file. */
function upToDate() {
  const built = outputs.map((o) => {
    try {
      return statSync(path.join(root, o)).mtimeMs;
    } catch {
      return 0;
    }
  });
  return Math.min(...built) > Math.max(...inputs.map((i) => newestMtime(path.join(root, i))));
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

/**
 * The engine's environment for the app: DOCKER_HOST when one answers or was set, BERTH_MANAGED_ENGINE=1
 * when the app is to start berthd itself (root on Linux), or nothing: the app drives Berth's machine
 * (through the agent `berth start` runs) and follows its endpoint.
 */
async function ensureEngine() {
  if (process.env.DOCKER_HOST) {
    if (!(await ping(process.env.DOCKER_HOST)))
      log(`DOCKER_HOST=${process.env.DOCKER_HOST} is not answering yet`);
    return { DOCKER_HOST: process.env.DOCKER_HOST };
  }
  // A machine runs already (`berth start`, or the app before): the app drives that one.
  const berthHome = process.env.BERTH_HOME || path.join(os.homedir(), '.berth');
  if (existsSync(path.join(berthHome, 'run', 'agent.sock'))) return {};
  for (const s of [berthdSocket, '/var/run/docker.sock']) {
    if (await ping(`unix://${s}`)) return { DOCKER_HOST: `unix://${s}` };
  }
  if (process.platform !== 'linux' || !process.getuid || process.getuid() !== 0) {
    log(
      "no engine is reachable: the app starts Berth's machine (a VM; its image comes from `npm run vm:image`), " +
        'or set DOCKER_HOST to use another engine.',
    );
    return {};
  }
  if (!existsSync(path.join(root, 'dist/berthd.js'))) {
    log('dist/berthd.js is missing: run `npm run build` (npm start does it).');
    return { DOCKER_HOST: `unix://${berthdSocket}` };
  }
  const setup = spawnSync('sh', [path.join(root, 'build/setup.sh')], { stdio: ['ignore', 2, 2] });
  if (setup.status !== 0) {
    log('build/setup.sh failed: berthd cannot start; the UI will show the engine as unreachable.');
    return { DOCKER_HOST: `unix://${berthdSocket}` };
  }
  return { BERTH_MANAGED_ENGINE: '1' };
}

/** Electron's binary, or why there is none (npm install may not have been able to download it). */
function electronBinary() {
  try {
    const bin = createRequire(import.meta.url)('electron');
    if (typeof bin === 'string' && existsSync(bin)) return { bin, why: '' };
  } catch {
    // not installed
  }
  return { bin: null, why: 'no Electron binary (npm install could not download it; see its output)' };
}

const hasDisplay = () =>
  process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

if (buildOnly || !upToDate()) buildApp();
if (buildOnly) process.exit(0);
const { DOCKER_HOST: _inherited, ...rest } = process.env;
const env = { ...rest, ...(await ensureEngine()) };
const { bin, why } = forceWeb ? { bin: null, why: '' } : electronBinary();
if (bin && hasDisplay()) {
  const app = spawn(bin, [root], { stdio: 'inherit', env });
  // The app stops the berthd it started when it exits; here only the signal is passed on.
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => app.kill(sig));
  app.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!forceWeb) log(`${bin ? 'no display' : why}: starting web mode`);
  // The web server runs in this process: one Node process fewer for as long as the app runs.
  process.env = env;
  await import(pathToFileURL(path.join(root, 'dist/web/main.mjs')).href);
}
