import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon, target } from '../harness.ts';
import { freePort, httpGet as get } from '../net.ts';

// Debian's docker-compose 1.29 runs a whole project: a build, a user-defined network, a named volume,
// an env file, a healthcheck that gates depends_on, a published port, and services that reach each
// other by service name. (It runs on berthd: the harness's dockerd has no iptables for the port.)
const hasCompose = spawnSync('sh', ['-c', 'command -v docker-compose']).status === 0;

describe('docker-compose 1.29 project end to end', {
  skip: !hasCompose
    ? 'docker-compose is not installed (apt-get install docker-compose)'
    : target === 'dockerd'
      ? 'needs published ports'
      : false,
}, () => {
  let d: Daemon;
  let dir: string;
  let port: number;
  const project = 'shop';

  const compose = (args: string[], timeoutMs = 180_000) => {
    const r = spawnSync('docker-compose', ['-p', project, ...args], {
      cwd: dir,
      env: { ...process.env, DOCKER_HOST: d.host, COMPOSE_INTERACTIVE_NO_CLI: '1' },
      timeout: timeoutMs,
      encoding: 'utf8',
    });
    return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  const ok = (args: string[]) => {
    const r = compose(args);
    assert.equal(r.code, 0, `docker-compose ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  const lookup = (service: string, name: string) => {
    const r = compose(['exec', '-T', service, 'nslookup', name]);
    assert.equal(r.code, 0, `nslookup ${name} in ${service}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
    port = await freePort();
    dir = mkdtempSync('/tmp/compose-');
    mkdirSync(path.join(dir, 'db'));
    writeFileSync(
      path.join(dir, 'db', 'Dockerfile'),
      [
        'FROM busybox',
        'RUN mkdir -p /data && echo seeded > /data/seed.txt',
        'VOLUME /data',
        'HEALTHCHECK --interval=1s --timeout=2s --retries=30 CMD test -f /data/ready',
        'CMD ["sh", "-c", "sleep 1; echo \\"$GREETING from $HOSTNAME\\" > /data/ready; echo db up; exec httpd -f -p 80 -h /data"]',
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'db.env'), 'GREETING=hello-compose\n');
    writeFileSync(
      path.join(dir, 'docker-compose.yml'),
      `version: "2.4"
services:
  db:
    build: ./db
    env_file: db.env
    volumes:
      - data:/data
    networks: [backend]
  web:
    image: busybox
    depends_on:
      db:
        condition: service_healthy
    command: ["sh", "-c", "mkdir -p /www; while true; do wget -q -O /www/index.html http://db/ready; sleep 1; done & echo web up; exec httpd -f -p 80 -h /www"]
    ports:
      - "127.0.0.1:${port}:80"
    networks: [backend]
  worker:
    image: busybox
    command: ["sh", "-c", "while true; do echo tick; sleep 1; done"]
    networks: [backend]
volumes:
  data: {}
networks:
  backend: {}
`,
    );
  });
  after(async () => {
    if (d) await stopDaemon(d);
    rmSync(dir, { recursive: true, force: true });
  });

  test('up -d builds, waits for the healthy db and serves through the published port', async () => {
    const up = compose(['up', '-d']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stderr, /Creating network "shop_backend"/);
    assert.match(up.stderr, /Creating volume "shop_data"/);
    assert.equal(
      d.docker(['inspect', '-f', '{{.State.Health.Status}}', 'shop_db_1']).stdout.trim(),
      'healthy',
    );
    const body = await eventually(
      () => get(`http://127.0.0.1:${port}/index.html`).catch(() => ''),
      20_000,
      'web',
    );
    assert.match(body, /^hello-compose from [0-9a-f]{12}$/m);
    const ps = ok(['ps']);
    assert.match(ps, /shop_db_1 .* Up \(healthy\)/);
    assert.match(ps, new RegExp(`shop_web_1 .* Up .*127\\.0\\.0\\.1:${port}->80/tcp`));
  });

  test('ps, logs, logs -f, exec', async () => {
    assert.match(ok(['logs', '--no-color', 'db']), /db_1 +\| db up/);
    const follow = spawn('docker-compose', ['-p', project, 'logs', '-f', '--no-color', 'worker'], {
      cwd: dir,
      env: { ...process.env, DOCKER_HOST: d.host },
    });
    let seen = '';
    follow.stdout.on('data', (b) => {
      seen += b;
    });
    const before = (seen.match(/tick/g) ?? []).length;
    await eventually(() => (seen.match(/tick/g) ?? []).length > before + 2, 10_000, 'new lines from logs -f');
    follow.kill();
    assert.equal(
      ok(['exec', '-T', 'db', 'cat', '/data/seed.txt']).trim(),
      'seeded',
      'copy-up of the image content into the volume',
    );
    assert.match(lookup('web', 'db'), /Address: \d+\.\d+\.\d+\.\d+/);
  });

  test('scale and restart; services find each other by name', async () => {
    const up = compose(['up', '-d', '--scale', 'worker=3']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const workers = d
      .docker(['ps', '-q', '--filter', 'label=com.docker.compose.service=worker'])
      .stdout.trim()
      .split('\n');
    assert.equal(workers.length, 3);
    const answer = lookup('web', 'worker');
    assert.equal((answer.match(/Address: \d+\.\d+\.\d+\.\d+/g) ?? []).length, 3, answer);
    const before = d.docker(['inspect', '-f', '{{.State.StartedAt}}', 'shop_worker_1']).stdout.trim();
    ok(['restart', 'worker']);
    assert.notEqual(
      d.docker(['inspect', '-f', '{{.State.StartedAt}}', 'shop_worker_1']).stdout.trim(),
      before,
    );
    assert.ok((await get(`http://127.0.0.1:${port}/index.html`)).includes('hello-compose'));
  });

  test('down -v leaves nothing behind', async () => {
    const netId = d.docker(['network', 'inspect', '-f', '{{.Id}}', 'shop_backend']).stdout.trim();
    const down = compose(['down', '-v']);
    assert.equal(down.code, 0, down.stdout + down.stderr);
    assert.equal(d.docker(['ps', '-aq']).stdout.trim(), '');
    assert.doesNotMatch(d.docker(['network', 'ls', '--format', '{{.Name}}']).stdout, /shop_/);
    assert.doesNotMatch(d.docker(['volume', 'ls', '-q']).stdout, /shop_data/);
    assert.equal(readdirSync('/sys/class/net').includes(`br-${netId.slice(0, 12)}`), false);
    const rules = execFileSync('iptables-save', { encoding: 'utf8' });
    assert.equal(rules.includes(`br-${netId.slice(0, 12)}`), false);
    assert.equal(rules.includes(`--dport ${port}`), false);
    const mounts = execFileSync('cat', ['/proc/self/mountinfo'], { encoding: 'utf8' });
    assert.equal(mounts.includes(d.dataRoot), false, 'no mount under the data root');
    await assert.rejects(get(`http://127.0.0.1:${port}/index.html`));
  });
});
