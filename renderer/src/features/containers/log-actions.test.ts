import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clearMark, logFileName, logText, setClearMark, sinceAfter, sinceAt } from './log-actions.ts';
import { LogBuffer } from './log-buffer.ts';
import { MergedLog } from './log-merge.ts';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}

describe('log text for copy and download', () => {
  test('the lines as they read: no escapes; timestamps when shown; a merged view’s prefixes', () => {
    const b = new LogBuffer(true);
    b.append({
      text: '2026-01-01T00:00:00Z \x1b[31mred\x1b[0m\n2026-01-01T00:00:01Z plain',
      count: 2,
      stderr: [],
    });
    assert.equal(logText(b, { timestamps: false }), 'red\nplain');
    assert.equal(logText(b, { timestamps: true }), '2026-01-01T00:00:00Z red\n2026-01-01T00:00:01Z plain');
    const m = new MergedLog(2);
    m.append(0, { text: '2026-01-01T00:00:00Z a', count: 1, stderr: [] });
    m.append(1, { text: '2026-01-01T00:00:01Z b', count: 1, stderr: [] });
    assert.equal(
      logText(m, { timestamps: false, prefix: (s) => `${['web', 'db '][s]} | ` }),
      'web | a\ndb  | b',
    );
  });

  test('file names: the container and the local time, nothing a file system refuses', () => {
    const when = new Date(2026, 2, 1, 14, 5, 9);
    assert.equal(logFileName('web', when), 'web-2026-03-01_14-05-09.log');
    assert.equal(logFileName('a/b:c', when), 'a_b_c-2026-03-01_14-05-09.log');
    assert.equal(logFileName('..', when), 'logs-2026-03-01_14-05-09.log');
  });
});

describe('clear marks', () => {
  test('a since just after a line: its time plus a nanosecond, as unix seconds', () => {
    assert.equal(sinceAfter('2026-01-01T00:00:00.123456789Z'), '1767225600.123456790');
    assert.equal(sinceAfter('2026-01-01T00:00:00.999999999Z'), '1767225601.000000000');
    assert.equal(sinceAfter('2026-01-01T00:00:00Z'), '1767225600.000000001');
    assert.equal(sinceAfter('not a time'), undefined);
    assert.equal(sinceAt(1767225600123), '1767225600.123000000');
  });

  test('remembered per view, forgotten on request, kept to the newest 200', () => {
    const store = new MemoryStorage();
    assert.equal(clearMark(store, 'c1'), undefined);
    setClearMark(store, 'c1', '1767225600.5');
    setClearMark(store, 'c2', '1767225601');
    assert.equal(clearMark(store, 'c1'), '1767225600.5');
    setClearMark(store, 'c1', undefined);
    assert.equal(clearMark(store, 'c1'), undefined);
    assert.equal(clearMark(store, 'c2'), '1767225601');
    for (let i = 0; i < 250; i++) setClearMark(store, `v${i}`, '1');
    assert.equal(clearMark(store, 'c2'), undefined, 'the oldest went');
    assert.equal(clearMark(store, 'v249'), '1');
    store.setItem('berth.logs.cleared', '{not json');
    assert.equal(clearMark(store, 'v249'), undefined, 'a broken store is an empty one');
    store.setItem('berth.logs.cleared', JSON.stringify({ x: 'rm -rf' }));
    assert.equal(clearMark(store, 'x'), undefined, 'only times are taken');
  });
});
