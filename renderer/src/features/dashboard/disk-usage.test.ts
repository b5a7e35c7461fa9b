import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dockerSize } from '../../ui/format.ts';
import { reclaimableText } from './disk-usage.ts';

test('dockerSize writes bytes as the docker CLI does (go-units HumanSize)', () => {
  // Each pair is what `docker system df` printed for that many bytes.
  assert.equal(dockerSize(0), '0B');
  assert.equal(dockerSize(999), '999B');
  assert.equal(dockerSize(71680), '71.68kB');
  assert.equal(dockerSize(276480), '276.5kB');
  assert.equal(dockerSize(358400), '358.4kB');
  assert.equal(dockerSize(1982483), '1.982MB');
  assert.equal(dockerSize(4_000_000), '4MB');
  assert.equal(dockerSize(1.5e12), '1.5TB');
});

test('reclaimableText: the share of the size, rounded down; none without a size or for the build cache', () => {
  const row = { total: 2, active: 1 } as const;
  assert.equal(
    reclaimableText({ ...row, type: 'Containers', size: 276480, reclaimable: 71680 }),
    '71.68kB (25%)',
  );
  assert.equal(reclaimableText({ ...row, type: 'Images', size: 1982483, reclaimable: 0 }), '0B (0%)');
  assert.equal(reclaimableText({ ...row, type: 'Local Volumes', size: 0, reclaimable: 0 }), '0B');
  assert.equal(reclaimableText({ ...row, type: 'Build Cache', size: 5000, reclaimable: 5000 }), '5kB');
});
