// Composes the per-domain handler modules. Electron main and web mode both call `createHandlers`.
import type { AppServices } from './app-services.ts';
import { type AppShell, appShellHandlers } from './app-shell.ts';
import { containerFileHandlers } from './container-file-handlers.ts';
import { engineRemovals, PendingRemovals } from './container-removals.ts';
import { containerRunHandlers } from './container-run.ts';
import { containerHandlers, containerStreams } from './containers.ts';
import { engineHandlers } from './engine.ts';
import { createEngineClient, type EngineClient } from './engine-client.ts';
import type { Handlers } from './handlers.ts';
import { imageTransferStreams } from './image-transfers.ts';
import { imageHandlers } from './images.ts';
import { networkHandlers } from './networks.ts';
import { RegistryCredentials } from './registry-auth.ts';
import { settingsHandlers } from './settings.ts';
import { TerminalSessions } from './terminal.ts';
import { Transfers } from './transfers.ts';
import { troubleshootHandlers } from './troubleshoot.ts';
import { volumeHandlers } from './volumes.ts';

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
  const terminals = new TerminalSessions(client);
  const removals = new PendingRemovals(engineRemovals(client));
  const credentials = new RegistryCredentials();
  const transfers = new Transfers();
  return {
    transfers,
    invoke: {
      ...engineHandlers(client, app?.managed),
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
    },
    streams: {
      ...containerStreams(client, removals),
      ...imageTransferStreams(client, credentials),
      ...terminals.streams(),
    },
    // Removals the user confirmed still happen when the app quits before their undo time is up.
    dispose: async () => {
      await Promise.all([removals.flush(), terminals.closeAll()]);
    },
  };
}

export type { AppServices } from './app-services.ts';
export { createAppServices, startManagedEngine } from './app-services.ts';
export type { AppShell } from './app-shell.ts';
export type { EngineClient } from './engine-client.ts';
export { createEngineClient, resolveEndpoint } from './engine-client.ts';
export type { Handlers } from './handlers.ts';
export { dispatchInvoke, dispatchStream } from './handlers.ts';
