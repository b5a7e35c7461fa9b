import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteStore } from './sqlite.ts';
import { storeConformance } from './store.conformance.ts';
import { StoreError } from './store.ts';

const dirs: string[] = [];
const tempDb = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-sqlite-'));
  dirs.push(dir);
  return path.join(dir, 'kubernetes', 'state.db');
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

storeConformance('sqlite', async () => {
  const store = SqliteStore.open(tempDb());
  return { store, cleanup: () => store.close() };
});

describe('SQLite store on disk', () => {
  it('keeps values, revisions and the compaction point across a reopen', async () => {
    const file = tempDb();
    const a = SqliteStore.open(file);
    await a.create('/r/a', { v: 1 });
    const old = await a.update('/r/a', { v: 2 });
    const del = await a.create('/r/b', { v: 1 });
    const gone = await a.delete('/r/b');
    await a.compact(gone.revision);
    await a.close();
    const b = SqliteStore.open(file);
    assert.equal(await b.revision(), gone.revision);
    assert.deepEqual(await b.get('/r/a'), { key: '/r/a', value: { v: 2 }, revision: old.revision });
    assert.equal(await b.get('/r/b'), null);
    await assert.rejects(b.list('/r/', { revision: del.revision }), { kind: 'gone' });
    const next = await b.create('/r/c', { v: 1 });
    assert.equal(next.revision, gone.revision + 1, 'the revision goes on from where it was');
    await b.close();
  });

  it('never reuses a revision, even when compaction removed the newest rows', async () => {
    const file = tempDb();
    const a = SqliteStore.open(file);
    await a.create('/n/a', { v: 1 });
    const gone = await a.delete('/n/a');
    await a.compact(gone.revision);
    await a.close();
    const b = SqliteStore.open(file);
    assert.equal(await b.revision(), gone.revision);
    assert.ok((await b.create('/n/a', { v: 2 })).revision > gone.revision);
    await b.close();
  });

  it('refuses a second opener of the same file', async () => {
    const file = tempDb();
    const a = SqliteStore.open(file);
    await a.create('/l/a', { v: 1 });
    assert.throws(
      () => SqliteStore.open(file),
      (err) => err instanceof StoreError && err.kind === 'unavailable' && /in use/.test(err.message),
    );
    await a.close();
    const b = SqliteStore.open(file);
    assert.deepEqual((await b.get('/l/a'))?.value, { v: 1 });
    await b.close();
  });

  it('loses no acknowledged write when its process is killed mid-burst', async () => {
    const file = tempDb();
    // A writer process: bursts of concurrent creates and updates, each printed once acknowledged.
    const writer = `
      const { SqliteStore } = await import(${JSON.stringify(path.resolve(import.meta.dirname, 'sqlite.ts'))});
      const s = SqliteStore.open(${JSON.stringify(file)});
      for (let burst = 0; ; burst++) {
        await Promise.all(Array.from({ length: 16 }, async (_, i) => {
          const key = '/k/' + burst + '/' + i;
          const w = await s.create(key, { burst, i, pad: 'x'.repeat(200) });
          process.stdout.write('ack ' + key + ' ' + w.revision + '\\n');
        }));
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked = new Map<string, number>();
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`the writer exited (${code}) before it was killed`)));
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const l of lines) {
          const [, key, rev] = l.split(' ');
          acked.set(key, Number(rev));
        }
        if (acked.size >= 500 && child.exitCode === null) {
          child.removeAllListeners('exit');
          child.kill('SIGKILL');
          child.on('exit', () => resolve());
        }
      });
    });
    const s = SqliteStore.open(file);
    let max = 0;
    for (const [key, rev] of acked) {
      const got = await s.get(key);
      assert.equal(got?.revision, rev, `acknowledged ${key} at ${rev}`);
      max = Math.max(max, rev);
    }
    assert.ok((await s.revision()) >= max);
    const next = await s.create('/k/after', {});
    assert.ok(next.revision > max, 'revisions go on past every acknowledged one');
    await s.close();
  });

  it('answers, shows and publishes a write only once its WAL is synced; batches meanwhile share one sync', async () => {
    const gates: Array<() => void> = [];
    let syncs = 0;
    const s = SqliteStore.open(tempDb(), {
      beforeSync: () => {
        syncs++;
        return new Promise<void>((r) => gates.push(r));
      },
    });
    const events: string[] = [];
    const vOf = async (key: string) => ((await s.get(key))?.value as { v: number } | undefined)?.v;
    const abort = new AbortController();
    const watching = (async () => {
      for await (const e of s.watch('/k/', 0, abort.signal))
        if (e.type !== 'PROGRESS') events.push(`${e.type} ${e.object.key}`);
    })().catch(() => undefined);
    let answered = false;
    const a = s.create('/k/b', { v: 2 }).then((o) => {
      answered = true;
      return o;
    });
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(answered, false, 'not answered before its sync');
    assert.equal(await s.get('/k/b'), null, 'not readable before its sync');
    assert.equal((await s.list('/k/')).items.length, 0);
    assert.deepEqual(events, []);
    // Two more batches while the first sync runs: one sync after it for both.
    const b = s.update('/k/b', { v: 3 });
    await new Promise((r) => setImmediate(r));
    const c = s.create('/k/c', { v: 4 });
    await new Promise((r) => setImmediate(r));
    gates.shift()?.();
    assert.equal((await a).revision, 1);
    assert.equal(await vOf('/k/b'), 2);
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()?.();
    assert.deepEqual([(await b).revision, (await c).revision], [2, 3]);
    assert.equal(syncs, 2);
    assert.equal(await vOf('/k/b'), 3);
    while (events.length < 3) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(events, ['ADDED /k/b', 'MODIFIED /k/b', 'ADDED /k/c']);
    abort.abort();
    await watching;
    await s.close();
  });

  it('a sync that fails answers its writes unavailable, and refuses later writes', async () => {
    const s = SqliteStore.open(tempDb(), { beforeSync: () => Promise.reject(new Error('disk gone')) });
    await assert.rejects(
      s.create('/k/a', {}),
      (err: unknown) =>
        err instanceof StoreError &&
        err.kind === 'unavailable' &&
        /cannot sync the store: disk gone/.test(err.message),
    );
    await assert.rejects(
      s.create('/k/b', {}),
      (err: unknown) => err instanceof StoreError && err.kind === 'unavailable',
    );
    assert.equal(await s.get('/k/a'), null, 'never acknowledged, never readable');
    await s.close();
  });
});
