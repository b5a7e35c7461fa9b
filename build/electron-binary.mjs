// Run by `npm install` (the project's own postinstall): fetches Electron's binary with Electron's own
// install script, which npm does not run for dependencies unless allowed. Where the download cannot
// happen (offline, a proxy, a locked-down CI machine) npm install still succeeds: this says so in one
// line and `npm start` serves the app in web mode. ELECTRON_SKIP_BINARY_DOWNLOAD=1 skips the attempt.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const installer = path.join(root, 'node_modules/electron/install.js');
const timeoutMs = Number(process.env.BERTH_ELECTRON_DOWNLOAD_TIMEOUT_MS ?? 180_000);

function binaryPresent() {
  try {
    const bin = createRequire(import.meta.url)('electron');
    return typeof bin === 'string' && existsSync(bin);
  } catch {
    return false;
  }
}

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD || !existsSync(installer) || binaryPresent()) process.exit(0);

const child = spawn(process.execPath, [installer], {
  cwd: path.dirname(installer),
  stdio: ['ignore', 'ignore', 'pipe'],
});
let err = '';
child.stderr.on('data', (d) => {
  err += d;
});
const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  if (code === 0 && binaryPresent()) return;
  const reason = signal
    ? `no answer in ${Math.round(timeoutMs / 1000)} s`
    : (/\b(E[A-Z]+|RequestError|HTTPError)[^\n]*/.exec(err)?.[0] ?? `exit code ${code}`);
  console.error(
    `berth: Electron's binary could not be downloaded (${reason.trim()}); npm start will serve the app in web mode.`,
  );
});
