import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anonymousVolumeName, validateVolumeName, volumeNameError } from './names.ts';

test("volume names follow the local driver's rule, with dockerd's messages", () => {
  for (const ok of ['ab', 'my-vol', 'a.b_c-9', '0x']) assert.equal(volumeNameError(ok), undefined, ok);
  assert.equal(
    volumeNameError('a'),
    'volume name is too short, names should be at least two alphanumeric characters',
  );
  assert.equal(
    volumeNameError('a/b'),
    '"a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path',
  );
  for (const bad of ['-ab', '.ab', 'a b', '../x', 'é1'])
    assert.notEqual(volumeNameError(bad), undefined, bad);
  assert.throws(
    () => validateVolumeName('a/b'),
    /^EngineError: create a\/b: "a\/b" includes invalid characters/,
  );
});

test('anonymous volumes get 64-hex-digit names', () => {
  const n = anonymousVolumeName();
  assert.match(n, /^[0-9a-f]{64}$/);
  assert.equal(volumeNameError(n), undefined);
});
