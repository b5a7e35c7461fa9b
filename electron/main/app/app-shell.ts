// What only the desktop shell can do for the UI. Electron passes its `shell`; web mode passes nothing,
// since the browser showing the UI opens links itself.
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';

export interface AppShell {
  openExternal(url: string): Promise<void>;
  /** Asks where to save a download (a save dialog); null when the user cancelled. */
  chooseSavePath?(suggestedName: string): Promise<string | null>;
}

/** Only web pages: never file:, javascript: or an app's own scheme. */
export function checkExternalUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HandlerError('invalid_argument', 'app.bad_url', `not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new HandlerError('invalid_argument', 'app.bad_url', `only http and https links open: ${url}`);
  }
  return parsed.href;
}

export function appShellHandlers(shell?: AppShell): Pick<InvokeHandlers, 'app.openExternal'> {
  return {
    async 'app.openExternal'({ url }) {
      const href = checkExternalUrl(url);
      if (!shell) {
        throw new HandlerError(
          'unsupported',
          'app.no_shell',
          'web mode: the browser opens links itself, the server does not',
        );
      }
      await shell.openExternal(href);
    },
  };
}
