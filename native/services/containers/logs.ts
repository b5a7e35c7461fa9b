// A container's log as records in batches: what `docker logs` and the kubelet's pods/log read. When
// following, the read ends as dockerd's does: when the container exits for good (with a restart
// policy it goes on through restarts), when it is removed, or when the caller stops (its signal).
import type { ContainerContext } from '../context.ts';
import { type LogEntry, readLogBatches } from './log-file.ts';
import { isActive } from './state.ts';

export interface ContainerLogOptions {
  follow?: boolean;
  /** The last n records only. */
  tail?: number;
  sinceNs?: bigint;
  untilNs?: bigint;
  /** Stops following (the client went away). */
  signal?: AbortSignal;
}

export interface ContainerLog {
  /** With a TTY the log has one stream and readers write it raw. */
  tty: boolean;
  batches: AsyncIterable<LogEntry[]>;
}

export function containerLog(
  ctx: ContainerContext,
  ref: string,
  opts: ContainerLogOptions = {},
): ContainerLog {
  const rec = ctx.store.get(ref);
  const follow = !!opts.follow && isActive(rec.State.Status);
  const events = ctx.lifecycle;
  async function* batches(): AsyncGenerator<LogEntry[]> {
    let stop = () => {};
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const onExit = () => {
      const policy = rec.HostConfig.RestartPolicy.Name;
      if (policy === 'no' || policy === '') stop();
    };
    if (follow) {
      events.on(`exit:${rec.Id}`, onExit);
      events.once(`removed:${rec.Id}`, stop);
      opts.signal?.addEventListener('abort', stop, { once: true });
      if (opts.signal?.aborted) stop();
    } else stop();
    try {
      yield* readLogBatches(rec.LogPath, {
        follow,
        tail: opts.tail,
        sinceNs: opts.sinceNs,
        untilNs: opts.untilNs,
        until,
      });
    } finally {
      events.off(`exit:${rec.Id}`, onExit);
      events.off(`removed:${rec.Id}`, stop);
      opts.signal?.removeEventListener('abort', stop);
      stop();
    }
  }
  return { tty: !!rec.Config.Tty, batches: batches() };
}
