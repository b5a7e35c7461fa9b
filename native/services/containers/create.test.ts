import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeHostConfig } from './create.ts';
import { logLimits, parseSize } from './log-rotate.ts';

test('host config gets Docker defaults', () => {
  const hc = normalizeHostConfig({});
  assert.equal(hc.NetworkMode, 'default');
  assert.equal(hc.ShmSize, 64 * 1024 * 1024);
  assert.deepEqual(hc.RestartPolicy, { Name: '', MaximumRetryCount: 0 });
  assert.equal(hc.LogConfig.Type, 'k8s-file');
});

test('host config rejects what dockerd rejects', () => {
  assert.throws(
    () => normalizeHostConfig({ RestartPolicy: { Name: 'sometimes' } }),
    /invalid restart policy/,
  );
  assert.throws(
    () => normalizeHostConfig({ RestartPolicy: { Name: 'always' }, AutoRemove: true }),
    /cannot specify both --restart and --rm/,
  );
  assert.throws(() => normalizeHostConfig({ Memory: 1024 }), /Minimum memory limit allowed is 6MB/);
  assert.throws(() => normalizeHostConfig({ Memory: 'lots' }), /cannot unmarshal string/);
  assert.throws(() => normalizeHostConfig({ Tmpfs: { relative: '' } }), /must be absolute/);
  assert.throws(() => normalizeHostConfig({ CapAdd: ['NOT_A_CAP'] }), /unknown capability/);
  assert.throws(
    () => normalizeHostConfig({ LogConfig: { Type: 'syslogx' } }),
    /no log driver named 'syslogx'/,
  );
});

test('log options: sizes in binary units, max-file needs max-size', () => {
  assert.equal(parseSize('10m'), 10 * 1024 * 1024);
  assert.equal(parseSize('1k'), 1024);
  assert.equal(parseSize('512'), 512);
  assert.throws(() => parseSize('ten'), /invalid size/);
  assert.deepEqual(logLimits({ 'max-size': '1k', 'max-file': '3' }), { maxSize: 1024, maxFile: 3 });
  assert.deepEqual(logLimits({ 'max-file': '3' }), { maxSize: 0, maxFile: 3 }); // ignored without max-size, as dockerd does
  assert.throws(() => logLimits({ 'max-file': '0', 'max-size': '1k' }), /max-file cannot be less than 1/);
});
