// The lines of one container's log, or of several merged, as they stream from the engine.
import { useEffect, useState } from 'react';
import type { ContractError, LogBatch, StreamMessage } from '../../../../electron/contract/index.ts';
import { api } from '../../api/client.ts';
import { LogBuffer, type LogModel } from './log-buffer.ts';
import { MergedLog } from './log-merge.ts';

/** Lines kept (and asked for): the last million. */
export const maxLines = 1_000_000;
/** The last lines, fetched first so that the view opens at once on a log of any length. */
const previewLines = 1000;
/** New lines show within this; a stream of batches costs a render per this, not per batch. */
const redrawMs = 100;

export interface LogFeed {
  model: LogModel;
  /** Showing the last lines while the whole log loads. */
  loading: boolean;
  /** How each source's stream failed, by position (null: it did not). */
  errors: (ContractError | null)[];
}

/**
 * Opens one log stream of a single source (default: the container's `containers.logs`); a pod's log
 * view gives its own (`kube.logs`). Returns what stops it.
 */
export type LogOpener = (
  opts: { follow: boolean; timestamps: boolean; tail: number; since?: string },
  on: (m: StreamMessage<'containers.logs'> | { type: 'event'; event: LogBatch }) => void,
) => () => void;

const containerLog =
  (id: string): LogOpener =>
  (opts, on) =>
    api().subscribe('containers.logs', { id, ...opts }, on);

export interface FeedOptions {
  /** Several sources merged in time order (asks for timestamps to merge by), or one container's log. */
  merged: boolean;
  follow: boolean;
  /** Asked for only while shown, for one container: they triple what the engine sends for a short line. */
  timestamps: boolean;
  /** Only lines from then on (Docker's `since`): where the view was cleared. */
  since?: string;
  /** Another source than a container's log, for one source (the effect restarts when `ids` change). */
  open?: LogOpener;
}

/**
 * Redraws on the next frame, but not more often than every redrawMs: a big log arrives in hundreds of
 * batches, and taking in a million lines must not be a hundred renders.
 */
function redrawScheduler(redraw: () => void): { schedule(): void; cancel(): void } {
  let frame = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  const run = () => {
    frame = 0;
    timer = undefined;
    last = performance.now();
    redraw();
  };
  return {
    schedule() {
      if (frame || timer) return;
      const wait = last + redrawMs - performance.now();
      if (wait > 0) timer = setTimeout(() => (frame = requestAnimationFrame(run)), wait);
      else frame = requestAnimationFrame(run);
    },
    cancel() {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    },
  };
}

export function useLogFeed(ids: string[], { merged, follow, timestamps, since, open }: FeedOptions): LogFeed {
  const [model, setModel] = useState<LogModel>(() => new LogBuffer(false, maxLines));
  const [loading, setLoading] = useState(true);
  const [errors, setErrors] = useState<(ContractError | null)[]>([]);
  const [, setVersion] = useState(0);
  const key = ids.join('\n');
  const withTimestamps = merged || timestamps;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `open` goes with `ids` (their key)
  useEffect(() => {
    const list = key.split('\n');
    const redraw = redrawScheduler(() => setVersion((v) => v + 1));
    const fail = (k: number, error: ContractError) =>
      setErrors((e) => {
        const next = [...e];
        next[k] = error;
        return next;
      });
    setErrors([]);
    const stops: (() => void)[] = [];
    if (merged) {
      // One stream per source: one that ends (its container removed) leaves the others running.
      const log = new MergedLog(list.length, maxLines);
      setModel(log);
      setLoading(false);
      const tail = Math.floor(maxLines / list.length);
      list.forEach((id, k) => {
        stops.push(
          api().subscribe('containers.logs', { id, follow, timestamps: true, tail, since }, (m) => {
            if (m.type === 'event') {
              log.append(k, m.event);
              redraw.schedule();
            } else if (m.error) fail(k, m.error);
          }),
        );
      });
    } else {
      // The view opens on the last lines, fetched on their own (the engine finds them from the end of
      // the log), while the whole log streams in beside them; it takes over once it has reached them.
      const opener = open ?? containerLog(list[0]);
      const preview = new LogBuffer(withTimestamps, maxLines);
      const full = new LogBuffer(withTimestamps, maxLines);
      let shown = preview;
      let previewDone = false;
      setModel(preview);
      setLoading(true);
      let stopPreview = () => {};
      const takeOver = () => {
        if (shown === full) return;
        shown = full;
        stopPreview();
        setModel(full);
        setLoading(false);
      };
      stopPreview = opener(
        { follow: false, timestamps: withTimestamps, tail: previewLines, ...(since ? { since } : {}) },
        (m) => {
          if (shown !== preview) return;
          if (m.type === 'event') {
            preview.append(m.event);
            redraw.schedule();
          } else {
            previewDone = true;
            if (m.error) fail(0, m.error);
            else if (full.caughtUp(preview)) takeOver();
          }
        },
      );
      stops.push(() => stopPreview());
      stops.push(
        opener({ follow, timestamps: withTimestamps, tail: maxLines, ...(since ? { since } : {}) }, (m) => {
          if (m.type === 'event') {
            const from = full.length;
            full.append(m.event);
            if (shown === preview && previewDone && full.caughtUp(preview, from)) takeOver();
            if (shown === full) redraw.schedule();
          } else {
            // The whole log is in (not following), or the stream failed: show what there is.
            takeOver();
            if (m.error) fail(0, m.error);
          }
        }),
      );
    }
    return () => {
      for (const stop of stops) stop();
      redraw.cancel();
    };
  }, [key, merged, follow, withTimestamps, since]);

  return { model, loading, errors };
}
