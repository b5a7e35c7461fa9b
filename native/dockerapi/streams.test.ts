import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkStream, type StdioChunk } from '../services/stdio.ts';
import { FrameDecoder } from './framing.ts';
import type { ClientStream } from './http.ts';
import { sendStdio } from './streams.ts';

/** A client that records what is written and can hang up. */
function client() {
  const written: Buffer[] = [];
  const cbs: Array<() => void> = [];
  let closed = false;
  let ended = false;
  const c: ClientStream = {
    write: (d) => {
      written.push(Buffer.from(d));
      return true;
    },
    end: () => {
      ended = true;
    },
    input: undefined,
    onClose: (cb) => cbs.push(cb),
    get closed() {
      return closed;
    },
  };
  return {
    c,
    written,
    ended: () => ended,
    hangUp: () => {
      closed = true;
      for (const cb of cbs) cb();
    },
  };
}

test('without a TTY, chunks go out in Docker frames; a failed start is reported on stdout', async () => {
  const out = new ChunkStream<StdioChunk>();
  const k = client();
  out.push({ stream: 'stdout', data: Buffer.from('out') });
  out.push({ stream: 'stderr', data: Buffer.from('err') });
  out.push({
    stream: 'exit',
    code: 126,
    error: 'OCI runtime exec failed: exec failed: no such user: unknown',
  });
  out.end();
  await sendStdio(k.c, { tty: false, output: out });
  const frames = new FrameDecoder().push(Buffer.concat(k.written));
  assert.deepEqual(
    frames.map((f) => [f.stream, f.payload.toString()]),
    [
      [1, 'out'],
      [2, 'err'],
      [1, 'OCI runtime exec failed: exec failed: no such user: unknown\r\n'],
    ],
  );
  assert.equal(k.ended(), true);
});

test('with a TTY, bytes go out raw and an exit code adds nothing', async () => {
  const out = new ChunkStream<StdioChunk>();
  const k = client();
  out.push({ stream: 'stdout', data: Buffer.from('$ ') });
  out.push({ stream: 'exit', code: 0 });
  out.end();
  await sendStdio(k.c, { tty: true, output: out });
  assert.equal(Buffer.concat(k.written).toString(), '$ ');
});

test('a client that hangs up closes the session, which lets its producer go', async () => {
  const out = new ChunkStream<StdioChunk>();
  let released = false;
  out.onClose(() => {
    released = true;
  });
  const k = client();
  const done = sendStdio(k.c, { tty: true, output: out });
  out.push({ stream: 'stdout', data: Buffer.from('a') });
  await new Promise((r) => setImmediate(r));
  k.hangUp();
  await done;
  assert.equal(released, true);
  out.push({ stream: 'stdout', data: Buffer.from('late') });
  assert.equal(Buffer.concat(k.written).toString(), 'a');
});
