import assert from 'node:assert/strict';
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { testDir } from '../../core/test-dir.ts';
import { formatTimeNs, parseLogLine, parseTimeNs, readLog } from './log-file.ts';

test('parses conmon k8s-file lines, full and partial', () => {
  const full = parseLogLine('2026-11-23T07:51:23.122602380+00:00 stdout F hello world');
  assert.ok(full);
  assert.equal(full.stream, 'stdout');
  assert.equal(full.text, 'hello world\n');
  assert.equal(full.time, '2026-11-23T07:51:23.122602380Z');
  const partial = parseLogLine('2026-11-23T07:51:23.122602380+01:00 stderr P no newline');
  assert.ok(partial);
  assert.equal(partial.text, 'no newline');
  assert.equal(partial.time, '2026-11-23T06:51:23.122602380Z');
  assert.equal(parseLogLine('garbage'), undefined);
});

test('time parsing keeps nanoseconds and accepts unix seconds', () => {
  assert.equal(formatTimeNs(parseTimeNs('2026-01-02T03:04:05.000000007Z')), '2026-01-02T03:04:05.000000007Z');
  assert.equal(parseTimeNs('10.5'), 10_500_000_000n);
});

function line(sec: number, stream: string, text: string, tag = 'F') {
  return `2026-01-01T00:00:${String(sec).padStart(2, '0')}.000000000Z ${stream} ${tag} ${text}\n`;
}

test('readLog: tail, since/until, rotated files and follow', async () => {
  const dir = testDir('berth-logs-');
  const log = path.join(dir, 'c.log');
  writeFileSync(
    log,
    line(1, 'stdout', 'a') + line(2, 'stderr', 'b') + line(3, 'stdout', 'par', 'P') + line(3, 'stdout', 't'),
  );
  renameSync(log, `${log}.1`);
  writeFileSync(log, line(4, 'stdout', 'd'));
  const all = [];
  for await (const e of readLog(log, { follow: false })) all.push(e.text);
  assert.deepEqual(all, ['a\n', 'b\n', 'par', 't\n', 'd\n']);
  const tail = [];
  for await (const e of readLog(log, { follow: false, tail: 2 })) tail.push(e.text);
  assert.deepEqual(tail, ['par', 't\n', 'd\n']);
  const window = [];
  for await (const e of readLog(log, {
    follow: false,
    sinceNs: parseTimeNs('2026-01-01T00:00:02Z'),
    untilNs: parseTimeNs('2026-01-01T00:00:03Z'),
  }))
    window.push(e.text);
  assert.deepEqual(window, ['b\n', 'par', 't\n']);
  let stop: () => void = () => {};
  const until = new Promise<void>((r) => {
    stop = r;
  });
  const followed: string[] = [];
  const reader = (async () => {
    for await (const e of readLog(log, { follow: true, tail: 0, until })) followed.push(e.text);
  })();
  // Lines appended after the reader began are followed; however long it takes the reader to open the
  // file on a busy machine, one of these appends comes after that (none is timed).
  for (let i = 0; i < 100 && followed.length === 0; i++) {
    appendFileSync(log, line(5, 'stdout', 'new'));
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  await reader;
  assert.ok(followed.length > 0, 'a line appended while following was read');
  assert.deepEqual(new Set(followed), new Set(['new\n']), 'only new lines (tail 0)');
});

test('parseLogLine: conmon timestamps, other offsets, partial lines and garbage', () => {
  const a = parseLogLine('2026-11-30T14:04:36.427838793+00:00 stdout F hello world');
  assert.deepEqual(a, {
    time: '2026-11-30T14:04:36.427838793Z',
    timeNs: 1796047476427838793n,
    stream: 'stdout',
    text: 'hello world\n',
  });
  // The same instant written with another offset gives the same record.
  const b = parseLogLine('2026-11-30T15:04:36.427838793+01:00 stderr P part');
  assert.equal(b?.timeNs, a?.timeNs);
  assert.equal(b?.time, a?.time);
  assert.equal(b?.stream, 'stderr');
  assert.equal(b?.text, 'part');
  assert.equal(parseLogLine('2026-11-30T14:04:36.427838793Z stdout F ')?.text, '\n');
  assert.equal(parseLogLine('2026-11-30T14:04:36.427838793Z stdin F x'), undefined);
  assert.equal(parseLogLine('2026-11-30T14:04:36.427838793Z stdout X x'), undefined);
  assert.equal(parseLogLine('garbage'), undefined);
});

test('tail found from the end of the files matches tail over the whole log', async () => {
  const dir = testDir('berth-logs-');
  const log = path.join(dir, 'c.log');
  // Records of all sizes (some longer than the 64 KiB the scan reads at a time), partial runs,
  // both streams, over two rotated files and the live one, which ends in a record being written.
  let seed = 0x2545f491;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const files = ['', '', ''];
  let k = 0;
  for (let f = 0; f < 3; f++) {
    for (let i = 0; i < 700; i++) {
      const size = rand(20) === 0 ? 70_000 + rand(5000) : rand(80);
      const text = `${k++}:${'x'.repeat(size)}`;
      files[f] += line(i % 60, rand(3) === 0 ? 'stderr' : 'stdout', text, rand(4) === 0 ? 'P' : 'F');
    }
  }
  writeFileSync(`${log}.2`, files[0]);
  writeFileSync(`${log}.1`, files[1]);
  // The live file ends with a line still being written: partial records, then an unfinished one.
  writeFileSync(
    log,
    `${files[2]}${line(1, 'stdout', 'part', 'P')}${line(1, 'stdout', 'more', 'P')}2026-01-01T00:00:01.000000000Z stdout F unfinished`,
  );
  const all: string[] = [];
  for await (const e of readLog(log, { follow: false })) all.push(e.text);
  const lastLines = (n: number) => {
    if (n === 0) return [];
    let lines = 0;
    for (let i = all.length - 1; i >= 0; i--) {
      if (all[i].endsWith('\n') && ++lines > n) return all.slice(i + 1);
    }
    return all;
  };
  for (const n of [0, 1, 2, 5, 17, 100, 400, 699, 700, 701, 1200, 1600, 2000, 5000]) {
    const got: string[] = [];
    for await (const e of readLog(log, { follow: false, tail: n })) got.push(e.text);
    assert.deepEqual(
      got.map((t) => t.slice(0, 12)),
      lastLines(n).map((t) => t.slice(0, 12)),
      `tail ${n}`,
    );
  }
});
