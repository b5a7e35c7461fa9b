// Composes the per-domain handler modules. Electron main and web mode both call `createHandlers`.
import { containerHandlers, containerStreams } from './containers.ts';
import { engineHandlers } from './engine.ts';
import { createEngineClient, type EngineClient } from './engine-client.ts';
import type { Handlers } from './handlers.ts';
import { imageHandlers } from './images.ts';
import { resourceHandlers } from './resources.ts';
import { TerminalSessions } from './terminal.ts';

export function createHandlers(client: EngineClient = createEngineClient()): Handlers {
  const terminals = new TerminalSessions(client);
  return {
    invoke: {
      ...engineHandlers(client),
      ...containerHandlers(client),
      ...imageHandlers(client),
      ...resourceHandlers(client),
      ...terminals.invoke(),
    },
    streams: { ...containerStreams(client), ...terminals.streams() },
  };
}

export type { EngineClient } from './engine-client.ts';
export { createEngineClient, resolveEndpoint } from './engine-client.ts';
export type { Handlers } from './handlers.ts';
export { dispatchInvoke, dispatchStream } from './handlers.ts';
