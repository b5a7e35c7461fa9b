// A KubeConfig for one context, built at once from the user's kubeconfig as kubeconfig-files reads it
// (kubectl's merge of $KUBECONFIG's files, else ~/.kube/config; paths made absolute), with the
// context made current; the files are never written. Berth's own admin kubeconfig stands in for the
// `berth` context before it is merged.
import type { KubeConfig } from '@kubernetes/client-node';
import { HandlerError } from '../ipc/errors.ts';
import { configFor, readKubeconfigsSync } from './kubeconfig-files.ts';

/** Whether the user's kubeconfig names `context`. */
export function hasContext(context: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return readKubeconfigsSync(env).contexts.some((c) => c.name === context);
}

/**
 * The KubeConfig to reach `context`. `fallbacks` are kubeconfig files tried when the user's do not name
 * the context (Berth's own admin kubeconfig, for the `berth` context before it is merged).
 */
export function kubeConfigFor(
  context: string,
  env: NodeJS.ProcessEnv = process.env,
  fallbacks: string[] = [],
): KubeConfig {
  if (typeof context !== 'string' || !context)
    throw new HandlerError('invalid_argument', 'kube.bad_request', 'the context must be a non-empty string');
  const set = readKubeconfigsSync(env);
  const kc = configFor(set, context);
  if (kc) return kc;
  for (const file of fallbacks) {
    const other = configFor(readKubeconfigsSync({ KUBECONFIG: file }), context);
    if (other) return other;
  }
  const why = set.error ? ` (${set.error})` : '';
  throw new HandlerError(
    'not_found',
    'kube.context_not_found',
    `the kubeconfig has no context ${context}${why}`,
  );
}

/** The context's default namespace (its `namespace`), else `default`. */
export function contextNamespace(kc: KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
}
