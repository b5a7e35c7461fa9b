import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ProgressMessage, progress, progressBar, shortDigest, throttled } from './progress.ts';

test('progress messages have the shapes the docker CLI reads', () => {
  assert.deepEqual(progress.status('Pulling fs layer', 'abc'), { status: 'Pulling fs layer', id: 'abc' });
  assert.deepEqual(progress.status('Digest: sha256:00'), { status: 'Digest: sha256:00' });
  assert.deepEqual(progress.layer('Pull complete', 'abc'), {
    status: 'Pull complete',
    progressDetail: {},
    id: 'abc',
  });
  const b = progress.bytes('Downloading', 'abc', 5, 10);
  assert.deepEqual(b.progressDetail, { current: 5, total: 10 });
  assert.equal(b.status, 'Downloading');
  assert.equal(b.id, 'abc');
  assert.deepEqual(progress.error('boom'), { errorDetail: { message: 'boom' }, error: 'boom' });
  assert.deepEqual(progress.aux({ Tag: 't', Digest: 'sha256:1', Size: 3 }), {
    aux: { Tag: 't', Digest: 'sha256:1', Size: 3 },
  });
  assert.equal(shortDigest(`sha256:${'0123456789ab'.repeat(6)}`), '0123456789ab');
  assert.match(progressBar(1, 2), /^\[=+> +\]\s+1B\/2B$/);
  assert.match(progressBar(2_500_000, 2_500_000), /^\[=+\]\s+2\.500MB\/2\.500MB$/);
});

test('byte progress is throttled but always reports the end', () => {
  const seen: ProgressMessage[] = [];
  const tick = throttled((m) => seen.push(m), 'Pushing', 'x', 1000);
  for (let i = 1; i <= 1000; i++) tick(i);
  assert.ok(seen.length <= 51, `${seen.length} messages`);
  assert.deepEqual(seen[seen.length - 1].progressDetail, { current: 1000, total: 1000 });
});
