// Removals kept for undo, against an engine in memory and timers moved by hand.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { RemovalOutcome } from '../../contract/index.ts';
import { PendingRemovals, type RemovalEngine, type RemovalTimers } from './container-removals.ts';

class HandTimers implements RemovalTimers {
  now = 0;
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  setTimeout(fn: () => void, ms: number) {
    const t = { at: this.now + ms, fn, cancelled: false };
    this.timers.push(t);
    return {
      cancel: () => {
        t.cancelled = true;
      },
    };
  }
  /** Moves time on, firing what falls due, and lets the removals they start finish. */
  async advance(ms: number): Promise<void> {
    this.now += ms;
    const due = this.timers.filter((t) => !t.cancelled && t.at <= this.now);
    this.timers = this.timers.filter((t) => !due.includes(t));
    for (const t of due) t.fn();
    await new Promise((r) => setImmediate(r));
  }
  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}

function memoryEngine(containers: Map<string, { name: string; running: boolean }>) {
  const removed: string[] = [];
  const engine: RemovalEngine = {
    async describe(id) {
      const c = containers.get(id);
      if (!c) throw Object.assign(new Error(`No such container: ${id}`), { statusCode: 404 });
      return { id, ...c };
    },
    async remove(id) {
      const c = containers.get(id);
      if (c?.running) {
        throw Object.assign(new Error('conflict'), {
          statusCode: 409,
          // dockerd 20.10's words, as berthd gives them.
          json: {
            message: `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`,
          },
        });
      }
      containers.delete(id);
      removed.push(id);
    },
  };
  return { engine, removed };
}

describe('PendingRemovals', () => {
  let containers: Map<string, { name: string; running: boolean }>;
  let timers: HandTimers;
  let removals: PendingRemovals;
  let removed: string[];
  let outcomes: RemovalOutcome[];

  beforeEach(() => {
    containers = new Map([
      ['a', { name: 'web', running: false }],
      ['b', { name: 'db', running: false }],
      ['c', { name: 'api', running: true }],
    ]);
    const mem = memoryEngine(containers);
    removed = mem.removed;
    timers = new HandTimers();
    removals = new PendingRemovals(mem.engine, timers, 5000);
    outcomes = [];
    removals.onOutcome((o) => outcomes.push(o));
  });

  test('a scheduled container is hidden at once and removed only when its time is up', async () => {
    await removals.schedule(['a']);
    assert.equal(removals.isPending('a'), true);
    await timers.advance(4999);
    assert.deepEqual(removed, []);
    assert.equal(removals.isPending('a'), true);
    await timers.advance(1);
    assert.deepEqual(removed, ['a']);
    assert.equal(removals.isPending('a'), false);
    assert.deepEqual(outcomes, [{ id: 'a', name: 'web', outcome: 'removed' }]);
  });

  test('undo before the time is up keeps the container and cancels its timer', async () => {
    await removals.schedule(['a', 'b']);
    assert.deepEqual(removals.undo(['a', 'nope']), ['a']);
    assert.equal(removals.isPending('a'), false);
    await timers.advance(10_000);
    assert.deepEqual(removed, ['b']);
    assert.ok(containers.has('a'));
    assert.deepEqual(
      outcomes.map((o) => `${o.name}:${o.outcome}`),
      ['web:restored', 'db:removed'],
    );
  });

  test('undo after the removal began restores nothing', async () => {
    await removals.schedule(['a']);
    await timers.advance(5000);
    assert.deepEqual(removals.undo(['a']), []);
  });

  test('a running container is refused, and nothing of the lot is scheduled', async () => {
    await assert.rejects(
      removals.schedule(['a', 'c']),
      /api is running: stop it first, or remove with force/,
    );
    assert.equal(removals.isPending('a'), false);
    assert.equal(timers.pending(), 0);
  });

  test('a container started again meanwhile is not killed: its removal fails and it comes back', async () => {
    await removals.schedule(['a']);
    containers.set('a', { name: 'web', running: true });
    await timers.advance(5000);
    assert.equal(removals.isPending('a'), false);
    assert.ok(containers.has('a'));
    assert.deepEqual(outcomes, [
      {
        id: 'a',
        name: 'web',
        outcome: 'failed',
        message:
          'You cannot remove a running container a. Stop the container before attempting removal or force remove',
      },
    ]);
  });

  test('flush removes what waits now (the app quits), and scheduling twice removes once', async () => {
    await removals.schedule(['a', 'b']);
    await removals.schedule(['a']);
    await timers.advance(1000);
    await removals.flush();
    assert.deepEqual(removed.sort(), ['a', 'b']);
    assert.equal(timers.pending(), 0);
    assert.equal(outcomes.length, 2);
  });
});
