import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { lockHost } from './host-lock.ts';
import { testDir } from './test-dir.ts';

test('the host-wide lock: one holder at a time, a stale one taken over, a wait that ends says who holds it', async () => {
  const dir = testDir('berth-host-lock-');
  const file = path.join(dir, 'ranges.lock');
  const release = await lockHost(file);
  assert.equal(readFileSync(file, 'utf8'), `${process.pid}\n`);
  const order: string[] = [];
  const second = lockHost(file, { timeoutMs: 5000 }).then((r) => {
    order.push('second');
    return r;
  });
  await new Promise((r) => setTimeout(r, 200));
  order.push('first released');
  await release();
  const releaseSecond = await second;
  assert.deepEqual(order, ['first released', 'second']);
  await assert.rejects(
    lockHost(file, { timeoutMs: 100 }),
    new RegExp(`another process \\(pid ${process.pid}\\) holds ${file}`),
  );
  await releaseSecond();
  assert.deepEqual(readdirSync(dir), [], 'nothing is left behind');

  // A holder that died: its lock is taken over.
  const gone = spawnSync('true').pid;
  writeFileSync(file, `${gone}\n`);
  const taken = await lockHost(file, { timeoutMs: 1000 });
  assert.equal(readFileSync(file, 'utf8'), `${process.pid}\n`);
  await taken();
  // Nowhere to put it: nothing to share it with.
  const none = await lockHost(path.join(dir, 'missing', 'ranges.lock'));
  await none();
});

test('a stale lock is taken over by one waiter only, however many saw its holder gone', async () => {
  const dir = testDir('berth-host-lock-');
  const file = path.join(dir, 'ranges.lock');
  for (let round = 0; round < 15; round++) {
    writeFileSync(file, `${spawnSync('true').pid}\n`);
    const held: number[] = [];
    const releases = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        lockHost(file, { timeoutMs: 200 }).then(
          (release) => {
            held.push(i);
            return release;
          },
          () => undefined,
        ),
      ),
    );
    assert.equal(held.length, 1, `round ${round}: holders ${held.join(', ')}`);
    for (const release of releases) await release?.();
    assert.deepEqual(readdirSync(dir), [], 'nothing is left behind');
  }
});
