import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { testDir } from '../../../core/test-dir.ts';
import { serviceAccountAuthenticator } from '../authn.ts';
import { TokenIssuer } from './tokens.ts';

test('tokens: issued, verified, refused when expired, forged or from another key; the key is kept', async () => {
  const dir = testDir('berth-sa-');
  try {
    let now = Date.parse('2026-06-01T00:00:00Z');
    const issuer = await TokenIssuer.open(dir, () => now);
    assert.equal(statSync(path.join(dir, 'sa.key')).mode & 0o777, 0o600);
    const { token, expiresAt } = issuer.issue({
      namespace: 'team',
      serviceAccount: { name: 'builder' },
      pod: { name: 'p', uid: 'u' },
      expirationSeconds: 600,
    });
    assert.equal(expiresAt, now + 600_000);
    const claims = issuer.verify(token);
    assert.equal(claims?.sub, 'system:serviceaccount:team:builder');
    assert.deepEqual(claims?.['kubernetes.io'].pod, { name: 'p', uid: 'u' });

    const [h, b, s] = token.split('.');
    const tampered = JSON.parse(Buffer.from(b, 'base64url').toString());
    tampered.sub = 'system:serviceaccount:kube-system:admin';
    assert.equal(
      issuer.verify(`${h}.${Buffer.from(JSON.stringify(tampered)).toString('base64url')}.${s}`),
      undefined,
    );
    assert.equal(issuer.verify('not.a.token'), undefined);

    const again = await TokenIssuer.open(dir, () => now);
    assert.ok(again.verify(token), 'the same key after a restart');
    const other = await TokenIssuer.open(testDir('berth-sa-'), () => now);
    assert.equal(other.verify(token), undefined, 'another cluster’s key');

    let exists = true;
    const auth = serviceAccountAuthenticator(
      (t) => issuer.verify(t),
      () => exists,
    );
    const req = (authorization?: string) => ({ headers: { authorization } }) as never;
    assert.deepEqual(await auth(req(`Bearer ${token}`)), {
      name: 'system:serviceaccount:team:builder',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'],
    });
    assert.equal(await auth(req()), undefined);
    exists = false;
    assert.equal(await auth(req(`Bearer ${token}`)), undefined, 'what it names is gone');
    now += 601_000;
    assert.equal(issuer.verify(token), undefined, 'expired');
    assert.ok(readFileSync(path.join(dir, 'sa.key'), 'utf8').includes('PRIVATE KEY'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
