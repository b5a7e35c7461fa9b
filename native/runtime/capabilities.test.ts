import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEngineError } from '../core/errors.ts';
import {
  allCapabilities,
  applyCapChanges,
  capMask,
  defaultCapabilities,
  normalizeCapability,
} from './capabilities.ts';

test("Docker's default set has the bounding mask docker containers show", () => {
  assert.equal(defaultCapabilities.length, 14);
  assert.equal(capMask(defaultCapabilities), '00000000a80425fb');
});

test('the full list is in kernel bit order up to CAP_CHECKPOINT_RESTORE', () => {
  assert.equal(allCapabilities.length, 41);
  assert.equal(allCapabilities.indexOf('CAP_SYS_ADMIN'), 21);
  assert.equal(allCapabilities.indexOf('CAP_BPF'), 39);
  assert.equal(capMask(allCapabilities), '000001ffffffffff');
});

test('names are case-insensitive, with or without CAP_', () => {
  assert.equal(normalizeCapability('net_admin'), 'CAP_NET_ADMIN');
  assert.equal(normalizeCapability('Cap_Sys_Admin'), 'CAP_SYS_ADMIN');
  assert.equal(normalizeCapability('all'), 'ALL');
});

test('unknown capability is an invalid-argument error with Docker wording', () => {
  assert.throws(
    () => applyCapChanges(defaultCapabilities, ['foo'], []),
    (err) => isEngineError(err, 'invalid') && err.message === 'unknown capability: "CAP_FOO"',
  );
  assert.throws(() => applyCapChanges(defaultCapabilities, [], ['CAP_BAR']), /unknown capability: "CAP_BAR"/);
});

test('drop then add over the defaults, in bit order', () => {
  const caps = applyCapChanges(defaultCapabilities, ['sys_admin', 'NET_ADMIN'], ['chown', 'CAP_MKNOD']);
  assert.ok(caps.includes('CAP_SYS_ADMIN') && caps.includes('CAP_NET_ADMIN'));
  assert.ok(!caps.includes('CAP_CHOWN') && !caps.includes('CAP_MKNOD'));
  assert.equal(caps.length, 14);
  const bits = caps.map((c) => allCapabilities.indexOf(c));
  assert.deepEqual(
    bits,
    [...bits].sort((a, b) => a - b),
  );
});

test('no changes keeps the defaults', () => {
  assert.deepEqual(new Set(applyCapChanges(defaultCapabilities, [], [])), new Set(defaultCapabilities));
});

test('--cap-add ALL gives everything except what is dropped', () => {
  const caps = applyCapChanges(defaultCapabilities, ['ALL'], ['sys_module']);
  assert.equal(caps.length, allCapabilities.length - 1);
  assert.ok(!caps.includes('CAP_SYS_MODULE'));
});

test('--cap-drop ALL keeps only the added ones', () => {
  assert.deepEqual(applyCapChanges(defaultCapabilities, ['net_bind_service', 'chown'], ['all']), [
    'CAP_CHOWN',
    'CAP_NET_BIND_SERVICE',
  ]);
  assert.deepEqual(applyCapChanges(defaultCapabilities, [], ['ALL']), []);
});
