import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { clientCertAuthenticator } from './authn.ts';
import { certFiles, ensureCerts } from './certs.ts';

let dir: string;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-certs-'));
});
after(() => fs.rm(dir, { recursive: true, force: true }));

test('first start makes a CA, a serving and an admin certificate; keys are private', async () => {
  const certs = await ensureCerts(dir);
  const ca = new X509Certificate(certs.caCert);
  const server = new X509Certificate(certs.serverCert);
  const admin = new X509Certificate(certs.adminCert);
  assert.ok(ca.ca);
  assert.ok(server.verify(ca.publicKey));
  assert.ok(admin.verify(ca.publicKey));
  assert.ok(server.checkIP('127.0.0.1'));
  assert.ok(server.checkHost('localhost'));
  assert.ok(server.checkHost('kubernetes.default.svc'));
  assert.match(admin.subject, /CN=berth-admin/);
  assert.match(admin.subject, /O=system:masters/);
  for (const k of ['caKey', 'serverKey', 'adminKey'] as const)
    assert.equal((await fs.stat(path.join(dir, certFiles[k]))).mode & 0o777, 0o600, k);
});

test('over TLS, the admin certificate authenticates as berth-admin in system:masters; no certificate is anonymous', async () => {
  const certs = await ensureCerts(dir);
  const seen: unknown[] = [];
  const server = https.createServer(
    {
      key: certs.serverKey,
      cert: certs.serverCert,
      ca: certs.caCert,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      seen.push(clientCertAuthenticator(req) ?? null);
      res.end();
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const get = (opts: https.RequestOptions) =>
    new Promise<void>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port, path: '/', ca: certs.caCert, ...opts }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
  try {
    await get({ cert: certs.adminCert, key: certs.adminKey });
    await get({});
    assert.deepEqual(seen, [
      { name: 'berth-admin', groups: ['system:masters', 'system:authenticated'] },
      null,
    ]);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a second start keeps them; leaves near their end are made again from the same CA', async () => {
  const first = await ensureCerts(dir);
  const again = await ensureCerts(dir);
  assert.deepEqual(again, first);
  const later = await ensureCerts(dir, Date.now() + 340 * 24 * 3600 * 1000);
  assert.equal(later.caCert, first.caCert);
  assert.notEqual(later.serverCert, first.serverCert);
  assert.notEqual(later.adminCert, first.adminCert);
});
