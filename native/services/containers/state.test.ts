import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EngineError, isEngineError } from '../../core/errors.ts';
import { type ContainerRecord, type ContainerStatus, pinnedRuntime } from './model.ts';
import { createdState, guard, hasProcess, isActive, isStopped, transition, transitions } from './state.ts';

const id = 'c0ffee'.repeat(10).slice(0, 64);
const all: ContainerStatus[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

function rec(status: ContainerStatus): ContainerRecord {
  return { Id: id, Name: '/web', State: { ...createdState(), Status: status } } as ContainerRecord;
}

/** What a guard answers for a container in `status`: 'ok', or the error's kind and message. */
function answer(check: (r: ContainerRecord) => void, status: ContainerStatus): string {
  try {
    check(rec(status));
    return 'ok';
  } catch (err) {
    assert.ok(isEngineError(err), `a guard throws engine errors, not ${String(err)}`);
    return `${(err as EngineError).kind}: ${(err as Error).message}`;
  }
}

test('the status classes: a process exists while running or paused; restarting counts as active', () => {
  assert.deepEqual(all.filter(hasProcess), ['running', 'paused']);
  assert.deepEqual(all.filter(isActive), ['running', 'paused', 'restarting']);
  assert.deepEqual(all.filter(isStopped), ['created', 'exited', 'dead']);
});

test("exec: a stopped container and a paused one are refused in dockerd's words", () => {
  assert.equal(answer(guard.exec, 'running'), 'ok');
  assert.equal(
    answer(guard.exec, 'paused'),
    `conflict: Container ${id} is paused, unpause the container before exec`,
  );
  // Exec creation names the container as it was asked for.
  assert.equal(
    answer((r) => guard.exec(r, 'web'), 'paused'),
    'conflict: Container web is paused, unpause the container before exec',
  );
  for (const s of ['created', 'exited', 'restarting', 'dead'] as const)
    assert.equal(answer(guard.exec, s), `conflict: Container ${id} is not running`, s);
});

test('signals reach running and paused containers only', () => {
  assert.equal(answer(guard.signal, 'running'), 'ok');
  assert.equal(answer(guard.signal, 'paused'), 'ok');
  assert.equal(answer(guard.signal, 'exited'), `conflict: Container ${id} is not running`);
  assert.equal(answer(guard.signal, 'restarting'), `conflict: Container ${id} is not running`);
});

test('pause, unpause, start and stop refuse the states dockerd refuses', () => {
  assert.equal(answer(guard.pause, 'running'), 'ok');
  assert.equal(answer(guard.pause, 'paused'), `conflict: Container ${id} is already paused`);
  assert.equal(answer(guard.pause, 'exited'), `conflict: Container ${id} is not running`);
  assert.equal(answer(guard.unpause, 'paused'), 'ok');
  assert.equal(answer(guard.unpause, 'running'), `conflict: Container ${id} is not paused`);
  // Starting a running container is "not modified" (304), which the CLI shows as success.
  assert.equal(answer(guard.start, 'running'), 'not-modified: ');
  assert.equal(answer(guard.start, 'paused'), 'not-modified: ');
  assert.equal(
    answer(guard.start, 'removing'),
    'conflict: container is marked for removal and cannot be started',
  );
  for (const s of ['created', 'exited', 'dead', 'restarting'] as const)
    assert.equal(answer(guard.start, s), 'ok');
  assert.equal(answer(guard.stop, 'exited'), 'not-modified: ');
  assert.equal(answer(guard.stop, 'restarting'), 'ok');
});

test('stats and top: top needs a process; resize needs a running one', () => {
  assert.equal(answer(guard.top, 'paused'), 'ok');
  assert.equal(answer(guard.top, 'exited'), `conflict: Container ${id} is not running`);
  assert.equal(answer(guard.resize, 'running'), 'ok');
  assert.equal(
    answer(guard.resize, 'paused'),
    `invalid: cannot resize a stopped container: container ${id} is not running`,
  );
});

test('a container with no process (a pod sandbox) refuses exec, top, pause and resize, and still stops', () => {
  const pinned = (check: (r: ContainerRecord) => void) => () =>
    check({ ...rec('running'), HostConfig: { Runtime: pinnedRuntime } } as ContainerRecord);
  const refusal = (what: string) =>
    `conflict: cannot ${what} container ${id}: it runs no process (it holds a pod's namespaces)`;
  assert.equal(answer(pinned(guard.exec), 'running'), refusal('exec in'));
  assert.equal(answer(pinned(guard.top), 'running'), refusal('list the processes of'));
  assert.equal(answer(pinned(guard.pause), 'running'), refusal('pause'));
  assert.equal(answer(pinned(guard.resize), 'running'), refusal('resize'));
  assert.equal(answer(pinned(guard.stop), 'running'), 'ok');
  assert.equal(answer(pinned(guard.signal), 'running'), 'ok');
});

test('rm without force takes stopped containers; with force, any', () => {
  const rm = (r: ContainerRecord) => guard.remove(r, false);
  for (const s of ['created', 'exited', 'dead'] as const) assert.equal(answer(rm, s), 'ok');
  assert.equal(
    answer(rm, 'running'),
    `conflict: You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`,
  );
  assert.match(
    answer(rm, 'paused'),
    /^conflict: You cannot remove a paused container \w+\. Unpause and then stop/,
  );
  assert.match(answer(rm, 'restarting'), /^conflict: You cannot remove a restarting container \w+\. Stop/);
  for (const s of all)
    assert.equal(
      answer((r) => guard.remove(r, true), s),
      'ok',
    );
  assert.equal(answer(guard.commit, 'removing'), `conflict: container ${id} is marked for removal`);
});

test('each transition is taken from the states of its table and refused from the others', () => {
  const apply: Record<keyof typeof transitions, (r: ContainerRecord) => void> = {
    started: (r) => transition.started(r, 42, Date.UTC(2024, 0, 1)),
    startFailed: (r) => transition.startFailed(r, 'boom', 127),
    paused: transition.paused,
    unpaused: transition.unpaused,
    exited: (r) =>
      transition.exited(r, {
        code: 3,
        finishedMs: Date.UTC(2024, 0, 2),
        oomKilled: false,
        restarting: false,
      }),
    restartCancelled: transition.restartCancelled,
    removing: transition.removing,
  };
  for (const [name, fn] of Object.entries(apply)) {
    const from = transitions[name as keyof typeof transitions] as readonly ContainerStatus[];
    for (const s of all) {
      const r = rec(s);
      if (from.includes(s)) fn(r);
      else assert.throws(() => fn(r), new RegExp(`cannot go from ${s} to ${name}`), `${name} from ${s}`);
    }
  }
});

test('transitions write the fields docker inspect shows', () => {
  const r = rec('created');
  transition.started(r, 42, Date.UTC(2024, 0, 1));
  assert.deepEqual(
    [r.State.Status, r.State.Pid, r.State.StartedAt],
    ['running', 42, '2024-01-01T00:00:00.000Z'],
  );
  transition.paused(r);
  transition.exited(r, { code: 137, finishedMs: Date.UTC(2024, 0, 2), oomKilled: true, restarting: true });
  assert.deepEqual(
    [r.State.Status, r.State.Pid, r.State.ExitCode, r.State.OOMKilled, r.State.FinishedAt],
    ['restarting', 0, 137, true, '2024-01-02T00:00:00.000Z'],
  );
  // A failed start leaves a created container created (docker ps -a shows "Created"), any other exited.
  const fresh = rec('created');
  transition.startFailed(fresh, 'exec: "nope": executable file not found', 127);
  assert.deepEqual([fresh.State.Status, fresh.State.ExitCode], ['created', 127]);
  transition.startFailed(r, 'boom', 128);
  assert.deepEqual([r.State.Status, r.State.Error], ['exited', 'boom']);
});
