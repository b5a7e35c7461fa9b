import type { Readable } from 'node:stream';
import type { ContainerSummary, LogBatch } from '../../contract/index.ts';
import type { EngineClient } from '../engine/engine-client.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers, StreamHandlers } from '../ipc/handlers.ts';
import { engineRemovals, PendingRemovals } from './container-removals.ts';
import { containerStatsStreams } from './container-stats.ts';
import { toSummary } from './container-summary.ts';
import { UsageSampler } from './container-usage.ts';
import { chunkGatherer, LogBatchDecoder } from './log-lines.ts';

type ContainerChannels =
  | 'containers.list'
  | 'containers.inspect'
  | 'containers.start'
  | 'containers.stop'
  | 'containers.restart'
  | 'containers.pause'
  | 'containers.unpause'
  | 'containers.remove'
  | 'containers.usage'
  | 'containers.removeLater'
  | 'containers.undoRemove';

/** Bytes of a finished log handed to the decoder at a time (a batch each). */
const logSlice = 1 << 20;

/** `removals`: the removals kept for undo, shared with `containerStreams` (one per app). */
export function containerHandlers(
  client: EngineClient,
  removals: PendingRemovals = new PendingRemovals(engineRemovals(client)),
): Pick<InvokeHandlers, ContainerChannels> {
  const c = (id: string) => client.docker.getContainer(id);
  const usage = new UsageSampler(client);
  return {
    async 'containers.list'({ all }): Promise<ContainerSummary[]> {
      const list = await client.docker.listContainers({ all: all ?? true });
      return list.filter((x) => !removals.isPending(x.Id)).map(toSummary);
    },
    async 'containers.usage'() {
      return usage.sample();
    },
    async 'containers.removeLater'({ ids }) {
      await removals.schedule(ids);
      return { delayMs: removals.delayMs };
    },
    async 'containers.undoRemove'({ ids }) {
      return { restored: removals.undo(ids) };
    },
    async 'containers.inspect'({ id }) {
      return (await c(id).inspect()) as unknown as Record<string, unknown>;
    },
    async 'containers.start'({ id }) {
      await c(id).start();
    },
    async 'containers.stop'({ id, timeoutSeconds }) {
      await c(id).stop({ t: timeoutSeconds ?? 10 });
    },
    async 'containers.restart'({ id, timeoutSeconds }) {
      await c(id).restart({ t: timeoutSeconds ?? 10 });
    },
    async 'containers.pause'({ id }) {
      await c(id).pause();
    },
    async 'containers.unpause'({ id }) {
      await c(id).unpause();
    },
    async 'containers.remove'({ id, force }) {
      await c(id).remove({ force: force ?? false });
    },
  };
}

export function containerStreams(
  client: EngineClient,
  removals: PendingRemovals,
): Pick<StreamHandlers, 'containers.logs' | 'containers.stats' | 'containers.removals'> {
  return {
    ...containerStatsStreams(client),
    async 'containers.removals'(_params, emit, signal) {
      const off = removals.onOutcome(emit);
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      off();
    },
    async 'containers.logs'({ id, follow, tail, timestamps, since }, emit, signal) {
      if (since !== undefined && !/^\d+(\.\d{1,9})?$/.test(since)) {
        throw new HandlerError(
          'invalid_argument',
          'logs.bad_since',
          `invalid "since" time "${since}": use unix seconds, e.g. 1700000000.5`,
        );
      }
      const container = client.docker.getContainer(id);
      const info = await container.inspect();
      const decoder = new LogBatchDecoder(!info.Config.Tty, timestamps ?? false);
      const send = (batch: LogBatch | null) => {
        if (batch) emit(batch);
      };
      const opts = {
        stdout: true,
        stderr: true,
        timestamps: timestamps ?? false,
        tail: tail ?? 1000,
        ...(since ? { since } : {}),
      };
      if (!follow) {
        const buf = (await container.logs({ ...opts, follow: false })) as unknown as Buffer;
        // In slices, so that a big log reaches the UI as several messages rather than one huge one.
        for (let o = 0; o < buf.length; o += logSlice) send(decoder.push(buf.subarray(o, o + logSlice)));
        send(decoder.flush());
        return;
      }
      const stream = (await container.logs({ ...opts, follow: true })) as unknown as Readable;
      await new Promise<void>((resolve, reject) => {
        const stop = () => {
          stream.destroy();
          resolve();
        };
        if (signal.aborted) return stop();
        signal.addEventListener('abort', stop, { once: true });
        const gather = chunkGatherer((chunk) => send(decoder.push(chunk)));
        stream.on('data', (chunk: Buffer) => gather.push(chunk));
        const finish = () => {
          gather.flush();
          send(decoder.flush());
          resolve();
        };
        stream.on('end', finish);
        stream.on('close', finish);
        stream.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
      });
    },
  };
}
