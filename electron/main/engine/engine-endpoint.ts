// Which Docker endpoint the app talks to, and changing it while the app runs: handlers hold one
// SwitchableEngineClient and ask it for `docker` on every call, so a switch takes effect at once
// (streams already open finish on the endpoint they started on).
import type Docker from 'dockerode';
import type { SettingsView } from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';
import { createEngineClient, type EngineClient, resolveEndpoint } from './engine-client.ts';

export type DefaultEndpoint = SettingsView['defaultEndpoint'];

export const berthSocket = '/run/berth/docker.sock';

/** DOCKER_HOST when set; else the berthd the app manages; else whichever standard socket exists. */
export function defaultEndpoint(env: NodeJS.ProcessEnv, managedEndpoint?: string): DefaultEndpoint {
  if (env.DOCKER_HOST) return { endpoint: normalizeEndpoint(env.DOCKER_HOST), source: 'DOCKER_HOST' };
  if (managedEndpoint) return { endpoint: managedEndpoint, source: 'berth' };
  const endpoint = resolveEndpoint({ ...env, DOCKER_HOST: '' });
  return { endpoint, source: endpoint === `unix://${berthSocket}` ? 'berth' : 'docker' };
}

/** `unix:///abs/path` (or a bare absolute path), `tcp://host:port`, `http(s)://host:port`. */
export function normalizeEndpoint(raw: string): string {
  const s = raw.trim();
  const bad = (why: string) =>
    new HandlerError('invalid_argument', 'endpoint.invalid', `"${s}" is not a Docker endpoint: ${why}`);
  if (!s) throw bad('it is empty');
  if (s.startsWith('/')) return `unix://${s}`;
  if (s.startsWith('unix://')) {
    if (!s.slice('unix://'.length).startsWith('/')) throw bad('a unix socket needs an absolute path');
    return s;
  }
  if (/^(tcp|http|https):\/\//.test(s)) {
    let url: URL;
    try {
      url = new URL(s.replace(/^tcp:/, 'http:'));
    } catch {
      throw bad('the address does not parse');
    }
    if (!url.hostname) throw bad('it names no host');
    return s;
  }
  throw bad('use unix:///path/to/docker.sock or tcp://host:port');
}

/** Resolves when the endpoint answers Docker's /_ping; throws an `unreachable` error saying why not. */
export async function pingEndpoint(endpoint: string, timeoutMs = 3000): Promise<void> {
  const client = createEngineClient(endpoint);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([client.docker.ping(), timeout]);
  } catch (err) {
    const why = (err as { message?: string }).message ?? String(err);
    throw new HandlerError('unreachable', 'endpoint.no_answer', `${endpoint} does not answer: ${why}`);
  } finally {
    clearTimeout(timer);
  }
}

export class SwitchableEngineClient implements EngineClient {
  private client: EngineClient;

  constructor(endpoint: string) {
    this.client = createEngineClient(endpoint);
  }

  get docker(): Docker {
    return this.client.docker;
  }

  get endpoint(): string {
    return this.client.endpoint;
  }

  switchTo(endpoint: string): void {
    if (endpoint !== this.client.endpoint) this.client = createEngineClient(endpoint);
  }
}
