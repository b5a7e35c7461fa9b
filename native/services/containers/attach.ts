import { invalid } from '../../core/errors.ts';
import { frame } from '../../dockerapi/framing.ts';
import type { ClientStream } from '../../dockerapi/http.ts';
import { type Attachment, attachSocket } from '../../runtime/conmon.ts';
import { bundleDir, type ContainerContext } from '../context.ts';
import { readLog } from './log-file.ts';

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

/** Connects a client to a container's stdio, now if it runs, or at its next start. */
export async function attachContainer(
  ctx: ContainerContext,
  ref: string,
  opts: AttachOptions,
  client: ClientStream,
): Promise<void> {
  const rec = ctx.store.get(ref);
  const tty = rec.Config.Tty;
  const keys = parseDetachKeys(opts.detachKeys);
  const send = (stream: 'stdout' | 'stderr', data: Buffer) => {
    if ((stream === 'stdout' && !opts.stdout) || (stream === 'stderr' && !opts.stderr)) return;
    client.write(tty ? data : frame(stream, data));
  };
  if (opts.logs) {
    for await (const e of readLog(rec.LogPath, { follow: false })) send(e.stream, Buffer.from(e.text));
  }
  if (!opts.stream) {
    client.end();
    return;
  }
  let attachment: Attachment | undefined;
  const connect = async () => {
    if (client.closed) return;
    const a = await attachSocket(bundleDir(ctx, rec.Id));
    attachment = a;
    a.onOutput(send);
    a.onClose(() => client.end());
    client.onClose(() => a.close());
    if (opts.stdin && rec.Config.OpenStdin) {
      pumpInput(
        client.input,
        keys,
        (d) => a.write(d),
        () => {
          a.endInput();
          // Docker ends a `docker attach` session with its input when the container keeps stdin open.
          if (!rec.Config.StdinOnce) client.end();
        },
        () => {
          a.close();
          client.end();
        },
      );
    } else {
      client.input?.resume();
    }
  };
  if (rec.State.Status === 'running' || rec.State.Status === 'paused') {
    await connect();
  } else {
    const list = ctx.pendingAttach.get(rec.Id) ?? [];
    list.push(connect);
    ctx.pendingAttach.set(rec.Id, list);
    client.onClose(() => {
      const cur = ctx.pendingAttach.get(rec.Id);
      if (cur)
        ctx.pendingAttach.set(
          rec.Id,
          cur.filter((c) => c !== connect),
        );
      attachment?.close();
    });
    // A container that exits without ever starting our attachment (start failed) ends the stream.
    ctx.lifecycle.once(`removed:${rec.Id}`, () => client.end());
  }
}
