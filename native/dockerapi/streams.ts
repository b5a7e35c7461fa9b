import type { StdioSession } from '../services/stdio.ts';
import { frame } from './framing.ts';
import type { ClientStream } from './http.ts';

export const rawStream = 'application/vnd.docker.raw-stream';
export const muxStream = 'application/vnd.docker.multiplexed-stream';

/** The content type of a stdio stream: raw bytes with a TTY, Docker's 8-byte frames without. */
export function stdioContentType(tty: boolean): string {
  return tty ? rawStream : muxStream;
}

/**
 * Copies a service's stdio chunks to a hijacked client: raw with a TTY, framed without. The client
 * going away closes the session (which lets go of its attach socket); the session ending ends the
 * client's side of the connection (a half-close: the client may still be sending).
 */
export async function sendStdio(client: ClientStream, session: StdioSession): Promise<void> {
  client.onClose(() => session.output.close());
  for await (const c of session.output) {
    if (client.closed) break;
    if (c.stream === 'exit') {
      // Docker reports an exec that could not start on the stream's stdout, then closes it; an exit
      // code is not part of Docker's stream (clients inspect the exec for it).
      if (c.error !== undefined) {
        const msg = Buffer.from(`${c.error}\r\n`);
        client.write(session.tty ? msg : frame('stdout', msg));
      }
      continue;
    }
    client.write(session.tty ? c.data : frame(c.stream, c.data));
  }
  client.end();
}

/** Writes each value of a stream as a line of JSON (stats, events, progress). */
export async function sendJsonLines(client: ClientStream, values: AsyncIterable<unknown>): Promise<void> {
  for await (const v of values) {
    if (client.closed) break;
    client.write(`${JSON.stringify(v)}\n`);
  }
  client.end();
}
