// A realistic engine state, as a Docker Desktop user's day has it: a compose project, running, exited
// and crash-looping containers, healthy and unhealthy ones, a volume holding data, colourful and long
// log lines, and a local registry. For walking through the app by hand and for the README's
// screenshots; everything it makes lives in the given daemon (and the registry it starts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Daemon } from '../conformance/harness.ts';

function must(d: Daemon, args: string[]): string {
  const r = d.docker(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

// Compose interpolates `$`: `$$` is a literal dollar for the shell.
const composeFile = (webPort: number) =>
  stringify({
    version: '3.7',
    services: {
      web: {
        image: 'busybox',
        command: [
          'sh',
          '-c',
          "mkdir -p /www && echo '<h1>shop</h1>' > /www/index.html && echo web listening && exec httpd -f -v -p 80 -h /www",
        ],
        ports: [`${webPort}:80`],
        healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1/'], interval: '2s' },
      },
      db: {
        image: 'busybox',
        command: ['sh', '-c', 'echo db ready; while true; do sleep 5; echo checkpoint $$(date +%s); done'],
        volumes: ['shop-data:/data'],
      },
      worker: {
        image: 'busybox',
        command: [
          'sh',
          '-c',
          "i=0; while true; do printf '\\033[32mINFO\\033[0m job %d done\\n' $$i; i=$$((i+1)); sleep 2; done",
        ],
      },
    },
    volumes: { 'shop-data': {} },
  });

/** `webPort`: where the compose project's web service is published on the host. */
export function seedDemoState(d: Daemon, webPort: number): void {
  // The project's folder (its compose file, which the app links to) goes with the daemon's root.
  const dir = mkdtempSync(path.join(d.root, 'shop-'));
  writeFileSync(path.join(dir, 'docker-compose.yml'), composeFile(webPort));
  const up = spawnSync('docker-compose', ['-p', 'shop', 'up', '-d'], {
    cwd: dir,
    env: { ...process.env, DOCKER_HOST: d.host, COMPOSE_INTERACTIVE_NO_CLI: '1' },
    encoding: 'utf8',
  });
  if (up.status !== 0) throw new Error(`docker-compose up: ${up.stderr}`);
  const long = 'x'.repeat(400);
  must(d, [
    'run',
    '-d',
    '--name',
    'ticker',
    'busybox',
    'sh',
    '-c',
    `i=0; while true; do printf '\\033[36mtick\\033[0m %d \\033[1;31mred-bold\\033[0m ${long}\\n' $i; i=$((i+1)); sleep 1; done`,
  ]);
  must(d, ['run', '--name', 'job-done', 'busybox', 'echo', 'finished']);
  d.docker(['run', '--name', 'job-failed', 'busybox', 'sh', '-c', 'echo failing >&2; exit 3']);
  must(d, [
    'run',
    '-d',
    '--name',
    'flaky',
    '--restart',
    'always',
    'busybox',
    'sh',
    '-c',
    'echo boom; exit 1',
  ]);
  must(d, [
    'run',
    '-d',
    '--name',
    'api',
    '--health-cmd',
    'true',
    '--health-interval',
    '1s',
    'busybox',
    'sleep',
    '1d',
  ]);
  must(d, [
    'run',
    '-d',
    '--name',
    'cache',
    '--health-cmd',
    'false',
    '--health-interval',
    '1s',
    '--health-retries',
    '1',
    'busybox',
    'sleep',
    '1d',
  ]);
  must(d, [
    'run',
    '-d',
    '--name',
    'stubborn',
    'busybox',
    'sh',
    '-c',
    'trap "" TERM; while true; do sleep 1; done',
  ]);
  must(d, ['create', '--name', 'fresh', 'busybox', 'true']);
  must(d, ['volume', 'create', 'data']);
  must(d, [
    'run',
    '--rm',
    '-v',
    'data:/data',
    'busybox',
    'sh',
    '-c',
    'dd if=/dev/zero of=/data/blob bs=1M count=5 2>/dev/null; echo hello > /data/hello.txt',
  ]);
  must(d, ['network', 'create', 'backend']);
  must(d, ['tag', 'busybox', 'myapp:1.0']);
  must(d, ['tag', 'busybox', 'myapp:latest']);
}
