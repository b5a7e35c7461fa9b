import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../core/log.ts';
import type { ContainerRecord } from './model.ts';
import { ContainerStore } from './store.ts';

function record(id: string): ContainerRecord {
  return { Id: id, Name: `/c-${id.slice(0, 4)}`, State: { Status: 'exited' } } as unknown as ContainerRecord;
}

test('a removal waits for a save under way and leaves no directory behind', async () => {
  const root = mkdtempSync('/tmp/store-');
  try {
    const store = new ContainerStore(root, createLogger('error'));
    const rec = record('a'.repeat(64));
    await store.save(rec);
    // The exit monitor saves while the API removes: both in flight at once.
    const saving = store.save(rec);
    const removing = store.delete(rec);
    await Promise.all([saving, removing]);
    assert.equal(existsSync(path.join(root, rec.Id)), false);
    assert.equal(store.find(rec.Id), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a save that comes after the removal does not bring the container back', async () => {
  const root = mkdtempSync('/tmp/store-');
  try {
    const store = new ContainerStore(root, createLogger('error'));
    const rec = record('b'.repeat(64));
    await store.save(rec);
    await store.delete(rec);
    await store.save(rec);
    assert.equal(existsSync(path.join(root, rec.Id)), false);
    assert.equal(store.find(rec.Id), undefined);
    assert.equal(store.nameTaken(rec.Name), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
