import type { EngineInfo } from '../contract/index.ts';
import type { EngineClient } from './engine-client.ts';
import { HandlerError } from './errors.ts';
import type { InvokeHandlers } from './handlers.ts';
import type { ManagedEngine } from './managed-engine.ts';

/**
 * `managed`: the berthd the app starts itself, if any. While it is starting, an engine that does not
 * answer yet is reported as starting (`engine.starting`), not as unreachable.
 */
export function engineHandlers(
  client: EngineClient,
  managed?: ManagedEngine | null,
): Pick<InvokeHandlers, 'engine.info'> {
  return {
    async 'engine.info'(): Promise<EngineInfo> {
      const [version, info] = await Promise.all([client.docker.version(), client.docker.info()]).catch(
        (err: unknown) => {
          if (managed && managed.endpoint === client.endpoint && managed.info().starting)
            throw new HandlerError(
              'unreachable',
              'engine.starting',
              `Berth is starting its engine (berthd) at ${managed.endpoint}.`,
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
  };
}
