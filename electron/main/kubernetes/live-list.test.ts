import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeWatchEvent } from '../../contract/index.ts';
import { KubeApiError, type WatchEvent } from './kube-client.ts';
import { type ListSource, LiveList, type Timers } from './live-list.ts';
import type { RawObject } from './rows.ts';

/** A clock that moves only when the test says. */
class FakeTimers implements Timers {
  t = 0;
  private tasks: { at: number; fn: () => void }[] = [];
  after(ms: number, fn: () => void) {
    const task = { at: this.t + ms, fn };
    this.tasks.push(task);
    return () => {
      this.tasks = this.tasks.filter((x) => x !== task);
    };
  }
  now() {
    return this.t;
  }
  async advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const due = this.tasks.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.tasks = this.tasks.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
    await settle();
  }
}

const settle = () => new Promise<void>((r) => setImmediate(r));

/** A source the test drives: each list answers what is queued; the open watch is the test's to feed. */
class FakeSource implements ListSource {
  lists: (RawObject[] | Error)[] = [];
  listCalls = 0;
  watchFrom: string[] = [];
  private watcher: { emit: (e: WatchEvent) => void; end: () => void; fail: (e: Error) => void } | null = null;
  async list() {
    this.listCalls++;
    const next = this.lists.shift() ?? new Error('no list queued');
    if (next instanceof Error) throw next;
    return { items: next, resourceVersion: String(100 + this.listCalls) };
  }
  watch(rv: string, onEvent: (e: WatchEvent) => void, signal: AbortSignal) {
    this.watchFrom.push(rv);
    return new Promise<void>((resolve, reject) => {
      this.watcher = { emit: onEvent, end: resolve, fail: reject };
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
  emit(type: WatchEvent['type'], o: RawObject) {
    this.watcher?.emit({ type, object: o as unknown as Record<string, unknown> });
  }
  end() {
    this.watcher?.end();
  }
  fail(e: Error) {
    this.watcher?.fail(e);
  }
}

const pod = (name: string, rv: string, phase = 'Running'): RawObject => ({
  metadata: { uid: `u-${name}`, name, namespace: 'default', resourceVersion: rv },
  spec: { containers: [{ name: 'c' }] },
  status: { phase },
});

function open(source: FakeSource, timers: FakeTimers) {
  const list = new LiveList({ kind: 'pods', source, rowContext: { berth: true, now: () => 0 }, timers });
  const events: KubeWatchEvent[] = [];
  list.subscribe((e) => events.push(e));
  list.start();
  return { list, events };
}

const summary = (events: KubeWatchEvent[]) =>
  events.map((e) =>
    e.type === 'snapshot'
      ? `snapshot ${e.rows.map((r) => r.name).join(',')}`
      : e.type === 'changes'
        ? `changes +${e.upserts.map((r) => `${r.name}:${r.kind === 'pods' ? r.status : ''}`).join(',')} -${e.deletes.join(',')}`
        : `${e.state}${e.problem ? ` ${e.problem.kind}` : ''}`,
  );

describe('a live list', () => {
  test('syncing, the snapshot, live; then a burst of changes arrives as one event after 50 ms', async () => {
    const timers = new FakeTimers();
    const source = new FakeSource();
    source.lists.push([pod('a', '1'), pod('b', '2')]);
    const { events } = open(source, timers);
    await timers.advance(0);
    assert.deepEqual(summary(events), ['syncing', 'snapshot a,b', 'live']);
    assert.deepEqual(source.watchFrom, ['101']);
    events.length = 0;
    source.emit('MODIFIED', pod('a', '5', 'Failed'));
    source.emit('ADDED', pod('c', '6', 'Pending'));
    source.emit('MODIFIED', pod('a', '7', 'Succeeded'));
    source.emit('DELETED', pod('b', '8'));
    await timers.advance(49);
    assert.deepEqual(events, [], 'nothing before the batch time');
    await timers.advance(1);
    assert.deepEqual(summary(events), ['changes +a:Succeeded,c:Pending -u-b']);
    await timers.advance(1000);
    assert.equal(events.length, 1, 'no empty batches');
  });

  test('a second subscriber gets the rows as they stand and the state; the watch resumes where it was', async () => {
    const timers = new FakeTimers();
    const source = new FakeSource();
    source.lists.push([pod('a', '1')]);
    const { list } = open(source, timers);
    await timers.advance(0);
    source.emit('ADDED', pod('b', '9'));
    const late: KubeWatchEvent[] = [];
    list.subscribe((e) => late.push(e));
    assert.deepEqual(summary(late), ['snapshot a,b', 'live']);
    // The server ends the watch (its timeout) after a healthy while: resumed from the last version, no relist.
    await timers.advance(20_000);
    source.end();
    await timers.advance(0);
    assert.deepEqual(source.watchFrom, ['101', '9']);
    assert.equal(source.listCalls, 1);
  });

  test('a dropped watch says reconnecting, relists (a snapshot) and is live again', async () => {
    const timers = new FakeTimers();
    const source = new FakeSource();
    source.lists.push([pod('a', '1')], [pod('a', '3'), pod('z', '4')]);
    const { events } = open(source, timers);
    await timers.advance(0);
    events.length = 0;
    await timers.advance(15_000);
    source.fail(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await timers.advance(0);
    assert.deepEqual(summary(events), ['reconnecting', 'snapshot a,z', 'live']);
  });

  test('410 Gone relists; a failing list says why and is retried until the cluster is back', async () => {
    const timers = new FakeTimers();
    const source = new FakeSource();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    source.lists.push(refused, refused, [pod('a', '1')], [pod('b', '2')]);
    const { events } = open(source, timers);
    await timers.advance(0);
    assert.deepEqual(summary(events), ['syncing', 'error unreachable']);
    const first = events[1];
    assert.equal(
      first.type === 'state' && first.problem?.message,
      'cannot reach the cluster: connect ECONNREFUSED 127.0.0.1:6443',
    );
    await timers.advance(499);
    assert.equal(source.listCalls, 1, 'the first retry waits half a second');
    await timers.advance(1);
    assert.equal(source.listCalls, 2);
    await timers.advance(1000);
    assert.equal(source.listCalls, 3, 'then a second');
    assert.deepEqual(summary(events).slice(2), ['snapshot a', 'live']);
    events.length = 0;
    await timers.advance(11_000);
    source.fail(new KubeApiError(410, 'too old resource version'));
    await timers.advance(0);
    assert.deepEqual(summary(events), ['reconnecting', 'snapshot b', 'live']);
  });

  test('forbidden is an error with the server message, retried slowly, never a busy loop', async () => {
    const timers = new FakeTimers();
    const source = new FakeSource();
    const forbidden = () =>
      new KubeApiError(
        403,
        'pods is forbidden: User "jane" cannot list resource "pods" in API group "" at the cluster scope',
      );
    for (let i = 0; i < 20; i++) source.lists.push(forbidden());
    const { events, list } = open(source, timers);
    await timers.advance(60_000);
    assert.deepEqual(summary(events), ['syncing', 'error forbidden'], 'the same problem is said once');
    const e = events[1];
    assert.match(e.type === 'state' ? (e.problem?.message ?? '') : '', /cannot list resource "pods"/);
    assert.ok(source.listCalls <= 10, `${source.listCalls} lists in a minute`);
    list.stop();
    const calls = source.listCalls;
    await timers.advance(60_000);
    assert.equal(source.listCalls, calls, 'a stopped list stops retrying');
  });
});
