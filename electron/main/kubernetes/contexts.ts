// The contexts the app can show and the one it shows. The active context is the app's own choice, kept
// in its settings (never in the kubeconfig); `kube.useContext` is the one thing that writes the
// kubeconfig, and only its current-context.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeContextsView } from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';
import { KubeClient } from './kube-client.ts';
import {
  configFor,
  contextViews,
  type KubeconfigSet,
  readKubeconfigs,
  writeCurrentContext,
} from './kubeconfig-files.ts';

/** Where the app keeps its active context: the settings file in the app, memory in tests. */
export interface ActiveContextStore {
  get(): Promise<string | undefined>;
  set(context: string): Promise<void>;
}

export function memoryActiveContext(): ActiveContextStore {
  let active: string | undefined;
  return {
    get: async () => active,
    set: async (c) => {
      active = c;
    },
  };
}

export interface KubeContextsOptions {
  /** Whose KUBECONFIG and HOME to read (the app's process env). */
  env: NodeJS.ProcessEnv;
  active: ActiveContextStore;
}

/** Reads the kubeconfig afresh on each use, so a context the user adds with kubectl shows up. */
export class KubeContexts {
  constructor(private readonly o: KubeContextsOptions) {}

  read(): Promise<KubeconfigSet> {
    return readKubeconfigs(this.o.env);
  }

  async view(set?: KubeconfigSet): Promise<KubeContextsView> {
    const s = set ?? (await this.read());
    const contexts = contextViews(s);
    const chosen = await this.o.active.get();
    const has = (n: string | null | undefined) => !!n && contexts.some((c) => c.name === n);
    const active = has(chosen) ? chosen! : has(s.current) ? s.current! : (contexts[0]?.name ?? null);
    return { contexts, active, files: s.files, ...(s.error ? { error: s.error } : {}) };
  }

  /**
   * client-node's KubeConfig with `context` current (for its Exec, PortForward, Log and object APIs);
   * a context the kubeconfig does not have is `not_found`.
   */
  async config(context: string): Promise<KubeConfig> {
    const set = await this.read();
    const kc = configFor(set, context);
    if (!kc) {
      const why = set.error ? ` (${set.error})` : '';
      throw new HandlerError(
        'not_found',
        'kube.context_not_found',
        `the kubeconfig has no context ${context}${why}`,
      );
    }
    return kc;
  }

  /** A JSON client for `context` (lists, watches, gets and patches). */
  async client(context: string): Promise<KubeClient> {
    return new KubeClient(context, await this.config(context));
  }

  async setActive(context: string): Promise<KubeContextsView> {
    const set = await this.read();
    if (!set.contexts.some((c) => c.name === context)) {
      throw new HandlerError(
        'not_found',
        'kube.context_not_found',
        `the kubeconfig has no context ${context}`,
      );
    }
    await this.o.active.set(context);
    return this.view(set);
  }

  async useContext(context: string): Promise<KubeContextsView> {
    const set = await this.read();
    if (!set.contexts.some((c) => c.name === context)) {
      throw new HandlerError(
        'not_found',
        'kube.context_not_found',
        `the kubeconfig has no context ${context}`,
      );
    }
    try {
      await writeCurrentContext(set, context);
    } catch (err) {
      throw new HandlerError(
        'internal',
        'kube.kubeconfig_write',
        `cannot write the kubeconfig: ${(err as Error).message}`,
      );
    }
    return this.view();
  }
}

type ContextChannels = 'kube.contexts' | 'kube.setActiveContext' | 'kube.useContext';

export function contextHandlers(k: KubeContexts): Pick<InvokeHandlers, ContextChannels> {
  return {
    'kube.contexts': () => k.view(),
    'kube.setActiveContext': ({ context }) => k.setActive(context),
    'kube.useContext': ({ context }) => k.useContext(context),
  };
}
