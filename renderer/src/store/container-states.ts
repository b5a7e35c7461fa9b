// What Docker lets a container do in each state, and how the app words an action while it runs and
// once it is done. The list, the detail and the compose project view all read it from here.
import type { ContainerState } from '../../../electron/contract/index.ts';

export type ContainerAction = 'start' | 'stop' | 'restart' | 'pause' | 'unpause' | 'remove';

/** Shown in place of the state while an action runs ("stopping…"). */
export type Transition = 'starting' | 'stopping' | 'restarting' | 'pausing' | 'unpausing' | 'removing';

export const transitionOf: Record<ContainerAction, Transition> = {
  start: 'starting',
  stop: 'stopping',
  restart: 'restarting',
  pause: 'pausing',
  unpause: 'unpausing',
  remove: 'removing',
};

export const pastTense: Record<ContainerAction, string> = {
  start: 'Started',
  stop: 'Stopped',
  restart: 'Restarted',
  pause: 'Paused',
  unpause: 'Unpaused',
  remove: 'Removed',
};

/**
 * The row's actions, as Docker allows them: a restarting container (a crash loop under a restart
 * policy) can be stopped; a paused one unpaused or stopped; a dead one only removed.
 */
const rowActions: Record<ContainerState, ContainerAction[]> = {
  running: ['stop', 'restart', 'pause', 'remove'],
  restarting: ['stop', 'remove'],
  paused: ['unpause', 'stop', 'remove'],
  created: ['start', 'remove'],
  exited: ['start', 'remove'],
  dead: ['remove'],
  removing: [],
};

export function actionsFor(state: ContainerState): ContainerAction[] {
  return rowActions[state];
}

/** Whether Docker takes `action` on a container in `state` (bulk actions skip the others). */
export function canDo(action: ContainerAction, state: ContainerState): boolean {
  return rowActions[state].includes(action);
}

/** It has a process: removing it stops it first (force), and that cannot be undone. */
export function isLive(state: ContainerState): boolean {
  return state === 'running' || state === 'paused' || state === 'restarting';
}
