import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VolumeSummary } from '../../../../electron/contract/index.ts';
import { displayName, isAnonymous, volumeItem } from './volume-dialogs.tsx';
import { parseLabels } from './volume-request.ts';

test('parseLabels reads KEY=value lines and refuses a line without a key', () => {
  assert.deepEqual(parseLabels('team=ui\n  env = dev \n\nflag'), { team: 'ui', env: 'dev', flag: '' });
  assert.deepEqual(parseLabels('hosts=a,b\nq=x=y'), { hosts: 'a,b', q: 'x=y' });
  assert.deepEqual(parseLabels(''), {});
  assert.throws(() => parseLabels('=x'), /invalid label "=x"/);
  assert.throws(() => parseLabels('a b=x'), /invalid label/);
});

test('the remove dialogs name each volume with its size and users', () => {
  const v = (name: string, extra: Partial<VolumeSummary> = {}): VolumeSummary => ({
    name,
    driver: 'local',
    mountpoint: `/v/${name}`,
    labels: {},
    usedBy: [],
    ...extra,
  });
  assert.equal(volumeItem(v('data', { size: 8, usedBy: ['web', 'db'] })), 'data (8 B, used by web, db)');
  assert.equal(volumeItem(v('empty', { size: 0 })), 'empty (0 B)');
  assert.equal(volumeItem(v('unsized')), 'unsized');
  const anon = 'a'.repeat(64);
  assert.equal(displayName(anon), `${'a'.repeat(12)}…`);
  assert.equal(isAnonymous(v(anon)), true);
  assert.equal(isAnonymous(v('x', { labels: { 'com.docker.volume.anonymous': '' } })), true);
  assert.equal(isAnonymous(v('data')), false);
});
