import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import { dispatchInvoke, type Handlers } from '../ipc/handlers.ts';
import { Transfers } from './transfers.ts';

/** Only the transfer channels; the rest is never called here. */
function handlersOf(transfers: Transfers, choose?: (name: string) => Promise<string | null>): Handlers {
  return { invoke: transfers.handlers(choose), streams: {}, transfers } as unknown as Handlers;
}

test('an upload passes chunks on in order and answers finish with the outcome of its action', async () => {
  const got: string[] = [];
  let release: () => void = () => undefined;
  const sink = new Writable({
    highWaterMark: 4,
    write(chunk: Buffer, _enc, cb) {
      got.push(chunk.toString());
      // The engine takes the first chunk slowly: the next write waits for it.
      if (got.length === 1) release = () => cb();
      else cb();
    },
  });
  const done = new Promise<void>((resolve) => sink.on('finish', resolve));
  const transfers = new Transfers();
  const h = handlersOf(transfers);
  const t = transfers.upload({ name: 'x', sink, done });
  let second = false;
  const w1 = dispatchInvoke(h, 'transfers.write', {
    id: t.id,
    base64: Buffer.from('first').toString('base64'),
  });
  const w2 = dispatchInvoke(h, 'transfers.write', {
    id: t.id,
    base64: Buffer.from('second').toString('base64'),
  }).then((r) => {
    second = true;
    return r;
  });
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(second, false, 'a write waits while the engine is behind');
  release();
  assert.ok((await w1).ok);
  assert.ok((await w2).ok);
  assert.deepEqual(await dispatchInvoke(h, 'transfers.finish', { id: t.id }), { ok: true, value: undefined });
  assert.deepEqual(got, ['first', 'second']);
  const after = await dispatchInvoke(h, 'transfers.write', { id: t.id, base64: '' });
  assert.equal(after.ok, false, 'a finished upload takes no more');
});

test('an upload whose action fails says why at the next write, and at finish', async () => {
  const transfers = new Transfers();
  const h = handlersOf(transfers);
  const sink = new PassThrough();
  const done = Promise.reject(Object.assign(new Error('no such container'), { statusCode: 404 }));
  const t = transfers.upload({ name: 'x', sink, done });
  await new Promise((r) => setImmediate(r));
  const w = await dispatchInvoke(h, 'transfers.write', { id: t.id, base64: 'aGk=' });
  assert.equal(w.ok, false);
  if (!w.ok) assert.deepEqual([w.error.kind, w.error.message], ['not_found', 'no such container']);
  assert.equal(sink.destroyed, true);
  const big = transfers.upload({ name: 'y', sink: new PassThrough(), done: new Promise(() => undefined) });
  const tooBig = await dispatchInvoke(h, 'transfers.write', {
    id: big.id,
    base64: Buffer.alloc(1024 * 1024 + 1).toString('base64'),
  });
  assert.equal(tooBig.ok, false);
});

test('what is left alone expires: an upload not fed, a download not taken', async () => {
  const transfers = new Transfers(20);
  const h = handlersOf(transfers);
  const sink = new PassThrough();
  const up = transfers.upload({ name: 'x', sink, done: new Promise<void>(() => undefined) });
  const body = Readable.from([Buffer.from('x')]);
  const down = transfers.download({ name: 'd', body });
  const waited = dispatchInvoke(h, 'transfers.wait', { id: down.id });
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(sink.destroyed, true);
  assert.equal(body.destroyed, true);
  const w = await waited;
  assert.equal(w.ok, false);
  assert.equal((await dispatchInvoke(h, 'transfers.write', { id: up.id, base64: '' })).ok, false);
  assert.equal(transfers.take(down.id), undefined);
});

test('transfers.save writes a download where the desktop app was told to; web mode has no dialog', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-save-'));
  try {
    const file = path.join(dir, 'out.tar');
    const transfers = new Transfers();
    const h = handlersOf(transfers, async (name) => (name === 'v.tar' ? file : null));
    const t = transfers.download({
      name: 'v.tar',
      body: Readable.from([Buffer.from('tar'), Buffer.from('ball')]),
    });
    assert.deepEqual(await dispatchInvoke(h, 'transfers.save', { id: t.id }), {
      ok: true,
      value: { path: file, bytes: 7 },
    });
    assert.equal(readFileSync(file, 'utf8'), 'tarball');
    const cancelled = transfers.download({ name: 'other', body: Readable.from([Buffer.from('x')]) });
    assert.deepEqual(await dispatchInvoke(h, 'transfers.save', { id: cancelled.id }), {
      ok: true,
      value: null,
    });
    const web = handlersOf(transfers);
    const w = transfers.download({ name: 'w', body: Readable.from([]) });
    const r = await dispatchInvoke(web, 'transfers.save', { id: w.id });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.kind, 'unsupported');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
