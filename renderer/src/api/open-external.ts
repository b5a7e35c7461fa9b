// Opens a link in the user's browser: through main's shell in Electron (the sandboxed window opens
// nothing itself), or as a new tab in web mode, where the UI already is a browser page.
import type { ContractError } from '../../../electron/contract/index.ts';
import { api } from './client.ts';

export async function openExternal(url: string): Promise<ContractError | null> {
  if (window.berth) {
    const r = await api().invoke('app.openExternal', { url });
    return r.ok ? null : r.error;
  }
  window.open(url, '_blank', 'noopener,noreferrer');
  return null;
}
