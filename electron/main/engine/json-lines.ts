// The engine's streaming answers (stats, pull and push progress) are one JSON object a line; a chunk
// of the HTTP body may end in the middle of one.
import type { Readable } from 'node:stream';

export class JsonLineDecoder<T> {
  private rest = '';

  push(chunk: Buffer | string): T[] {
    const text = this.rest + chunk.toString();
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    return lines.flatMap((l) => this.parse(l));
  }

  flush(): T[] {
    const last = this.parse(this.rest);
    this.rest = '';
    return last;
  }

  private parse(line: string): T[] {
    const trimmed = line.trim();
    return trimmed ? [JSON.parse(trimmed) as T] : [];
  }
}

/**
 * Calls `onMessage` for each JSON line of `stream` until it ends (resolve), fails (reject) or `signal`
 * aborts (resolve, and the stream is destroyed). A throw from `onMessage` fails it too.
 */
export function forEachJsonLine<T>(
  stream: Readable,
  signal: AbortSignal,
  onMessage: (msg: T) => void,
): Promise<void> {
  const decoder = new JsonLineDecoder<T>();
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', stop);
      if (err && !signal.aborted) reject(err);
      else resolve();
    };
    const stop = () => {
      stream.destroy();
      finish();
    };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    const deliver = (msgs: T[]) => {
      for (const m of msgs) onMessage(m);
    };
    stream.on('data', (chunk: Buffer) => {
      try {
        deliver(decoder.push(chunk));
      } catch (err) {
        stream.destroy();
        finish(err);
      }
    });
    stream.on('end', () => {
      try {
        deliver(decoder.flush());
        finish();
      } catch (err) {
        finish(err);
      }
    });
    stream.on('close', () => finish());
    stream.on('error', (err) => finish(err));
  });
}
