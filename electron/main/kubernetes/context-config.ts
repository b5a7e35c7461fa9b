// A KubeConfig for one context of the user's kubeconfig, read as kubectl reads it: the files of
// $KUBECONFIG (the first file to name an entry wins, and the first current-context), else
// ~/.kube/config. The copy has the context made current; the files are never written.
//
// (kube-io's own small helper; kube-main keeps the contexts list, and the two may become one.)
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Cluster, type Context, KubeConfig, type User } from '@kubernetes/client-node';
import { HandlerError } from '../ipc/errors.ts';

/** The kubeconfig files kubectl reads, in order. */
export function kubeconfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.KUBECONFIG) return env.KUBECONFIG.split(path.delimiter).filter(Boolean);
  return [path.join(env.HOME || os.homedir(), '.kube', 'config')];
}

/** Every file's entries merged as kubectl merges them (missing files are skipped, as kubectl does). */
export function loadKubeconfig(env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let current = '';
  for (const file of kubeconfigFiles(env)) {
    if (!existsSync(file)) continue;
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(file);
    } catch (err) {
      throw new HandlerError('invalid_argument', 'kube.bad_kubeconfig', `cannot read ${file}: ${msg(err)}`);
    }
    for (const c of kc.getClusters()) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.getUsers()) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of kc.getContexts()) if (!contexts.has(c.name)) contexts.set(c.name, c);
    current ||= kc.getCurrentContext();
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
    currentContext: current,
  });
  return kc;
}

/**
 * The KubeConfig to reach `context`. `fallbacks` are kubeconfigs tried when the user's files do not name
 * the context (Berth's own admin kubeconfig, for the `berth` context before it is merged).
 */
export function kubeConfigFor(
  context: string,
  env: NodeJS.ProcessEnv = process.env,
  fallbacks: string[] = [],
): KubeConfig {
  if (typeof context !== 'string' || !context)
    throw new HandlerError('invalid_argument', 'kube.bad_request', 'the context must be a non-empty string');
  const kc = loadKubeconfig(env);
  if (kc.getContextObject(context)) {
    kc.setCurrentContext(context);
    return kc;
  }
  for (const file of fallbacks) {
    if (!existsSync(file)) continue;
    const other = new KubeConfig();
    try {
      other.loadFromFile(file);
    } catch {
      continue;
    }
    if (other.getContextObject(context)) {
      other.setCurrentContext(context);
      return other;
    }
  }
  throw new HandlerError('not_found', 'kube.no_context', `no context "${context}" in the kubeconfig`);
}

/** The context's default namespace (its `namespace`), else `default`. */
export function contextNamespace(kc: KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
}

const msg = (err: unknown) => (err instanceof Error ? err.message : String(err));
