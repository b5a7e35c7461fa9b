// A container's state machine, in one place: the statuses a container is in, what each caller may do
// in each (with dockerd 20.10's words for a refusal), and every change of status. Callers ask this
// module rather than compare statuses themselves, and change a record's State only through its
// transitions, so that a rule (a paused container takes no exec, a restarting one counts as running)
// is written once.
import { conflict, internal, invalid, notModified } from '../../core/errors.ts';
import type { ContainerRecord, ContainerState, ContainerStatus } from './model.ts';
import { isPinned, zeroTime } from './model.ts';

/** A container whose process exists (it may be frozen): it has a pid, a cgroup, a mounted rootfs. */
export function hasProcess(s: ContainerStatus): boolean {
  return s === 'running' || s === 'paused';
}

/** What `docker ps` (without -a) lists and `wait`/`logs --follow` wait on: a process, or one coming back. */
export function isActive(s: ContainerStatus): boolean {
  return s === 'running' || s === 'paused' || s === 'restarting';
}

/** A container that is stopped for good: what prune removes and `rm` takes without force. */
export function isStopped(s: ContainerStatus): boolean {
  return s === 'created' || s === 'exited' || s === 'dead';
}

/** What needs a process is refused on a container that has none (a pod's sandbox, pinned.ts). */
function processless(rec: ContainerRecord, what: string): void {
  if (isPinned(rec))
    throw conflict(`cannot ${what} container ${rec.Id}: it runs no process (it holds a pod's namespaces)`);
}

/**
 * The guards: each checks that an operation may run on a container as it is now, and throws the error
 * dockerd 20.10 answers with when it may not. `ref` is the name or ID the caller was asked about, which
 * some of dockerd's messages repeat.
 */
export const guard = {
  start(rec: ContainerRecord): void {
    const s = rec.State.Status;
    if (hasProcess(s)) throw notModified();
    if (s === 'removing') throw conflict(`container is marked for removal and cannot be started`);
    if (!(isStopped(s) || s === 'restarting')) throw conflict(`cannot start a container in state ${s}`);
  },

  /** A stop of a container that is not running is "not modified" (304), not an error. */
  stop(rec: ContainerRecord): void {
    if (!isActive(rec.State.Status)) throw notModified();
  },

  /** A signal (kill) reaches a running or a paused container (kill prefixes what it was asked about). */
  signal(rec: ContainerRecord): void {
    if (!hasProcess(rec.State.Status)) throw conflict(`Container ${rec.Id} is not running`);
  },

  pause(rec: ContainerRecord): void {
    const s = rec.State.Status;
    if (s === 'paused') throw conflict(`Container ${rec.Id} is already paused`);
    if (s !== 'running') throw conflict(`Container ${rec.Id} is not running`);
    processless(rec, 'pause');
  },

  unpause(rec: ContainerRecord): void {
    if (rec.State.Status !== 'paused') throw conflict(`Container ${rec.Id} is not paused`);
  },

  /** Exec creation (which names the container as it was asked for) and start: a paused one has its own message. */
  exec(rec: ContainerRecord, ref: string = rec.Id): void {
    const s = rec.State.Status;
    if (s === 'paused') throw conflict(`Container ${ref} is paused, unpause the container before exec`);
    if (s !== 'running') throw conflict(`Container ${rec.Id} is not running`);
    processless(rec, 'exec in');
  },

  top(rec: ContainerRecord): void {
    if (!hasProcess(rec.State.Status)) throw conflict(`Container ${rec.Id} is not running`);
    processless(rec, 'list the processes of');
  },

  resize(rec: ContainerRecord): void {
    if (rec.State.Status !== 'running')
      throw invalid(`cannot resize a stopped container: container ${rec.Id} is not running`);
    processless(rec, 'resize');
  },

  /** `rm` without force takes stopped containers only. */
  remove(rec: ContainerRecord, force: boolean): void {
    const s = rec.State.Status;
    if (force || isStopped(s) || s === 'removing') return;
    if (s === 'paused')
      throw conflict(
        `You cannot remove a paused container ${rec.Id}. Unpause and then stop the container before attempting removal or force remove`,
      );
    if (s === 'restarting')
      throw conflict(
        `You cannot remove a restarting container ${rec.Id}. Stop the container before attempting removal or force remove`,
      );
    throw conflict(
      `You cannot remove a running container ${rec.Id}. Stop the container before attempting removal or force remove`,
    );
  },

  commit(rec: ContainerRecord): void {
    if (rec.State.Status === 'removing') throw conflict(`container ${rec.Id} is marked for removal`);
  },
};

/** The changes of status, each with the statuses it may start from. */
export const transitions = {
  /** The process runs (start, restart, the restart policy). */
  started: ['created', 'exited', 'dead', 'restarting'],
  /** A start failed: a created container stays created, any other is exited. */
  startFailed: ['created', 'exited', 'dead', 'restarting'],
  paused: ['running'],
  unpaused: ['paused'],
  /** The process exited; the restart policy may send it on to restarting. */
  exited: ['running', 'paused'],
  /** A stop (or a failed restart) of a container waiting to be restarted. */
  restartCancelled: ['restarting', 'exited'],
  /** rm: from any status, removal is under way (and resumed at start-up if berthd dies meanwhile). */
  removing: ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'],
} as const satisfies Record<string, readonly ContainerStatus[]>;

export type Transition = keyof typeof transitions;

function enter(rec: ContainerRecord, t: Transition): void {
  const from = rec.State.Status;
  if (!(transitions[t] as readonly ContainerStatus[]).includes(from))
    throw internal(`container ${rec.Id} cannot go from ${from} to ${t}`);
}

/** The state of a container that was just made. */
export function createdState(): ContainerState {
  return {
    Status: 'created',
    Pid: 0,
    ExitCode: 0,
    Error: '',
    OOMKilled: false,
    StartedAt: zeroTime,
    FinishedAt: zeroTime,
  };
}

/** The record changes of each transition; the caller saves the record. */
export const transition = {
  started(rec: ContainerRecord, pid: number, nowMs: number): void {
    enter(rec, 'started');
    rec.State = {
      ...rec.State,
      Status: 'running',
      Pid: pid,
      ExitCode: 0,
      Error: '',
      OOMKilled: false,
      StartedAt: new Date(nowMs).toISOString(),
    };
  },

  startFailed(rec: ContainerRecord, error: string, exitCode: number): void {
    enter(rec, 'startFailed');
    rec.State.Error = error;
    rec.State.ExitCode = exitCode;
    rec.State.Pid = 0;
    if (rec.State.Status !== 'created') rec.State.Status = 'exited';
  },

  paused(rec: ContainerRecord): void {
    enter(rec, 'paused');
    rec.State.Status = 'paused';
  },

  unpaused(rec: ContainerRecord): void {
    enter(rec, 'unpaused');
    rec.State.Status = 'running';
  },

  exited(
    rec: ContainerRecord,
    exit: { code: number; finishedMs: number; oomKilled: boolean; restarting: boolean },
  ): void {
    enter(rec, 'exited');
    rec.State = {
      ...rec.State,
      Status: exit.restarting ? 'restarting' : 'exited',
      Pid: 0,
      ExitCode: exit.code,
      OOMKilled: exit.oomKilled,
      FinishedAt: new Date(exit.finishedMs).toISOString(),
    };
  },

  restartCancelled(rec: ContainerRecord): void {
    enter(rec, 'restartCancelled');
    rec.State.Status = 'exited';
  },

  removing(rec: ContainerRecord): void {
    enter(rec, 'removing');
    rec.State.Status = 'removing';
  },
};
