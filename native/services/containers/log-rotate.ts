import { promises as fs } from 'node:fs';
import { invalid } from '../../core/errors.ts';
import { reopenLog } from '../../runtime/conmon.ts';
import { bundleDir, type ContainerContext } from '../context.ts';
import type { ContainerRecord } from './model.ts';
import { hasProcess } from './state.ts';

/** Docker's size strings for --log-opt max-size: binary units (k, m, g), optional b suffix. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(s.trim());
  if (!m) throw invalid(`invalid size: '${s}'`);
  const mult: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.floor(Number(m[1]) * mult[m[2].toLowerCase()]);
}

export interface LogLimits {
  maxSize: number; // bytes; 0 = unlimited
  maxFile: number; // files kept in all, the live one included
}

/** Validates --log-opt values as dockerd's json-file driver does. */
export function logLimits(config: Record<string, string>): LogLimits {
  for (const k of Object.keys(config)) {
    if (!['max-size', 'max-file', 'compress', 'labels', 'env', 'tag', 'mode'].includes(k)) {
      throw invalid(`unknown log opt '${k}' for k8s-file log driver`);
    }
  }
  const maxSize = config['max-size'] ? parseSize(config['max-size']) : 0;
  if (config['max-size'] && maxSize <= 0) throw invalid(`max-size must be a positive number`);
  let maxFile = 1;
  if (config['max-file'] !== undefined) {
    maxFile = Number(config['max-file']);
    if (!Number.isInteger(maxFile) || maxFile < 1) throw invalid('max-file cannot be less than 1');
  }
  return { maxSize, maxFile: Math.min(maxFile, 20) };
}

/**
 * Rotates container logs by size: conmon keeps writing to the path it has open, so berthd renames the
 * files (log → log.1 → log.2 …) and asks conmon to reopen; lines written in between land in log.1.
 */
export class LogRotator {
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly ctx: ContainerContext,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const rec of this.ctx.store.all()) {
        if (!hasProcess(rec.State.Status)) continue;
        const limits = logLimits(rec.HostConfig.LogConfig.Config ?? {});
        if (limits.maxSize > 0) await this.rotateIfNeeded(rec, limits).catch(() => undefined);
      }
    } finally {
      this.busy = false;
    }
  }

  async rotateIfNeeded(rec: ContainerRecord, limits: LogLimits): Promise<boolean> {
    const st = await fs.stat(rec.LogPath).catch(() => undefined);
    if (!st || st.size < limits.maxSize) return false;
    if (limits.maxFile <= 1) {
      await fs.truncate(rec.LogPath, 0);
      await reopenLog(bundleDir(this.ctx, rec.Id));
      return true;
    }
    await fs.rm(`${rec.LogPath}.${limits.maxFile - 1}`, { force: true });
    for (let i = limits.maxFile - 2; i >= 1; i--) {
      await fs.rename(`${rec.LogPath}.${i}`, `${rec.LogPath}.${i + 1}`).catch(() => undefined);
    }
    await fs.rename(rec.LogPath, `${rec.LogPath}.1`);
    await reopenLog(bundleDir(this.ctx, rec.Id));
    return true;
  }
}
