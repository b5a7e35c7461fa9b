import type { EngineInfo } from '../contract/index.ts';
import type { EngineClient } from './engine-client.ts';
import type { InvokeHandlers } from './handlers.ts';

export function engineHandlers(client: EngineClient): Pick<InvokeHandlers, 'engine.info'> {
  return {
    async 'engine.info'(): Promise<EngineInfo> {
      const [version, info] = await Promise.all([client.docker.version(), client.docker.info()]);
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
