import type { EngineInfo, PruneReport } from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';
import type { MachineService } from '../machine/machine-service.ts';
import type { ManagedEngine } from '../managed-engine/managed-engine.ts';
import type { EngineClient } from './engine-client.ts';
import { diskUsageRows, ResourceSampler, type SystemDf } from './engine-usage.ts';

type EngineChannels =
  | 'engine.info'
  | 'engine.status'
  | 'engine.resources'
  | 'engine.diskUsage'
  | 'engine.prune';

/**
 * `managed`: the berthd the app starts itself, if any. While it is starting, an engine that does not
 * answer yet is reported as starting (`engine.starting`), not as unreachable.
 */
export function engineHandlers(
  client: EngineClient,
  managed?: ManagedEngine | null,
  machine?: Pick<MachineService, 'inUse' | 'state'> | null,
): Pick<InvokeHandlers, EngineChannels> {
  const ours = () => (managed && managed.endpoint === client.endpoint ? managed : null);
  const sampler = new ResourceSampler(client);
  return {
    async 'engine.info'(): Promise<EngineInfo> {
      const [version, info] = await Promise.all([client.docker.version(), client.docker.info()]).catch(
        (err: unknown) => {
          const m = ours();
          if (m?.info().starting)
            throw new HandlerError(
              'unreachable',
              'engine.starting',
              `Berth is starting its engine (berthd) at ${m.endpoint}.`,
            );
          // The machine's engine does not answer because the machine is not up: say that, not ECONNREFUSED.
          if (machine?.inUse && machine.state === 'starting')
            throw new HandlerError(
              'unreachable',
              'engine.starting',
              'Berth is starting its machine; its boot shows on the dashboard.',
            );
          if (machine?.inUse && (machine.state === 'stopped' || machine.state === 'error'))
            throw new HandlerError(
              'unreachable',
              'machine.not_running',
              machine.state === 'error'
                ? "Berth's machine stopped with an error; the dashboard says why."
                : "Berth's machine, which runs the engine, is stopped.",
            );
          throw err;
        },
      );
      return {
        reachable: true,
        endpoint: client.endpoint,
        version: version.Version,
        apiVersion: version.ApiVersion,
        os: version.Os,
        arch: version.Arch,
        kernelVersion: version.KernelVersion ?? info.KernelVersion ?? '',
        containers: info.Containers ?? 0,
        containersRunning: info.ContainersRunning ?? 0,
        containersPaused: info.ContainersPaused ?? 0,
        containersStopped: info.ContainersStopped ?? 0,
        images: info.Images ?? 0,
      };
    },
    async 'engine.status'() {
      return { endpoint: client.endpoint, managed: ours()?.info() ?? null };
    },
    'engine.resources': () => sampler.sample(),
    async 'engine.diskUsage'() {
      return diskUsageRows((await client.docker.df()) as SystemDf);
    },
    async 'engine.prune'(): Promise<PruneReport> {
      // In the order `docker system prune` goes: what stopped containers held is free for the rest.
      const { docker } = client;
      const containers = await docker.pruneContainers();
      const networks = await docker.pruneNetworks();
      const images = await docker.pruneImages();
      const cache = await docker.pruneBuilder();
      return {
        containers: containers.ContainersDeleted ?? [],
        networks: networks.NetworksDeleted ?? [],
        images: (images.ImagesDeleted ?? []).flatMap((i) => (i.Deleted ? [i.Deleted] : [])),
        spaceReclaimed:
          (containers.SpaceReclaimed ?? 0) + (images.SpaceReclaimed ?? 0) + (cache.SpaceReclaimed ?? 0),
      };
    },
  };
}
