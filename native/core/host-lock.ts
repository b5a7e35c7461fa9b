// A host-wide lock between berthd processes (two engines, or two clusters, started at once on one
// host): a file naming its holder's pid, made whole in one link(2) so that it is never seen empty. A
// holder that is gone leaves a stale lock, which one waiter takes over.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostSys } from './sys.ts';

export interface HostLockOptions {
  timeoutMs?: number;
  /** The error of a wait that ran out, naming the holder's pid. */
  busy?: (holder: number, file: string) => string;
}

/**
 * Takes the lock at `file` and answers its release. Where the lock cannot be made at all (no such
 * directory), there is nothing to share it with: the release is a no-op.
 */
export async function lockHost(file: string, opts: HostLockOptions = {}): Promise<() => Promise<void>> {
  const { timeoutMs = 60_000, busy = (holder, f) => `another process (pid ${holder}) holds ${f}` } = opts;
  const mine = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await fs.writeFile(mine, `${process.pid}\n`, { mode: 0o600 });
  } catch {
    return async () => {};
  }
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await fs.link(mine, file);
        return async () => {
          const holder = await fs.readFile(file, 'utf8').catch(() => '');
          if (holder.trim() === String(process.pid)) await fs.rm(file, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return async () => {};
      }
      const holder = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
      if (!hostSys.alive(holder)) {
        await removeStale(file, mine, holder);
        continue;
      }
      if (Date.now() > deadline) throw new Error(busy(holder, file));
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await fs.rm(mine, { force: true });
  }
}

/**
 * Removes the lock of a holder that is gone — unless another waiter, which saw it gone too, removed it
 * already and holds the lock now: the removal is guarded by a second file made in one link(2), and the
 * holder read again under it. A guard left by a waiter that died mid-way goes after a few seconds (its
 * ctime is its link's).
 */
async function removeStale(file: string, mine: string, holder: number): Promise<void> {
  const guard = `${file}.takeover`;
  try {
    await fs.link(mine, guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return;
    const st = await fs.stat(guard).catch(() => undefined);
    if (st && Date.now() - st.ctimeMs > 5000) await fs.rm(guard, { force: true });
    else await new Promise((r) => setTimeout(r, 10));
    return;
  }
  try {
    const now = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
    if (now === holder && !hostSys.alive(now)) await fs.rm(file, { force: true });
  } finally {
    await fs.rm(guard, { force: true });
  }
}
