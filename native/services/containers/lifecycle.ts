import { conflict, EngineError, invalid, isEngineError } from '../../core/errors.ts';
import { parseSignal } from '../../runtime/spec.ts';
import { type ContainerContext, withLock } from '../context.ts';
import { emitContainerEvent } from './create.ts';
import { type ContainerRecord, isPinned } from './model.ts';
import { signalPinned } from './pinned.ts';
import { startLocked } from './start.ts';
import { guard, hasProcess, isActive, transition } from './state.ts';

const defaultStopTimeoutS = 10;

/** Resolves when the container leaves running/paused, or after `ms` (false). */
export function waitForExit(ctx: ContainerContext, rec: ContainerRecord, ms: number): Promise<boolean> {
  if (!hasProcess(rec.State.Status)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      ctx.lifecycle.off(`exit:${rec.Id}`, onExit);
      resolve(false);
    }, ms);
    ctx.lifecycle.once(`exit:${rec.Id}`, onExit);
  });
}

async function signal(ctx: ContainerContext, rec: ContainerRecord, sig: number): Promise<void> {
  if (isPinned(rec)) {
    await signalPinned(ctx, rec, sig);
    emitContainerEvent(ctx, rec, 'kill', { signal: String(sig) });
    return;
  }
  try {
    await ctx.runtime.kill(rec.Id, sig, true);
  } catch (err) {
    // The process may have exited between the check and the signal; that is not an error. runc then
    // says so in several ways — also as a cgroup it cannot read any more (`kill --all` walks it) — so
    // a process that is gone settles it whatever the words.
    if (/not running|does not exist|container not running|process already finished/i.test(String(err)))
      return;
    if (rec.State.Pid > 0 && !ctx.sys.alive(rec.State.Pid)) return;
    throw err;
  }
  emitContainerEvent(ctx, rec, 'kill', { signal: String(sig) });
}

/** Docker's stop: the stop signal, a grace period, then SIGKILL. */
export async function stopLocked(
  ctx: ContainerContext,
  rec: ContainerRecord,
  timeoutS?: number,
  signalName?: string,
): Promise<void> {
  ctx.cancelRestart(rec.Id);
  if (rec.State.Status === 'restarting') {
    transition.restartCancelled(rec);
    rec.ManuallyStopped = true;
    await ctx.store.save(rec);
    return;
  }
  guard.stop(rec);
  rec.ManuallyStopped = true;
  await ctx.store.save(rec);
  if (rec.State.Status === 'paused') await ctx.runtime.resume(rec.Id).catch(() => undefined);
  const sig = parseSignal(signalName || rec.Config.StopSignal || 'SIGTERM');
  const grace = timeoutS ?? rec.Config.StopTimeout ?? defaultStopTimeoutS;
  if (grace !== 0) {
    await signal(ctx, rec, sig);
    if (grace < 0) {
      await waitForExit(ctx, rec, 2 ** 31 - 1);
    } else if (await waitForExit(ctx, rec, grace * 1000)) {
      emitContainerEvent(ctx, rec, 'stop');
      return;
    }
  }
  await signal(ctx, rec, 9);
  if (!(await waitForExit(ctx, rec, 30_000)))
    throw conflict(`container ${rec.Id} did not exit after SIGKILL`);
  emitContainerEvent(ctx, rec, 'stop');
}

export async function stopContainer(
  ctx: ContainerContext,
  ref: string,
  timeoutS?: number,
  signalName?: string,
): Promise<void> {
  const rec = ctx.store.get(ref);
  await withLock(ctx, rec.Id, () => stopLocked(ctx, rec, timeoutS, signalName));
}

export async function killContainer(ctx: ContainerContext, ref: string, signalName?: string): Promise<void> {
  // dockerd words every refusal of a kill after the container it was asked about.
  const refused = (err: unknown): never => {
    if (err instanceof EngineError)
      throw new EngineError(err.kind, `Cannot kill container: ${ref}: ${err.message}`);
    throw err;
  };
  let rec: ContainerRecord;
  try {
    rec = ctx.store.get(ref);
  } catch (err) {
    return refused(err);
  }
  const wanted = signalName || 'SIGKILL';
  let sig: number;
  try {
    sig = parseSignal(wanted);
  } catch (err) {
    if (!/^\d+$/.test(wanted)) throw err;
    return refused(invalid(`The linux daemon does not support signal ${wanted}`));
  }
  try {
    guard.signal(rec);
  } catch (err) {
    refused(err);
  }
  if (sig === 9 || sig === 15) {
    ctx.cancelRestart(rec.Id);
  }
  if (rec.State.Status === 'paused' && sig === 9) await ctx.runtime.resume(rec.Id).catch(() => undefined);
  await signal(ctx, rec, sig);
  // dockerd's SIGKILL returns once the container is seen to exit: a `ps` right after shows it exited.
  if (sig === 9) await waitForExit(ctx, rec, 10_000);
}

export async function restartContainer(
  ctx: ContainerContext,
  ref: string,
  timeoutS?: number,
  signalName?: string,
): Promise<void> {
  const rec = ctx.store.get(ref);
  await withLock(ctx, rec.Id, async () => {
    if (isActive(rec.State.Status)) await stopLocked(ctx, rec, timeoutS, signalName);
    await startLocked(ctx, rec);
  });
  emitContainerEvent(ctx, rec, 'restart');
}

export async function pauseContainer(ctx: ContainerContext, ref: string): Promise<void> {
  const rec = ctx.store.get(ref);
  await withLock(ctx, rec.Id, async () => {
    guard.pause(rec);
    await ctx.runtime.pause(rec.Id);
    transition.paused(rec);
    await ctx.store.save(rec);
    emitContainerEvent(ctx, rec, 'pause');
  });
}

export async function unpauseContainer(ctx: ContainerContext, ref: string): Promise<void> {
  const rec = ctx.store.get(ref);
  await withLock(ctx, rec.Id, async () => {
    guard.unpause(rec);
    await ctx.runtime.resume(rec.Id);
    transition.unpaused(rec);
    await ctx.store.save(rec);
    emitContainerEvent(ctx, rec, 'unpause');
  });
}

export async function renameContainer(ctx: ContainerContext, ref: string, newName: string): Promise<void> {
  if (!newName) throw invalid('Neither old nor new names may be empty');
  const rec = ctx.store.get(ref);
  let full: string;
  try {
    full = ctx.store.checkName(newName, rec.Id);
  } catch (err) {
    // dockerd says where the conflict came from.
    if (isEngineError(err, 'conflict')) throw conflict(`Error when allocating new name: ${err.message}`);
    throw err;
  }
  if (full === rec.Name) throw conflict(`Renaming a container with the same name as its current name`);
  const old = rec.Name;
  ctx.store.rename(rec, full);
  await ctx.store.save(rec);
  emitContainerEvent(ctx, rec, 'rename', { oldName: old });
}

/** POST /containers/{id}/wait: resolves with the exit code for the condition asked. */
export async function waitContainer(
  ctx: ContainerContext,
  ref: string,
  condition: string,
): Promise<() => Promise<{ StatusCode: number; Error: null | { Message: string } }>> {
  const rec = ctx.store.get(ref);
  const cond = condition || 'not-running';
  if (!['not-running', 'next-exit', 'removed'].includes(cond)) throw invalid(`invalid condition: "${cond}"`);
  const result = () => ({ StatusCode: rec.State.ExitCode, Error: null });
  // Register listeners now, before the caller starts the container.
  if (cond === 'removed') {
    const removed = new Promise<void>((resolve) => ctx.lifecycle.once(`removed:${rec.Id}`, () => resolve()));
    return async () => {
      await removed;
      return result();
    };
  }
  if (cond === 'next-exit' || isActive(rec.State.Status)) {
    const exited = new Promise<void>((resolve) => ctx.lifecycle.once(`exit:${rec.Id}`, () => resolve()));
    return async () => {
      await exited;
      return result();
    };
  }
  return async () => result();
}
