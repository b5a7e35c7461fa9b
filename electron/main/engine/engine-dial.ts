// Raw requests to the engine for the routes dockerode has no method for (or whose errors it words
// wrongly), and the test for Berth's own engine that decides whether its extra routes exist.
import type { Readable } from 'node:stream';
import type { EngineClient } from './engine-client.ts';

export interface DialError extends Error {
  statusCode?: number;
  json?: { message?: string } | null;
}

export interface DialOptions {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** The query (a path ending in `?`); `{ _body }` is a POST's JSON body. */
  options?: Record<string, unknown>;
  isStream?: boolean;
  /** A request body sent as is (a tar). */
  file?: Readable | Buffer;
}

const statusCodes = {
  200: true,
  201: true,
  204: true,
  400: 'bad parameter',
  404: 'not found',
  409: 'conflict',
  500: 'server error',
};

export function dial<T>(client: EngineClient, opts: DialOptions): Promise<T> {
  return new Promise((resolve, reject) => {
    client.docker.modem.dial(
      { method: 'GET', options: {}, statusCodes, ...opts },
      (err: DialError | null, res: unknown) => {
        if (!err) return resolve(res as T);
        // Streamed requests carry the engine's message only inside the modem's error text.
        if (!err.json && typeof err.statusCode === 'number') {
          err.json = { message: err.message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim() };
        }
        reject(err);
      },
    );
  });
}

export async function isBerthEngine(client: EngineClient): Promise<boolean> {
  const v = (await client.docker.version()) as { Platform?: { Name?: string } };
  return /\bBerth\b/.test(v.Platform?.Name ?? '');
}
