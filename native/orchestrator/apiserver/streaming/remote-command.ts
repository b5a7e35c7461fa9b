// pods/exec and pods/attach over WebSocket: checks the request as kube-apiserver does, starts the
// command through the backend, and only then answers 101 — so that any failure is the upgrade's
// response (kubectl falls back or reports it) rather than a connection that opens and dies. Then it
// moves the channels: stdin and resize in, stdout and stderr out, and the result on the error channel
// before a normal close (kubectl reads the error channel to its end, so the close must be clean).
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { StdioChunk } from '../../../services/stdio.ts';
import type { ApiContext, Scope } from '../context.ts';
import { badRequest } from '../status.ts';
import type { RemoteCommandBackend, StreamOptions, TerminalSize } from './backends.ts';
import {
  Channel,
  type ChannelProtocol,
  type CommandResult,
  decodeChannel,
  encodeChannel,
  errorChannelPayload,
  parseResize,
  protocolNamed,
  remoteCommandProtocols,
} from './channels.ts';
import { Feed } from './feed.ts';
import { queryBool, requireRunning, streamContainer, streamPod } from './pods.ts';
import { acceptWebSocket, CloseCode, checkHandshake, type WebSocketConnection } from './websocket.ts';

export type RemoteCommandKind = 'exec' | 'attach';

/** The stdin a client may have in flight before its socket is paused. */
const stdinHighWaterMark = 1024 * 1024;

export async function upgradeRemoteCommand(
  kind: RemoteCommandKind,
  backend: RemoteCommandBackend,
  ctx: ApiContext,
  scope: Scope,
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const pod = await streamPod(ctx, scope);
  const container = streamContainer(pod, scope.query.get('container'));
  requireRunning(pod, container);
  const q = scope.query;
  const tty = queryBool(q, 'tty');
  const wants = {
    stdin: queryBool(q, 'stdin'),
    stdout: queryBool(q, 'stdout'),
    stderr: queryBool(q, 'stderr'),
  };
  // A terminal has one output stream; kube-apiserver drops stderr rather than refusing.
  if (tty) wants.stderr = false;
  if (!wants.stdin && !wants.stdout && !wants.stderr)
    throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const command = q.getAll('command');
  if (kind === 'exec' && command.length === 0)
    throw badRequest('you must specify at least one command for the container');
  const protocol = protocolNamed(
    remoteCommandProtocols,
    checkHandshake(
      req,
      remoteCommandProtocols.map((p) => p.name),
    ),
  )!;

  const stdin = wants.stdin
    ? new Feed<Buffer>({
        sizeOf: (b) => b.length,
        highWaterMark: stdinHighWaterMark,
        pause: () => socket.pause(),
        resume: () => socket.resume(),
      })
    : undefined;
  const resize = tty ? new Feed<TerminalSize>() : undefined;
  const abort = new AbortController();
  const opts: StreamOptions = {
    stdin,
    stdout: wants.stdout,
    stderr: wants.stderr,
    tty,
    resize,
    signal: abort.signal,
  };
  const output =
    kind === 'exec'
      ? await backend.exec(pod, container, command, opts)
      : await backend.attach(pod, container, opts);
  if (socket.destroyed) {
    abort.abort();
    stdin?.end();
    resize?.end();
    return;
  }
  const ws = acceptWebSocket(req, socket, head, protocol.name);
  ws.onMessage = (message, binary) => {
    const m = decodeChannel(protocol, message, binary);
    if (!m) return;
    if (m.channel === Channel.stdin) {
      if (m.data.length) stdin?.push(Buffer.from(m.data));
    } else if (m.channel === Channel.resize) {
      const size = parseResize(m.data);
      if (size) resize?.push(size);
    } else if (m.channel === Channel.close && protocol.streamClose && m.data[0] === Channel.stdin)
      stdin?.end();
  };
  ws.onClose = () => {
    stdin?.end();
    resize?.end();
  };
  await pump(ws, protocol, wants, output, abort);
  stdin?.end();
  resize?.end();
}

/** Output to channels until it ends or the client goes; then the result and a normal close. */
async function pump(
  ws: WebSocketConnection,
  protocol: ChannelProtocol,
  wants: { stdout: boolean; stderr: boolean },
  output: AsyncIterable<StdioChunk>,
  abort: AbortController,
): Promise<void> {
  const send = (channel: number, data: Buffer) => {
    const [message, binary] = encodeChannel(protocol, channel, data);
    return ws.send(message, binary);
  };
  // As wsstream does: an empty message on the lowest channel the client reads, to say it is open.
  send(wants.stdout ? Channel.stdout : wants.stderr ? Channel.stderr : Channel.error, Buffer.alloc(0));
  let result: CommandResult = { exitCode: 0 };
  const it = output[Symbol.asyncIterator]();
  const gone = ws.closed.then(() => undefined);
  try {
    for (;;) {
      const r = await Promise.race([it.next(), gone]);
      if (!r) {
        abort.abort();
        void it.return?.()?.catch(() => undefined);
        return;
      }
      if (r.done) break;
      const chunk = r.value;
      if (chunk.stream === 'exit') {
        result = chunk.error ? { error: chunk.error } : { exitCode: chunk.code };
        continue;
      }
      const channel = chunk.stream === 'stdout' ? Channel.stdout : Channel.stderr;
      if (!(channel === Channel.stdout ? wants.stdout : wants.stderr)) continue;
      if (!send(channel, chunk.data)) await ws.drain();
    }
  } catch (err) {
    result = { error: err instanceof Error ? err.message : String(err) };
  }
  if (!ws.isOpen) return;
  const payload = errorChannelPayload(protocol, result);
  if (payload) send(Channel.error, payload);
  ws.close(CloseCode.normal);
  await ws.closed;
}
