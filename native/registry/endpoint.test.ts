import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReference } from '../storage/reference.ts';
import {
  isInsecure,
  pullEndpoints,
  registryBaseUrl,
  registryConfigFromEnv,
  resolveLocation,
  v2Path,
} from './endpoint.ts';

const none = { insecureRegistries: [], mirrors: [] };

test('references map to registry URLs: Docker Hub, loopback over HTTP, others over HTTPS', () => {
  const url = (s: string) => registryBaseUrl(parseReference(s).domain, none);
  assert.equal(url('busybox'), 'https://registry-1.docker.io');
  assert.equal(url('docker.io/me/app:1'), 'https://registry-1.docker.io');
  assert.equal(url('localhost:5000/busybox:t'), 'http://localhost:5000');
  assert.equal(url('localhost/x'), 'http://localhost');
  assert.equal(url('127.0.0.1:5000/a/b'), 'http://127.0.0.1:5000');
  assert.equal(url('127.1.2.3:5000/a'), 'http://127.1.2.3:5000');
  assert.equal(url('[::1]:5000/a'), 'http://[::1]:5000');
  assert.equal(url('ghcr.io/o/r'), 'https://ghcr.io');
  assert.equal(url('128.0.0.1:5000/a'), 'https://128.0.0.1:5000');
  assert.equal(
    v2Path(parseReference('busybox').path, 'manifests', 'latest'),
    '/v2/library/busybox/manifests/latest',
  );
});

test('insecure registries by host, host:port and CIDR', () => {
  const cfg = { insecureRegistries: ['reg.lan:5000', 'other.lan', '10.0.0.0/8'], mirrors: [] };
  assert.equal(isInsecure('reg.lan:5000', cfg), true);
  assert.equal(isInsecure('reg.lan:5001', cfg), false);
  assert.equal(isInsecure('other.lan:443', cfg), true);
  assert.equal(isInsecure('10.9.8.7:5000', cfg), true);
  assert.equal(isInsecure('11.0.0.1', cfg), false);
  assert.deepEqual(
    registryConfigFromEnv({ BERTH_INSECURE_REGISTRIES: 'a:1, b', BERTH_REGISTRY_MIRRORS: '' }),
    {
      insecureRegistries: ['a:1', 'b'],
      mirrors: [],
    },
  );
});

test('mirrors come first, for Docker Hub only', () => {
  const cfg = { insecureRegistries: [], mirrors: ['http://127.0.0.1:5001/'] };
  assert.deepEqual(pullEndpoints(parseReference('busybox'), cfg), [
    'http://127.0.0.1:5001',
    'https://registry-1.docker.io',
  ]);
  assert.deepEqual(pullEndpoints(parseReference('localhost:5000/x'), cfg), ['http://localhost:5000']);
});

test('upload Locations: relative or absolute, and their query survives a digest', () => {
  const req = 'http://127.0.0.1:5000/v2/a/b/blobs/uploads/';
  const rel = resolveLocation('/v2/a/b/blobs/uploads/abc?_state=xyz%3D', req);
  rel.searchParams.append('digest', 'sha256:00');
  assert.equal(
    rel.toString(),
    'http://127.0.0.1:5000/v2/a/b/blobs/uploads/abc?_state=xyz%3D&digest=sha256%3A00',
  );
  assert.equal(
    resolveLocation('abc?x=1', req).toString(),
    'http://127.0.0.1:5000/v2/a/b/blobs/uploads/abc?x=1',
  );
  assert.equal(
    resolveLocation('https://storage.example/up/1?sig=2', req).toString(),
    'https://storage.example/up/1?sig=2',
  );
});
