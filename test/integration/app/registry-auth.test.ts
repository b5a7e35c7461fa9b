// Registry login for pull and push: the X-Registry-Auth header next to the real docker CLI's (both
// talking to a recording fake engine), then login, pull and push against berthd and Debian's
// docker-registry behind htpasswd on 127.0.0.1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type {
  ContractError,
  EventChannel,
  EventParams,
  TransferProgress,
} from '../../../electron/contract/index.ts';
import {
  createEngineClient,
  createHandlers,
  dispatchInvoke,
  dispatchStream,
  type Handlers,
} from '../../../electron/main/index.ts';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../../conformance/harness.ts';
import { type Registry, startRegistry } from '../../conformance/registry.ts';

/** Runs a stream to its end: its events and its error. */
const transfer = <C extends EventChannel>(h: Handlers, channel: C, params: EventParams<C>) =>
  new Promise<{ events: TransferProgress[]; error?: ContractError }>((resolve) => {
    const events: TransferProgress[] = [];
    dispatchStream(h, channel, params, (m) => {
      if (m.type === 'event') events.push(m.event as TransferProgress);
      else resolve({ events, error: m.error });
    });
  });

describe('X-Registry-Auth as the docker CLI sends it', () => {
  let server: http.Server;
  let engine: string;
  const seen: { path: string; auth: string | undefined }[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-auth-'));

  before(async () => {
    // A fake engine: enough of the API for `docker pull` and for the app's pull and login.
    server = http.createServer((req, res) => {
      const p = (req.url ?? '').replace(/^\/v[\d.]+/, '').replace(/\?.*/, '');
      if (p === '/images/create') seen.push({ path: p, auth: req.headers['x-registry-auth'] as string });
      req.resume();
      res.setHeader('Api-Version', '1.45');
      res.setHeader('Content-Type', 'application/json');
      if (p === '/auth') return res.end('{"Status":"Login Succeeded"}');
      if (p === '/images/create') return res.end('{"status":"Status: Image is up to date for x"}\n');
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    engine = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const cliPull = (ref: string, config: object) =>
    new Promise<void>((resolve, reject) => {
      const dir = mkdtempSync(path.join(tmp, 'cfg-'));
      writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
      const c = spawn('docker', ['pull', '-q', ref], {
        env: { ...process.env, DOCKER_HOST: engine, DOCKER_CONFIG: dir, DOCKER_CLI_HINTS: 'false' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      c.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker pull: ${err}`))));
    });

  test('anonymous, then after login: the same header, byte for byte', async () => {
    const ref = '127.0.0.1:5999/team/app:1';
    const h = createHandlers(createEngineClient(engine));
    await cliPull(ref, {});
    assert.equal((await transfer(h, 'images.pull', { ref })).error, undefined);
    const [cliAnon, appAnon] = seen.splice(0).map((s) => s.auth);
    assert.ok(cliAnon, 'the CLI sends the header');
    assert.equal(appAnon, cliAnon);

    const login = await dispatchInvoke(h, 'images.login', {
      server: '127.0.0.1:5999',
      username: 'alice',
      password: 's3cret+/=?',
    });
    assert.ok(login.ok, JSON.stringify(login));
    await cliPull(ref, {
      auths: { '127.0.0.1:5999': { auth: Buffer.from('alice:s3cret+/=?').toString('base64') } },
    });
    assert.equal((await transfer(h, 'images.pull', { ref })).error, undefined);
    const [cliAuth, appAuth] = seen.splice(0).map((s) => s.auth);
    assert.equal(appAuth, cliAuth);
    assert.deepEqual(JSON.parse(Buffer.from(appAuth ?? '', 'base64url').toString()), {
      username: 'alice',
      password: 's3cret+/=?',
      serveraddress: '127.0.0.1:5999',
    });

    // Another registry stays anonymous.
    await transfer(h, 'images.pull', { ref: '127.0.0.1:5998/team/app:1' });
    const [other] = seen.splice(0).map((s) => s.auth);
    assert.equal(other, cliAnon);
  });
});

describe('login, pull and push against an htpasswd registry', () => {
  let daemon: Daemon;
  let reg: Registry;
  let h: Handlers;
  let ref: string;

  before(async () => {
    reg = await startRegistry({ users: { alice: 'wonderland' } });
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    h = createHandlers(createEngineClient(daemon.host));
    ref = `${reg.host}/locked/busybox:1`;
    assert.equal(daemon.docker(['tag', 'busybox', ref]).code, 0);
  });
  after(async () => {
    if (daemon) await stopDaemon(daemon);
    await reg?.stop();
  });

  test('without a login a push and a pull are refused as forbidden (the UI then asks to log in)', async () => {
    const push = await transfer(h, 'images.push', { ref });
    assert.equal(push.error?.kind, 'forbidden', JSON.stringify(push));
    const pull = await transfer(h, 'images.pull', { ref });
    assert.equal(pull.error?.kind, 'forbidden', JSON.stringify(pull));
  });

  test('a wrong password is refused and kept nowhere; the right one lets push and pull through', async () => {
    const wrong = await dispatchInvoke(h, 'images.login', {
      server: reg.host,
      username: 'alice',
      password: 'nope',
    });
    assert.equal(wrong.ok, false);
    if (!wrong.ok)
      assert.deepEqual([wrong.error.kind, wrong.error.code], ['forbidden', 'registry.login_failed']);
    assert.equal((await transfer(h, 'images.push', { ref })).error?.kind, 'forbidden');

    const empty = await dispatchInvoke(h, 'images.login', {
      server: reg.host,
      username: 'alice',
      password: '',
    });
    assert.equal(empty.ok, false);

    const ok = await dispatchInvoke(h, 'images.login', {
      server: `http://${reg.host}/`,
      username: 'alice',
      password: 'wonderland',
    });
    assert.deepEqual(ok, { ok: true, value: { server: reg.host } });
    const push = await transfer(h, 'images.push', { ref });
    assert.equal(push.error, undefined, JSON.stringify(push));
    assert.ok(push.events.some((e) => /digest: sha256:/.test(e.status)));
    assert.equal(daemon.docker(['rmi', ref]).code, 0);
    const pull = await transfer(h, 'images.pull', { ref });
    assert.equal(pull.error, undefined, JSON.stringify(pull));
    assert.match(
      daemon.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']).stdout,
      /locked\/busybox:1/,
    );
  });
});
