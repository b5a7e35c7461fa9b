import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goDurationMs, labelsMatch, untilMs } from './filters.ts';

test('label filters: key, key=value, and label! exclusions', () => {
  const labels = { team: 'a', tier: '' };
  assert.equal(labelsMatch(labels, ['team']), true);
  assert.equal(labelsMatch(labels, ['team=a', 'tier']), true);
  assert.equal(labelsMatch(labels, ['team=b']), false);
  assert.equal(labelsMatch(labels, ['owner']), false);
  assert.equal(labelsMatch(labels, [], ['team=a']), false);
  assert.equal(labelsMatch(labels, ['team'], ['team=b']), true);
});

test('until: Go durations before now, unix seconds, dates; anything else in dockerd words', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  assert.equal(goDurationMs('1h30m'), 5_400_000);
  assert.equal(goDurationMs('1.5s'), 1500);
  assert.equal(goDurationMs('h'), undefined);
  assert.equal(untilMs('2h', now), now - 7_200_000);
  assert.equal(untilMs('1714564800', now), 1_714_564_800_000);
  assert.equal(untilMs('2024-01-01T00:00:00Z', now), Date.parse('2024-01-01T00:00:00Z'));
  assert.throws(
    () => untilMs('bogus', now),
    /^EngineError: failed to parse value as time or duration: "bogus"$/,
  );
});
