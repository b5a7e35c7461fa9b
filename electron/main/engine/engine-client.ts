// EngineClient: the one place that knows how to reach a Docker Engine API endpoint (berthd or any
// Docker engine). Handlers take it as a seam; tests give it a real berthd on a temp socket.
import { existsSync } from 'node:fs';
import Docker from 'dockerode';

export interface EngineClient {
  readonly docker: Docker;
  /** Human-readable endpoint, e.g. `unix:///run/berth/docker.sock`. */
  readonly endpoint: string;
}

/** Default endpoints in order of preference when DOCKER_HOST is not set. */
export const defaultSockets = ['/run/berth/docker.sock', '/var/run/docker.sock'];

export function resolveEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  const found = defaultSockets.find((s) => existsSync(s)) ?? defaultSockets[0];
  return `unix://${found}`;
}

export function createEngineClient(endpoint: string = resolveEndpoint()): EngineClient {
  if (endpoint.startsWith('unix://')) {
    return { docker: new Docker({ socketPath: endpoint.slice('unix://'.length) }), endpoint };
  }
  if (endpoint.startsWith('/')) {
    return { docker: new Docker({ socketPath: endpoint }), endpoint: `unix://${endpoint}` };
  }
  const url = new URL(endpoint.replace(/^tcp:/, 'http:'));
  return {
    docker: new Docker({
      host: url.hostname,
      port: Number(url.port || 2375),
      protocol: url.protocol === 'https:' ? 'https' : 'http',
    }),
    endpoint,
  };
}
