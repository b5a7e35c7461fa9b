// Starts Debian's docker-registry (github.com/distribution/distribution) on 127.0.0.1 with its own
// config and storage in a temp dir, optionally behind htpasswd basic auth. No internet involved.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, promises as fs, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface Registry {
  /** `127.0.0.1:PORT`: what the docker CLI puts before the repository name. */
  host: string;
  /** `localhost:PORT`: the same registry under the name Docker treats as insecure too. */
  localhost: string;
  port: number;
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A token server for the registry's Bearer flow, run as its own node process (the tests block in
 * spawnSync while the docker CLI works, so it cannot live in the test's event loop). Users in
 * TOKEN_USERS (JSON) get every action they ask for; anonymous callers get a token with no access.
 */
const tokenServer = `
const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');
const users = JSON.parse(process.env.TOKEN_USERS);
const key = fs.readFileSync(process.env.TOKEN_KEY);
const der = new crypto.X509Certificate(fs.readFileSync(process.env.TOKEN_CERT)).raw.toString('base64');
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const auth = req.headers.authorization || '';
  let sub = '';
  if (auth.startsWith('Basic ')) {
    const [u, ...p] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
    if (users[u] !== p.join(':')) { res.writeHead(401, { 'Content-Type': 'application/json' }); res.end('{"details":"incorrect username or password"}'); return; }
    sub = u;
  }
  const access = sub ? url.searchParams.getAll('scope').map((s) => {
    const [type, ...rest] = s.split(':');
    const actions = rest.pop().split(',');
    return { type, name: rest.join(':'), actions };
  }) : [];
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ typ: 'JWT', alg: 'RS256', x5c: [der] });
  const claims = b64({ iss: 'berth-test-issuer', sub, aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now, jti: crypto.randomUUID(), access });
  const sig = crypto.sign('sha256', Buffer.from(head + '.' + claims), key).toString('base64url');
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ token: head + '.' + claims + '.' + sig, expires_in: 300 }));
}).listen(Number(process.env.TOKEN_PORT), '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

async function startTokenServer(
  dir: string,
  users: Record<string, string>,
): Promise<{ realm: string; cert: string; child: ChildProcess }> {
  const key = path.join(dir, 'token.key');
  const cert = path.join(dir, 'token.crt');
  const gen = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=berth-test-token',
  ]);
  if (gen.status !== 0) throw new Error(`openssl failed: ${gen.stderr}`);
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', tokenServer], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      TOKEN_USERS: JSON.stringify(users),
      TOKEN_KEY: key,
      TOKEN_CERT: cert,
      TOKEN_PORT: String(port),
    },
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`token server exited with ${code}`)));
  });
  return { realm: `http://127.0.0.1:${port}/token`, cert, child };
}

/** A bcrypt htpasswd line from apache2-utils' htpasswd. */
export function htpasswdLine(user: string, password: string): string {
  const r = spawnSync('htpasswd', ['-Bbn', user, password]);
  if (r.status !== 0) throw new Error(`htpasswd failed (apt-get install apache2-utils): ${r.stderr}`);
  return r.stdout.toString().trim();
}

/** `users` with `auth: 'basic'` (default) puts htpasswd in front; with `auth: 'token'`, a Bearer token server. */
export async function startRegistry(
  opts: { users?: Record<string, string>; auth?: 'basic' | 'token' } = {},
): Promise<Registry> {
  const dir = mkdtempSync('/tmp/reg-');
  const port = await freePort();
  const storage = path.join(dir, 'storage');
  await fs.mkdir(storage);
  let auth = '';
  let tokenChild: ChildProcess | undefined;
  try {
    if (opts.users && opts.auth === 'token') {
      const t = await startTokenServer(dir, opts.users);
      tokenChild = t.child;
      auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: berth-test\n    issuer: berth-test-issuer\n    rootcertbundle: ${t.cert}\n`;
    } else if (opts.users) {
      const file = path.join(dir, 'htpasswd');
      writeFileSync(
        file,
        `${Object.entries(opts.users)
          .map(([u, p]) => htpasswdLine(u, p))
          .join('\n')}\n`,
      );
      auth = `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${file}\n`;
    }
  } catch (err) {
    // Leave nothing behind when htpasswd, openssl or the token server fail.
    tokenChild?.kill('SIGTERM');
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
  const config = path.join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  // A file, not a pipe: the tests block in spawnSync(docker) while the registry logs, and a full pipe
  // would stall it.
  const logFile = path.join(dir, 'registry.log');
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const readLog = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async () => {
    for (const c of [child, tokenChild]) {
      if (!c || c.exitCode !== null || c.signalCode !== null) continue;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    }
    await fs.rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry exited with ${child.exitCode}:\n${readLog()}`);
    }
    const status = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200 || status === 401) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry not ready:\n${readLog()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: `127.0.0.1:${port}`,
    localhost: `localhost:${port}`,
    port,
    dir,
    log: readLog,
    stop,
  };
}
