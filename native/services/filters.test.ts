import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelsMatch } from './filters.ts';

test('label filters: key, key=value, and label! exclusions', () => {
  const labels = { team: 'a', tier: '' };
  assert.equal(labelsMatch(labels, ['team']), true);
  assert.equal(labelsMatch(labels, ['team=a', 'tier']), true);
  assert.equal(labelsMatch(labels, ['team=b']), false);
  assert.equal(labelsMatch(labels, ['owner']), false);
  assert.equal(labelsMatch(labels, [], ['team=a']), false);
  assert.equal(labelsMatch(labels, ['team'], ['team=b']), true);
});
