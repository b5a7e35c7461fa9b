// `npm start`: for now runs the engine (berthd) in the foreground on the default roots, after making
// sure the system packages it needs are there. Later the desktop app takes over this command.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const setup = spawnSync('sh', [path.join(root, 'build/setup.sh')], { stdio: 'inherit' });
if (setup.status !== 0) process.exit(setup.status ?? 1);
if (process.getuid && process.getuid() !== 0) {
  console.error(
    'berthd needs root on a Linux host (it mounts overlayfs and runs runc): run `sudo npm start`.',
  );
  process.exit(1);
}
const args = process.argv.slice(2);
const child = spawn(process.execPath, [path.join(root, 'dist/berthd.js'), ...args], { stdio: 'inherit' });
console.error('berthd: docker CLI users: export DOCKER_HOST=unix:///run/berth/docker.sock');
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
