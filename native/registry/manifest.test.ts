import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ManifestIndex, mediaTypes, parseManifest, parsePlatform, selectPlatform } from './manifest.ts';

const d = (n: string) => `sha256:${n.repeat(64)}`;
const index: ManifestIndex = {
  kind: 'index',
  manifests: [
    {
      mediaType: mediaTypes.ociManifest,
      digest: d('1'),
      size: 1,
      platform: { os: 'linux', architecture: 'amd64' },
    },
    {
      mediaType: mediaTypes.ociManifest,
      digest: d('2'),
      size: 1,
      platform: { os: 'linux', architecture: 'arm', variant: 'v6' },
    },
    {
      mediaType: mediaTypes.ociManifest,
      digest: d('3'),
      size: 1,
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    },
    {
      mediaType: mediaTypes.ociManifest,
      digest: d('4'),
      size: 1,
      platform: { os: 'linux', architecture: 'arm64' },
    },
    {
      mediaType: mediaTypes.ociManifest,
      digest: d('5'),
      size: 1,
      platform: { os: 'unknown', architecture: 'unknown' },
    },
    {
      mediaType: mediaTypes.ociManifest,
      digest: d('6'),
      size: 1,
      platform: { os: 'windows', architecture: 'amd64' },
    },
  ],
};

test('platform selection from an index', () => {
  assert.equal(selectPlatform(index, parsePlatform('linux/amd64')).digest, d('1'));
  assert.equal(selectPlatform(index, parsePlatform('linux/x86_64')).digest, d('1'));
  assert.equal(selectPlatform(index, parsePlatform('linux/arm/v7')).digest, d('3'));
  assert.equal(selectPlatform(index, parsePlatform('linux/arm/v6')).digest, d('2'));
  // arm64 without a variant in the index is v8.
  assert.equal(selectPlatform(index, parsePlatform('linux/arm64/v8')).digest, d('4'));
  assert.equal(selectPlatform(index, parsePlatform('linux/aarch64')).digest, d('4'));
  assert.equal(selectPlatform(index, parsePlatform('windows/amd64')).digest, d('6'));
  assert.throws(
    () => selectPlatform(index, parsePlatform('linux/s390x')),
    /no matching manifest for linux\/s390x/,
  );
  assert.throws(() => selectPlatform(index, parsePlatform('linux/arm/v5')), /no matching manifest/);
  assert.throws(() => parsePlatform('linux'), /invalid platform/);
  // The default is the host.
  const host = selectPlatform(index, parsePlatform(''));
  assert.ok([d('1'), d('4')].includes(host.digest));
});

test('manifest kinds by media type or shape', () => {
  const m = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.dockerManifest,
      config: { mediaType: mediaTypes.dockerConfig, digest: d('a'), size: 3 },
      layers: [{ mediaType: mediaTypes.dockerLayerGzip, digest: d('b'), size: 4 }],
    }),
  );
  const parsed = parseManifest(m, null);
  assert.equal(parsed.kind, 'manifest');
  assert.equal(parsed.kind === 'manifest' && parsed.layers[0].digest, d('b'));
  const oci = parseManifest(
    Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] })),
    mediaTypes.ociIndex,
  );
  assert.equal(oci.kind, 'index');
  const list = parseManifest(
    Buffer.from(JSON.stringify({ mediaType: mediaTypes.dockerList, manifests: [] })),
    null,
  );
  assert.equal(list.kind, 'index');
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1}'), null), /schema 1/);
  assert.throws(() => parseManifest(Buffer.from('nope'), null), /not JSON/);
});
