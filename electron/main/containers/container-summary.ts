// One row of the containers list from the engine's `GET /containers/json` entry.
import type { ContainerHealth, ContainerState, ContainerSummary } from '../../contract/index.ts';

const states: readonly ContainerState[] = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
];

function toState(s: string): ContainerState {
  return (states as readonly string[]).includes(s) ? (s as ContainerState) : 'dead';
}

/** The part of the engine's list entry read here (API 1.52 adds `Health`; older engines say it in Status). */
export interface EngineContainerEntry {
  Id: string;
  Names?: string[];
  Image: string;
  State: string;
  Status: string;
  Created: number;
  Ports?: { PrivatePort: number; PublicPort?: number; Type: string; IP?: string }[];
  Labels?: Record<string, string>;
  Health?: { Status?: string };
}

/** "Up 3 minutes (unhealthy)", "Up 1 second (health: starting)": dockerd's and berthd's wording. */
export function healthOf(e: Pick<EngineContainerEntry, 'Status' | 'Health'>): ContainerHealth | undefined {
  const h = e.Health?.Status ?? /\((healthy|unhealthy|health: starting)\)/.exec(e.Status)?.[1];
  if (h === 'healthy' || h === 'unhealthy') return h;
  if (h === 'starting' || h === 'health: starting') return 'starting';
  return undefined;
}

/** "Exited (137) 2 minutes ago", "Restarting (1) 3 seconds ago". */
export function exitCodeOf(status: string): number | undefined {
  const m = /^(?:Exited|Restarting) \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : undefined;
}

export function toSummary(x: EngineContainerEntry): ContainerSummary {
  const labels = x.Labels ?? {};
  const health = healthOf(x);
  const exitCode = exitCodeOf(x.Status);
  const service = labels['com.docker.compose.service'];
  const workingDir = labels['com.docker.compose.project.working_dir'];
  return {
    id: x.Id,
    name: (x.Names?.[0] ?? x.Id.slice(0, 12)).replace(/^\//, ''),
    image: x.Image,
    state: toState(x.State),
    status: x.Status,
    created: x.Created,
    ports: (x.Ports ?? []).map((p) => ({
      privatePort: p.PrivatePort,
      publicPort: p.PublicPort,
      type: p.Type,
      ip: p.IP,
    })),
    composeProject: labels['com.docker.compose.project'],
    ...(health ? { health } : {}),
    ...(exitCode !== undefined ? { exitCode } : {}),
    ...(service ? { composeService: service } : {}),
    ...(workingDir ? { composeWorkingDir: workingDir } : {}),
  };
}
