import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { hostSys, type RunOptions, type Sys } from '../core/sys.ts';
import { testDir } from '../core/test-dir.ts';
import { FifoPool } from './fifo-pool.ts';

/** The host's Sys, counting the commands it runs. */
function counting(): { sys: Sys; runs: string[][] } {
  const runs: string[][] = [];
  return {
    runs,
    sys: {
      ...hostSys,
      run: (cmd: string, args: string[], opts?: RunOptions) => {
        runs.push([cmd, ...args]);
        return hostSys.run(cmd, args, opts);
      },
    },
  };
}

test('FIFOs come a batch per mkfifo, each moved to where it is asked for, mode 0600', async () => {
  const root = testDir('berth-fifos-');
  const { sys, runs } = counting();
  const pool = new FifoPool(path.join(root, 'pool'), sys, 2);
  mkdirSync(path.join(root, 'b'));
  // Three at once: one batch is made for the first two, the third waits for the next batch.
  await Promise.all([0, 1, 2].map((i) => pool.take(path.join(root, 'b', `sync${i}`))));
  assert.equal(runs.length, 2);
  assert.ok(runs.every((r) => r[0] === 'mkfifo' && r[1] === '-m' && r[2] === '0600' && r.length === 5));
  for (let i = 0; i < 3; i++) {
    const st = statSync(path.join(root, 'b', `sync${i}`));
    assert.ok(st.isFIFO());
    assert.equal(st.mode & 0o777, 0o600);
  }
  // The batch's other one is still there; the next take uses it without a process.
  assert.equal(readdirSync(path.join(root, 'pool')).length, 1);
  await pool.take(path.join(root, 'b', 'sync3'));
  assert.equal(runs.length, 2);
  assert.equal(readdirSync(path.join(root, 'pool')).length, 0);
});

test("a new pool clears what an earlier berthd's pool left, and one whose FIFOs vanished makes more", async () => {
  const root = testDir('berth-fifos-');
  const dir = path.join(root, 'pool');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'old'), '');
  const { sys, runs } = counting();
  const pool = new FifoPool(dir, sys, 2);
  await pool.take(path.join(root, 'a'));
  assert.equal(readdirSync(dir).length, 1);
  assert.ok(!readdirSync(dir).includes('old'));
  // Its folder removed by hand: the FIFO it still counts on is gone, and a new batch serves.
  for (const f of readdirSync(dir)) rmSync(path.join(dir, f));
  await pool.take(path.join(root, 'b'));
  assert.ok(statSync(path.join(root, 'b')).isFIFO());
  assert.equal(runs.length, 2);
});
