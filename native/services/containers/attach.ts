import { errorMessage, invalid } from '../../core/errors.ts';
import { type Attachment, attachSocket } from '../../runtime/conmon.ts';
import { bundleDir, type ContainerContext } from '../context.ts';
import { ChunkStream, type StdioChunk, type StdioSession } from '../stdio.ts';
import { readLog } from './log-file.ts';
import { hasProcess } from './state.ts';

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  stream: boolean;
  logs: boolean;
  detachKeys?: string;
}

/** Parses Docker's detach keys (`ctrl-p,ctrl-q`, `ctrl-a,x`) to bytes. */
export function parseDetachKeys(spec: string | undefined): Buffer {
  const s = spec || 'ctrl-p,ctrl-q';
  const out: number[] = [];
  for (const part of s.split(',')) {
    const k = part.trim().toLowerCase();
    if (k.length === 1) out.push(k.charCodeAt(0));
    else if (/^ctrl-[a-z@[\\\]^_]$/.test(k)) {
      const c = k.charAt(5);
      out.push(
        c >= 'a' && c <= 'z'
          ? c.charCodeAt(0) - 96
          : ({ '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 }[c] ?? 0),
      );
    } else throw invalid(`Invalid detach keys (${s}) provided`);
  }
  return Buffer.from(out);
}

/** Copies client input to a sink, stopping (and reporting) when the detach sequence is typed. */
export function pumpInput(
  input: NodeJS.ReadableStream | undefined,
  keys: Buffer | undefined,
  write: (d: Buffer) => void,
  onEnd: () => void,
  onDetach: () => void,
): void {
  if (!input) return;
  let matched = 0;
  let held: number[] = [];
  input.on('data', (chunk: Buffer) => {
    const out: number[] = [];
    for (const b of chunk) {
      if (keys?.length && b === keys[matched]) {
        held.push(b);
        matched++;
        if (matched === keys.length) {
          if (out.length) write(Buffer.from(out));
          onDetach();
          return;
        }
        continue;
      }
      if (held.length) {
        out.push(...held);
        held = [];
        matched = 0;
      }
      out.push(b);
    }
    for (let i = 0; i < out.length; i += 8192) write(Buffer.from(out.slice(i, i + 8192)));
  });
  input.on('end', onEnd);
  // The server pauses hijacked input until the attach is wired; a data listener alone does not undo that.
  input.resume();
}

/**
 * Connects to a container's stdio, now if it runs, or at its next start (`docker run` attaches before
 * it starts). Output comes as tagged chunks; `input` (the client's bytes) is copied to the
 * container's stdin until it ends or the detach keys are typed, which end the session.
 * A container that is not running is registered for its next start before this returns.
 */
export function attachContainer(
  ctx: ContainerContext,
  ref: string,
  opts: AttachOptions,
  input?: NodeJS.ReadableStream,
): StdioSession {
  const rec = ctx.store.get(ref);
  const keys = parseDetachKeys(opts.detachKeys);
  const out = new ChunkStream<StdioChunk>();
  const send = (stream: 'stdout' | 'stderr', data: Buffer) => {
    if ((stream === 'stdout' && !opts.stdout) || (stream === 'stderr' && !opts.stderr)) return;
    out.push({ stream, data });
  };
  let attachment: Attachment | undefined;
  const connect = async () => {
    if (out.closed) return;
    const a = await attachSocket(bundleDir(ctx, rec.Id));
    attachment = a;
    a.onOutput(send);
    a.onClose(() => out.end());
    out.onClose(() => a.close());
    if (opts.stdin && rec.Config.OpenStdin) {
      pumpInput(
        input,
        keys,
        (d) => a.write(d),
        () => {
          a.endInput();
          // Docker ends a `docker attach` session with its input when the container keeps stdin open.
          if (!rec.Config.StdinOnce) out.end();
        },
        () => {
          a.close();
          out.end();
        },
      );
    } else {
      input?.resume();
    }
  };
  const begin = async () => {
    if (opts.logs) {
      for await (const e of readLog(rec.LogPath, { follow: false })) send(e.stream, Buffer.from(e.text));
    }
    if (!opts.stream) {
      out.end();
      return;
    }
    if (hasProcess(rec.State.Status)) {
      await connect();
      return;
    }
    const list = ctx.pendingAttach.get(rec.Id) ?? [];
    list.push(connect);
    ctx.pendingAttach.set(rec.Id, list);
    out.onClose(() => {
      const cur = ctx.pendingAttach.get(rec.Id);
      if (cur)
        ctx.pendingAttach.set(
          rec.Id,
          cur.filter((c) => c !== connect),
        );
      attachment?.close();
    });
    // A container that exits without ever starting our attachment (start failed) ends the stream.
    ctx.lifecycle.once(`removed:${rec.Id}`, () => out.end());
  };
  // Without logs to replay, `begin` registers for the next start before its first await, so before
  // the caller answers the client.
  void begin().catch((err) => {
    ctx.log.warn('attach failed', { id: rec.Id, error: errorMessage(err) });
    out.end();
  });
  return { tty: rec.Config.Tty, output: out };
}
