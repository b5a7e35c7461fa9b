// Composes the per-domain handler modules. Electron main and web mode both call `createHandlers`.
import type { AppServices } from './app/app-services.ts';
import { type AppShell, appShellHandlers } from './app/app-shell.ts';
import { settingsHandlers } from './app/settings.ts';
import { troubleshootHandlers } from './app/troubleshoot.ts';
import { engineRemovals, PendingRemovals } from './containers/container-removals.ts';
import { containerRunHandlers } from './containers/container-run.ts';
import { containerHandlers, containerStreams } from './containers/containers.ts';
import { engineHandlers } from './engine/engine.ts';
import { createEngineClient, type EngineClient } from './engine/engine-client.ts';
import { containerFileHandlers } from './files/container-file-handlers.ts';
import { Transfers } from './files/transfers.ts';
import { imageTransferStreams } from './images/image-transfers.ts';
import { imageHandlers } from './images/images.ts';
import { RegistryCredentials } from './images/registry-auth.ts';
import type { Handlers } from './ipc/handlers.ts';
import { kubeIo } from './kubernetes/kube-io.ts';
import { Kubernetes, kubernetesHandlers, kubernetesStreams } from './kubernetes/kubernetes.ts';
import { podExecSpawner } from './kubernetes/pod-exec.ts';
import { machineHandlers, machineStreams } from './machine/machine.ts';
import { networkHandlers } from './networks/networks.ts';
import { TerminalSessions } from './terminals/terminal.ts';
import { volumeHandlers } from './volumes/volumes.ts';

/**
 * `shell`: the desktop shell's abilities (Electron); web mode has none. `app`: settings, start at login
 * and the managed engine; `client` is then `app.engine`. Without it the settings channels answer
 * `unsupported`.
 */
export function createHandlers(
  client: EngineClient = createEngineClient(),
  shell?: AppShell,
  app?: AppServices,
): Handlers {
  const io = kubeIo(app);
  const terminals = new TerminalSessions(client, { spawnPod: podExecSpawner(io.configFor) });
  const removals = new PendingRemovals(engineRemovals(client));
  const credentials = new RegistryCredentials();
  const transfers = new Transfers();
  const kube = new Kubernetes(app ? { settings: app.settings } : {});
  return {
    transfers,
    invoke: {
      ...engineHandlers(client, app?.managed, app?.machine),
      ...containerHandlers(client, removals),
      ...containerRunHandlers(client),
      ...containerFileHandlers(client, transfers),
      ...imageHandlers(client, credentials),
      ...volumeHandlers(client, transfers),
      ...networkHandlers(client),
      ...appShellHandlers(shell),
      ...transfers.handlers(shell?.chooseSavePath && ((name) => shell.chooseSavePath!(name))),
      ...terminals.invoke(),
      ...settingsHandlers(app),
      ...troubleshootHandlers(app),
      ...machineHandlers(app?.machine ?? undefined),
      ...kubernetesHandlers(kube),
      ...io.invoke,
    },
    streams: {
      ...containerStreams(client, removals),
      ...imageTransferStreams(client, credentials),
      ...terminals.streams(),
      ...machineStreams(app?.machine ?? undefined),
      ...kubernetesStreams(kube),
      ...io.streams,
    },
    // Removals the user confirmed still happen when the app quits before their undo time is up.
    dispose: async () => {
      kube.dispose();
      await Promise.all([removals.flush(), terminals.closeAll(), io.dispose()]);
    },
  };
}

export type { AppServices } from './app/app-services.ts';
export { createAppServices, startMachineOnLaunch, startManagedEngine } from './app/app-services.ts';
export type { AppShell } from './app/app-shell.ts';
export type { EngineClient } from './engine/engine-client.ts';
export { createEngineClient, resolveEndpoint } from './engine/engine-client.ts';
export type { Handlers } from './ipc/handlers.ts';
export { dispatchInvoke, dispatchStream } from './ipc/handlers.ts';
