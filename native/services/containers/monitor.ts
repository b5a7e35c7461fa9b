import { existsSync, promises as fs, readFileSync, rmSync, watch } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../core/errors.ts';
import { tryOr } from '../../core/fsutil.ts';
import { exited } from '../../core/sys.ts';
import { oomKillCount, removeCgroup } from '../../runtime/cgroups.ts';
import { rootfsDirs, unmountRootfs } from '../../storage/container-rootfs.ts';
import { bundleDir, type ContainerContext, cgroupsPath, withLock } from '../context.ts';
import { actorAttributes, emitContainerEvent } from './create.ts';
import { type ContainerRecord, isPinned } from './model.ts';
import { unmountShm } from './namespaces.ts';
import { pinnedAlive, unpinIpc } from './pinned.ts';
import { removeLocked } from './remove.ts';
import { RestartBackoff } from './restart-backoff.ts';
import { startLocked } from './start.ts';
import { hasProcess, transition } from './state.ts';

/**
 * Watches conmon's exit files and turns each into a container exit: state, events, cleanup, then the
 * restart policy or auto-removal. Also reconciles records with reality when berthd starts.
 */
export class ExitMonitor {
  private watcher?: ReturnType<typeof watch>;
  private poll?: NodeJS.Timeout;
  private readonly restarts: RestartBackoff;
  private readonly handling = new Set<string>();

  constructor(private readonly ctx: ContainerContext) {
    this.restarts = new RestartBackoff(ctx.clock);
  }

  async start(): Promise<void> {
    await fs.mkdir(this.ctx.paths.exits, { recursive: true, mode: 0o700 });
    this.watcher = watch(this.ctx.paths.exits, (_ev, file) => {
      if (file && !file.startsWith('.')) void this.check(String(file));
    });
    this.ctx.lifecycle.on('started', this.onStarted);
    // Belt and braces: a lost inotify event or a conmon killed without writing must still be noticed.
    this.poll = setInterval(() => void this.sweep(), 2000);
    this.poll.unref();
    await this.reconcile();
  }

  private readonly onStarted = (id: string) => void this.check(id);

  stop(): void {
    this.ctx.lifecycle.off('started', this.onStarted);
    this.watcher?.close();
    if (this.poll) clearInterval(this.poll);
    this.restarts.cancelAll();
  }

  /** Live restore: running containers stay running; ones that exited while we were away get their exit. */
  private async reconcile(): Promise<void> {
    for (const rec of this.ctx.store.all()) {
      // A build step's container outlives a killed berthd, but its build is gone with it.
      if (rec.Config.Labels?.['com.berth.build-step'] === 'true') {
        await withLock(this.ctx, rec.Id, () =>
          removeLocked(this.ctx, rec, { force: true, volumes: true }),
        ).catch(() => undefined);
        continue;
      }
      if (hasProcess(rec.State.Status)) {
        await this.check(rec.Id);
        // Still running after the check: its healthcheck resumes, from `starting` as in dockerd.
        if (hasProcess(rec.State.Status)) this.ctx.health.started(rec);
      } else if (rec.State.Status === 'restarting') {
        this.scheduleRestart(rec, 0);
      } else if (rec.State.Status === 'removing') {
        await withLock(this.ctx, rec.Id, () =>
          removeLocked(this.ctx, rec, { force: true, volumes: false }),
        ).catch(() => undefined);
      }
    }
    // Docker restarts `always` containers at daemon start, even ones the user stopped, and
    // `unless-stopped` ones the user did not stop (its restart manager ignores the manual stop for
    // `always`, and a start clears it).
    for (const rec of this.ctx.store.all()) {
      const policy = rec.HostConfig.RestartPolicy.Name;
      if (rec.State.Status !== 'exited') continue;
      if (policy === 'always' || (policy === 'unless-stopped' && !rec.ManuallyStopped)) {
        rec.ManuallyStopped = false;
        this.scheduleRestart(rec, 0);
      }
    }
  }

  private async sweep(): Promise<void> {
    for (const rec of this.ctx.store.all()) {
      if (!hasProcess(rec.State.Status)) continue;
      if (rec.State.Pid > 0 && this.ctx.sys.alive(rec.State.Pid)) continue;
      await this.check(rec.Id);
    }
  }

  async check(id: string): Promise<void> {
    const rec = this.ctx.store.find(id);
    if (!rec || this.handling.has(rec.Id)) return;
    if (!hasProcess(rec.State.Status)) return;
    // Claimed before the first await: the watcher and the start path may check at the same moment.
    this.handling.add(rec.Id);
    const code = await this.exitCode(rec).catch(() => undefined);
    if (code === undefined) {
      this.handling.delete(rec.Id);
      return;
    }
    try {
      // Not under the container's lock: stop and remove hold it while they wait for this exit.
      await this.handleExit(rec, code);
    } catch (err) {
      this.ctx.log.error('handling container exit failed', { id: rec.Id, error: errorMessage(err) });
    } finally {
      this.handling.delete(rec.Id);
    }
  }

  /** The exit code from conmon's exit file, or from a vanished process when conmon itself died. */
  private async exitCode(rec: ContainerRecord): Promise<number | undefined> {
    const file = path.join(this.ctx.paths.exits, rec.Id);
    const text = tryOr(() => readFileSync(file, 'utf8'), undefined);
    if (text !== undefined && text.trim() !== '') return Number.parseInt(text.trim(), 10);
    if (isPinned(rec)) return (await pinnedAlive(this.ctx, rec)) ? undefined : 137;
    const pidAlive = rec.State.Pid > 0 && this.ctx.sys.alive(rec.State.Pid);
    const conmonAlive = rec.ConmonPid > 0 && this.ctx.sys.alive(rec.ConmonPid);
    if (pidAlive || conmonAlive) return undefined;
    return 137; // no monitor and no process: the container died with its monitor
  }

  private async handleExit(rec: ContainerRecord, code: number): Promise<void> {
    if (!hasProcess(rec.State.Status)) return;
    const ctx = this.ctx;
    const startedAt = Date.parse(rec.State.StartedAt);
    const finished = ctx.clock.now();
    const t0 = performance.now();
    // conmon writes the exit file, then drains the last output into the log and exits: once it is
    // gone the log is complete, as `docker logs` after `docker wait` expects.
    await waitGone(ctx, rec.ConmonPid, 2000);
    const oom = await oomKilled(ctx, rec);
    await this.cleanupRuntime(rec);
    const restart = this.shouldRestart(rec, code);
    transition.exited(rec, { code, finishedMs: finished, oomKilled: oom, restarting: restart });
    rec.ConmonPid = 0;
    await ctx.store.save(rec);
    if (rec.State.OOMKilled) emitContainerEvent(ctx, rec, 'oom');
    ctx.events.emit({
      Type: 'container',
      Action: 'die',
      Actor: {
        ID: rec.Id,
        Attributes: actorAttributes(rec, {
          exitCode: String(code),
          execDuration: String(Math.max(0, Math.round((finished - startedAt) / 1000))),
        }),
      },
    });
    ctx.lifecycle.emit(`exit:${rec.Id}`, code);
    if (restart) {
      this.restarts.afterExit(rec.Id, finished - startedAt, () => this.restartNow(rec));
    } else if (rec.HostConfig.AutoRemove) {
      const t1 = performance.now();
      await removeLocked(ctx, rec, { force: true, volumes: true }).catch((err) =>
        ctx.log.warn('auto-remove failed', { id: rec.Id, error: errorMessage(err) }),
      );
      ctx.log.debug('container exit handled', {
        id: rec.Id.slice(0, 12),
        exitMs: Math.round(t1 - t0),
        removeMs: Math.round(performance.now() - t1),
      });
    }
  }

  private shouldRestart(rec: ContainerRecord, code: number): boolean {
    if (rec.ManuallyStopped) return false;
    const p = rec.HostConfig.RestartPolicy;
    switch (p.Name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return code !== 0 && (p.MaximumRetryCount === 0 || rec.RestartCount < p.MaximumRetryCount);
      default:
        return false;
    }
  }

  private scheduleRestart(rec: ContainerRecord, delayMs: number): void {
    this.restarts.schedule(rec.Id, delayMs, () => this.restartNow(rec));
  }

  private restartNow(rec: ContainerRecord): void {
    void withLock(this.ctx, rec.Id, async () => {
      const cur = this.ctx.store.find(rec.Id);
      if (!cur || (cur.State.Status !== 'restarting' && cur.State.Status !== 'exited') || cur.ManuallyStopped)
        return;
      cur.RestartCount++;
      try {
        await startLocked(this.ctx, cur);
      } catch (err) {
        this.ctx.log.warn('restart failed', { id: cur.Id, error: errorMessage(err) });
        if (cur.State.Status === 'restarting') transition.restartCancelled(cur);
        await this.ctx.store.save(cur);
      }
    });
  }

  /** Forgets restart state: a user stop/remove cancels a pending restart. */
  cancelRestart(id: string): void {
    this.restarts.cancel(id);
  }

  private async cleanupRuntime(rec: ContainerRecord): Promise<void> {
    const ctx = this.ctx;
    ctx.health.stopped(rec);
    // The process is gone: its runtime state, network, rootfs and files do not depend on each other.
    await Promise.all([
      ctx.runtime
        .forgetStopped(rec.Id)
        .catch(() => undefined)
        .then(() => removeCgroup(ctx.cgroups, cgroupsPath(rec.Id)))
        .catch(() => undefined),
      ctx.network
        .detach(rec)
        .catch((err) => ctx.log.warn('network teardown failed', { id: rec.Id, error: errorMessage(err) })),
      unmountRootfs(ctx.sys, rootfsDirs(ctx.store.dir(rec.Id))).catch(() => undefined),
      unmountShm(ctx, rec).catch(() => undefined),
      unpinIpc(ctx, rec).catch(() => undefined),
    ]);
    // berthd's own small files: synchronous calls (core/fsutil.ts says why).
    tryOr(() => rmSync(path.join(ctx.paths.exits, rec.Id), { force: true }), undefined);
    tryOr(() => rmSync(path.join(ctx.paths.sockets, rec.Id), { force: true }), undefined);
    tryOr(() => rmSync(bundleDir(ctx, rec.Id), { recursive: true, force: true }), undefined);
  }
}

/**
 * Whether the kernel's OOM killer hit any process of the container during this run (dockerd reports
 * that as OOMKilled even when the main process survived): the cgroup's counter, or the `oom` file
 * conmon leaves in the bundle.
 */
async function oomKilled(ctx: ContainerContext, rec: ContainerRecord): Promise<boolean> {
  if ((await oomKillCount(ctx.cgroups, cgroupsPath(rec.Id)).catch(() => 0)) > 0) return true;
  const bundle = bundleDir(ctx, rec.Id);
  return existsSync(path.join(bundle, 'oom'));
}

async function waitGone(ctx: ContainerContext, pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pid > 0 && ctx.sys.alive(pid) && !exited(pid) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2));
  }
}
