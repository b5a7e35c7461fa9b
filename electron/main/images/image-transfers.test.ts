// Image references and the pull/push progress mapping.
// (The image handlers against a real berthd and registry: test/integration/app/images.test.ts.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HandlerError } from '../ipc/errors.ts';
import { parseImageRef, toTransferProgress } from './image-transfers.ts';

describe('image references and progress', () => {
  test('parseImageRef splits registry, path, tag and digest', () => {
    assert.deepEqual(parseImageRef('busybox'), { repository: 'busybox' });
    assert.deepEqual(parseImageRef(' busybox:1.36 '), { repository: 'busybox', tag: '1.36' });
    assert.deepEqual(parseImageRef('127.0.0.1:5000/e2e/busybox'), {
      repository: '127.0.0.1:5000/e2e/busybox',
    });
    assert.deepEqual(parseImageRef('localhost:5000/a/b:t'), { repository: 'localhost:5000/a/b', tag: 't' });
    assert.deepEqual(parseImageRef(`busybox@sha256:${'a'.repeat(64)}`), {
      repository: 'busybox',
      digest: `sha256:${'a'.repeat(64)}`,
    });
    assert.deepEqual(parseImageRef('My.Registry:5000/x'), { repository: 'My.Registry:5000/x' });
    for (const bad of ['', 'Busybox', 'a b', 'busybox:', 'busybox:-x', 'x@sha256:zz', 'a//b']) {
      assert.throws(() => parseImageRef(bad), HandlerError, bad);
    }
  });

  test('toTransferProgress: layer lines, image lines, and errors', () => {
    assert.deepEqual(
      toTransferProgress('pull', {
        status: 'Downloading',
        id: '0123456789ab',
        progressDetail: { current: 5, total: 10 },
      }),
      { status: 'Downloading', layer: '0123456789ab', current: 5, total: 10 },
    );
    assert.deepEqual(
      toTransferProgress('pull', { status: 'Pull complete', id: '0123456789ab', progressDetail: {} }),
      {
        status: 'Pull complete',
        layer: '0123456789ab',
      },
    );
    assert.deepEqual(toTransferProgress('pull', { status: 'Pulling from busybox', id: 'latest' }), {
      status: 'latest: Pulling from busybox',
    });
    assert.equal(toTransferProgress('push', {}), undefined, 'aux messages show nothing');
    assert.throws(
      () =>
        toTransferProgress('pull', {
          errorDetail: { message: 'manifest unknown' },
          error: 'manifest unknown',
        }),
      (e: HandlerError) => e.kind === 'not_found' && e.code === 'image.pull_failed',
    );
    // A registry that wants a login, in dockerd's and berthd's words: forbidden, so the UI offers one.
    for (const error of [
      'unauthorized: authentication required',
      'no basic auth credentials',
      'denied: requested access to the resource is denied',
      'Head "http://127.0.0.1:5000/v2/x/manifests/1": no basic auth credentials',
    ]) {
      assert.throws(
        () => toTransferProgress('push', { error }),
        (e: HandlerError) => e.kind === 'forbidden',
        error,
      );
    }
  });
});
