// Configmaps' and secrets' values, fetched only when the user asks (lists carry keys alone): a secret's
// value decoded from base64, flagged (and left in base64) when it is not text.

import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';
import type { KubeContexts } from './contexts.ts';
import { kubeCall } from './problems.ts';
import { kubeResources, objectPath } from './resources.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text is valid UTF-8 without control characters other than tab and line breaks. */
export function decodeSecretValue(b64: string): { value: string; binary: boolean } {
  const bytes = Buffer.from(b64, 'base64');
  try {
    const text = utf8.decode(bytes);
    if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return { value: text, binary: false };
  } catch {}
  return { value: bytes.toString('base64'), binary: true };
}

export function configValueHandlers(
  k: KubeContexts,
): Pick<InvokeHandlers, 'kube.secretValue' | 'kube.configMapData'> {
  return {
    'kube.secretValue': ({ context, namespace, name, key }) =>
      kubeCall(async () => {
        const client = await k.client(context);
        const s = await client.request<{ data?: Record<string, string> }>(
          'GET',
          objectPath(kubeResources.secrets, namespace, name),
        );
        const b64 = s.data?.[key];
        if (b64 === undefined) {
          throw new HandlerError(
            'not_found',
            'kube.key_not_found',
            `the secret ${namespace}/${name} has no key ${key}`,
          );
        }
        return decodeSecretValue(b64);
      }),
    'kube.configMapData': ({ context, namespace, name }) =>
      kubeCall(async () => {
        const client = await k.client(context);
        const cm = await client.request<{
          data?: Record<string, string>;
          binaryData?: Record<string, string>;
        }>('GET', objectPath(kubeResources.configmaps, namespace, name));
        // binaryData stays base64, as the API holds it.
        return { ...(cm.binaryData ?? {}), ...(cm.data ?? {}) };
      }),
  };
}
