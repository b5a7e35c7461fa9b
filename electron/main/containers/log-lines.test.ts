import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogBatch } from '../../contract/index.ts';
import { batchLines, chunkGatherer, LogBatchDecoder } from './log-lines.ts';

function frame(stream: 1 | 2, s: string): Buffer {
  const body = Buffer.from(s);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}

const lines = (batches: (LogBatch | null)[]) => batches.flatMap((b) => (b ? batchLines(b) : []));

describe('LogBatchDecoder', () => {
  test('demultiplexes frames split across chunks, keeps partial lines per stream, marks stderr', () => {
    const d = new LogBatchDecoder(true);
    const all = Buffer.concat([
      frame(1, 'one\ntw'),
      frame(2, 'err\n'),
      frame(1, 'o\nthree\n'),
      frame(2, 'e2\ne3\n'),
      frame(1, 'tail without newline'),
    ]);
    const got = [
      d.push(all.subarray(0, 5)),
      d.push(all.subarray(5, 17)),
      d.push(all.subarray(17)),
      d.flush(),
    ];
    assert.deepEqual(lines(got), [
      { stream: 'stdout', text: 'one' },
      { stream: 'stderr', text: 'err' },
      { stream: 'stdout', text: 'two' },
      { stream: 'stdout', text: 'three' },
      { stream: 'stderr', text: 'e2' },
      { stream: 'stderr', text: 'e3' },
      { stream: 'stdout', text: 'tail without newline' },
    ]);
  });

  test('a batch holds its lines joined, with merged stderr ranges', () => {
    const d = new LogBatchDecoder(true);
    const b = d.push(Buffer.concat([frame(1, 'a\n'), frame(2, 'b\n'), frame(2, 'c\n'), frame(1, 'd\n')]));
    assert.deepEqual(b, { text: 'a\nb\nc\nd', count: 4, stderr: [1, 3] });
    assert.equal(d.flush(), null);
  });

  test('with timestamps, a line cut into several records keeps only its first timestamp', () => {
    const d = new LogBatchDecoder(true, true);
    const b = d.push(
      Buffer.concat([
        frame(1, '2026-11-30T13:36:22.749788959Z 104'),
        frame(2, '2026-11-30T13:36:22.749788960Z err\n'),
        frame(1, '2026-11-30T13:36:22.749977410Z 1\n'),
        frame(1, '2026-11-30T13:36:22.749977411Z 2026-01-01T00:00:00Z is text\n'),
      ]),
    );
    assert.deepEqual(b && batchLines(b), [
      { stream: 'stderr', text: '2026-11-30T13:36:22.749788960Z err' },
      { stream: 'stdout', text: '2026-11-30T13:36:22.749788959Z 1041' },
      { stream: 'stdout', text: '2026-11-30T13:36:22.749977411Z 2026-01-01T00:00:00Z is text' },
    ]);
  });

  test('empty lines count; a chunk that finishes no line gives null', () => {
    const d = new LogBatchDecoder(true);
    assert.equal(d.push(frame(1, 'no newline yet')), null);
    assert.deepEqual(d.push(frame(1, '\n\n')), { text: 'no newline yet\n', count: 2, stderr: [] });
  });

  test('TTY output comes raw: \\r\\n line ends, multi-byte characters split across chunks', () => {
    const d = new LogBatchDecoder(false);
    const bytes = Buffer.from('héllo\r\nwörld\r\npartial');
    const got = [
      d.push(bytes.subarray(0, 2)),
      d.push(bytes.subarray(2, 11)),
      d.push(bytes.subarray(11)),
      d.flush(),
    ];
    assert.deepEqual(
      lines(got).map((l) => l.text),
      ['héllo', 'wörld', 'partial'],
    );
  });

  test('a million one-line frames decode across 64 KiB reads (timed in test/bench/logs.bench.ts)', () => {
    const frames: Buffer[] = [];
    for (let i = 1; i <= 1_000_000; i++) frames.push(frame(1, `2026-01-01T00:00:00.000000000Z ${i}\n`));
    const all = Buffer.concat(frames);
    const d = new LogBatchDecoder(true);
    let count = 0;
    let last = '';
    for (let o = 0; o < all.length; o += 65_536) {
      const b = d.push(all.subarray(o, o + 65_536));
      if (b) {
        count += b.count;
        last = b.text.slice(b.text.lastIndexOf('\n') + 1);
      }
    }
    assert.equal(count, 1_000_000);
    assert.equal(last, '2026-01-01T00:00:00.000000000Z 1000000');
  });
});

describe('chunkGatherer', () => {
  test('hands on many small chunks as one after a moment, at once past the size limit, all on flush', async () => {
    const got: string[] = [];
    const g = chunkGatherer((c) => got.push(c.toString()), { maxBytes: 8, delayMs: 10 });
    g.push(Buffer.from('a'));
    g.push(Buffer.from('b'));
    assert.deepEqual(got, []);
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(got, ['ab']);
    g.push(Buffer.from('0123'));
    g.push(Buffer.from('4567'));
    assert.deepEqual(got, ['ab', '01234567'], 'the size limit hands on at once');
    g.push(Buffer.from('z'));
    g.flush();
    assert.deepEqual(got, ['ab', '01234567', 'z']);
    g.flush();
    assert.equal(got.length, 3, 'nothing held, nothing handed on');
  });
});
