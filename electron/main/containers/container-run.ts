// `docker run -d` for the run form: checks the request, tells a missing image apart (so the UI can
// pull it with progress, as `docker run` does, then ask again), then creates and starts the container.
import type { RunContainerRequest } from '../../contract/index.ts';
import type { EngineClient } from '../engine/engine-client.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';

const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const volumeNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const restartNames = ['no', 'on-failure', 'always', 'unless-stopped'];

const invalid = (code: string, message: string) => new HandlerError('invalid_argument', code, message);

function validatePorts(ports: NonNullable<RunContainerRequest['ports']>): void {
  const seen = new Set<string>();
  const hostPorts = new Map<string, number>();
  for (const p of ports) {
    for (const n of [p.containerPort, p.hostPort]) {
      if (n !== undefined && !(Number.isInteger(n) && n > 0 && n < 65536)) {
        throw invalid('run.bad_port', `invalid port ${n}: use a number from 1 to 65535`);
      }
    }
    const proto = p.protocol ?? 'tcp';
    const spec = `${p.hostPort ? `${p.hostPort}:` : ''}${p.containerPort}/${proto}`;
    if (seen.has(spec)) throw invalid('run.duplicate_port', `the port mapping ${spec} is listed twice`);
    seen.add(spec);
    if (p.hostPort) {
      const key = `${p.hostPort}/${proto}`;
      const other = hostPorts.get(key);
      if (other !== undefined && other !== p.containerPort) {
        throw invalid(
          'run.duplicate_host_port',
          `host port ${key} is mapped to both container port ${other} and ${p.containerPort}: one host port reaches one container port`,
        );
      }
      hostPorts.set(key, p.containerPort);
    }
  }
}

/** Checks a run request before it reaches the engine, so the UI gets a precise message. */
export function validateRun(req: RunContainerRequest): void {
  if (!req.image?.trim()) throw invalid('run.image_required', 'an image is required');
  if (req.name && !namePattern.test(req.name)) {
    throw invalid('run.bad_name', `invalid container name "${req.name}": use letters, digits, _ . -`);
  }
  for (const e of req.env ?? []) {
    if (!/^[^=\s]+=/.test(e)) throw invalid('run.bad_env', `invalid environment entry "${e}": use KEY=value`);
  }
  validatePorts(req.ports ?? []);
  for (const v of req.volumes ?? []) {
    if (!v.source.startsWith('/') && !volumeNamePattern.test(v.source)) {
      throw invalid(
        'run.bad_volume',
        `invalid volume source "${v.source}": use a volume name or an absolute host path`,
      );
    }
    if (!v.target.startsWith('/') || v.target.includes(':')) {
      throw invalid(
        'run.bad_volume',
        `invalid mount path "${v.target}": it must be absolute in the container`,
      );
    }
  }
  if (req.restart) {
    const { name, maxRetries } = req.restart;
    if (!restartNames.includes(name)) {
      throw invalid('run.bad_restart', `invalid restart policy "${name}": use ${restartNames.join(', ')}`);
    }
    if (maxRetries !== undefined) {
      if (name !== 'on-failure')
        throw invalid('run.bad_restart', `maximum retries apply to on-failure only, not to ${name}`);
      if (!Number.isInteger(maxRetries) || maxRetries < 0)
        throw invalid('run.bad_restart', `invalid maximum retry count ${maxRetries}: use 0 or more`);
    }
  }
}

/** `-p` as the docker CLI sends it: every container port with the list of host ports it is published on. */
export function portBindings(ports: NonNullable<RunContainerRequest['ports']>): {
  exposed: Record<string, object>;
  bindings: Record<string, { HostIp: string; HostPort: string }[]>;
} {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of ports) {
    const key = `${p.containerPort}/${p.protocol ?? 'tcp'}`;
    exposed[key] = {};
    bindings[key] = [
      ...(bindings[key] ?? []),
      { HostIp: '', HostPort: p.hostPort ? String(p.hostPort) : '' },
    ];
  }
  return { exposed, bindings };
}

export function containerRunHandlers(client: EngineClient): Pick<InvokeHandlers, 'containers.run'> {
  return {
    async 'containers.run'(req) {
      validateRun(req);
      const image = req.image.trim();
      try {
        await client.docker.getImage(image).inspect();
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
        throw new HandlerError('not_found', 'run.image_not_found', `Unable to find image '${image}' locally`);
      }
      const { exposed, bindings } = portBindings(req.ports ?? []);
      const created = await client.docker.createContainer({
        Image: image,
        name: req.name || undefined,
        Cmd: req.cmd?.length ? req.cmd : undefined,
        Entrypoint: req.entrypoint?.length ? req.entrypoint : undefined,
        Env: req.env,
        Tty: req.tty ?? false,
        OpenStdin: req.tty ?? false,
        ExposedPorts: exposed,
        HostConfig: {
          PortBindings: bindings,
          Binds: req.volumes?.map((v) => `${v.source}:${v.target}${v.readOnly ? ':ro' : ''}`),
          ...(req.network ? { NetworkMode: req.network } : {}),
          ...(req.restart
            ? { RestartPolicy: { Name: req.restart.name, MaximumRetryCount: req.restart.maxRetries ?? 0 } }
            : {}),
        },
      });
      try {
        await created.start();
      } catch (err) {
        await created.remove({ force: true }).catch(() => undefined);
        throw err;
      }
      return { id: created.id };
    },
  };
}
