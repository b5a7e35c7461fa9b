import { isEngineError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { ContainerOperations } from '../services/containers/operations.ts';
import type { ImageRuntimeConfig } from '../storage/image-config.ts';

export interface RunStep {
  imageId: string;
  argv: string[];
  /** Build arguments, visible to the command but not kept in the image. */
  env: string[];
  user: string;
  workdir: string;
  /** Called with the container's ID once it exists (so a failing build can remove it). */
  created: (id: string) => void;
  output: (text: string, stream: 'stdout' | 'stderr') => void;
  /** Aborts when the client went away: the command is killed. */
  signal?: AbortSignal;
}

/** Marks RUN containers, so that those of a build that died with berthd are removed at start-up. */
export const buildStepLabel = 'com.berth.build-step';

/**
 * Runs one RUN command in a container of the step's parent image, without network, streaming its
 * output; resolves with its exit code once the container has exited (its upper dir stays for commit).
 */
export async function runStep(containers: ContainerOperations, step: RunStep): Promise<number> {
  const { Id } = await containers.create({
    config: {
      Image: step.imageId,
      Cmd: step.argv,
      Entrypoint: [],
      Env: step.env,
      User: step.user,
      WorkingDir: step.workdir,
      Healthcheck: { Test: ['NONE'] },
      Labels: { [buildStepLabel]: 'true' },
      HostConfig: { NetworkMode: 'none', LogConfig: { Type: 'k8s-file', Config: {} } },
    },
  });
  step.created(Id);
  const { exited } = await containers.wait(Id, 'next-exit');
  await containers.start(Id);
  const kill = () => void containers.kill(Id, 'SIGKILL').catch(() => undefined);
  step.signal?.addEventListener('abort', kill, { once: true });
  exited.finally(() => step.signal?.removeEventListener('abort', kill));
  if (step.signal?.aborted) kill();
  for await (const e of containers.logs(Id, { follow: true })) step.output(e.text, e.stream);
  return (await exited).StatusCode;
}

/**
 * The container of a metadata step, created and never started, as dockerd makes one: its ID is what
 * " ---> Running in" names and what `--rm=false` leaves. A scratch stage has no image to make one
 * from, so its steps get an ID alone.
 */
export async function createStepContainer(
  containers: ContainerOperations,
  imageId: string | undefined,
  rt: ImageRuntimeConfig,
  cmd: string[],
): Promise<string> {
  if (!imageId) return newId();
  const { Id } = await containers.create({
    config: {
      Image: imageId,
      Cmd: cmd,
      Entrypoint: rt.Entrypoint ?? [],
      Env: rt.Env ?? [],
      User: rt.User ?? '',
      WorkingDir: rt.WorkingDir ?? '',
      Healthcheck: { Test: ['NONE'] },
      Labels: { ...(rt.Labels ?? {}), [buildStepLabel]: 'true' },
      HostConfig: { NetworkMode: 'none', LogConfig: { Type: 'k8s-file', Config: {} } },
    },
  });
  return Id;
}

export async function removeStepContainer(containers: ContainerOperations, id: string): Promise<void> {
  await containers.remove(id, { force: true, volumes: true }).catch((err) => {
    // The ID of a scratch stage's step names no container.
    if (!isEngineError(err, 'not-found')) throw err;
  });
}
