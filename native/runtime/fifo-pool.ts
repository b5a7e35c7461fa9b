// FIFOs made ahead of need, a batch at a time. conmon reports a container's creation on a FIFO that the
// engine's command shell opens by name as conmon's fd 3 (runtime/conmon.ts); Node cannot make a FIFO,
// so each container start ran mkfifo(1), one process of its own. A pool makes `batch` of them with one
// mkfifo and hands them out by rename(2) into the bundle, where they are used once and removed. They
// sit in a folder of the engine's exec root, never opened: one left over by a stopped berthd is
// removed with the folder at the next berthd's first batch.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runOk, type Sys } from '../core/sys.ts';

export class FifoPool {
  private ready: string[] = [];
  private making?: Promise<void>;
  private made = 0;
  private cleared = false;

  constructor(
    private readonly dir: string,
    private readonly sys: Sys,
    private readonly batch = 16,
  ) {}

  /** Puts a new FIFO (mode 0600) at `at`, a path on the pool's filesystem. */
  async take(at: string): Promise<void> {
    for (;;) {
      const fifo = this.ready.pop();
      if (fifo) {
        try {
          renameSync(fifo, at);
          return;
        } catch (err) {
          // Gone from under the pool (its folder removed by hand): the next one, or a new batch.
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          continue;
        }
      }
      this.making ??= this.make().finally(() => {
        this.making = undefined;
      });
      await this.making;
    }
  }

  private async make(): Promise<void> {
    if (!this.cleared) {
      rmSync(this.dir, { recursive: true, force: true });
      this.cleared = true;
    }
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const names = Array.from({ length: this.batch }, () => path.join(this.dir, String(++this.made)));
    await runOk(this.sys, 'mkfifo', ['-m', '0600', ...names]);
    this.ready.push(...names);
  }
}

const pools = new Map<string, FifoPool>();

/** The one pool of a folder in this process. */
export function fifoPool(dir: string, sys: Sys): FifoPool {
  let pool = pools.get(dir);
  if (!pool) {
    pool = new FifoPool(dir, sys);
    pools.set(dir, pool);
  }
  return pool;
}
