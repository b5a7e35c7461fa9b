// The Kubernetes channels, composed from one module per concern: contexts, live lists (`kube.watch`),
// object detail, workload actions, rollouts, config values. Channels no module answers yet answer
// `unsupported`; a module added later spreads its handlers after the ones here.
import { kubernetesChannels, kubernetesEventChannels } from '../../contract/index.ts';
import type { SettingsStore } from '../app/settings-store.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers, StreamHandlers } from '../ipc/handlers.ts';
import { configValueHandlers } from './config-values.ts';
import { type ActiveContextStore, contextHandlers, KubeContexts, memoryActiveContext } from './contexts.ts';
import { LiveLists, watchStreams } from './live-lists.ts';
import { objectHandlers } from './object-detail.ts';
import { rolloutHandlers } from './rollouts.ts';
import { workloadActionHandlers } from './workload-actions.ts';

type KubeInvoke = Pick<InvokeHandlers, keyof typeof kubernetesChannels>;
type KubeStreams = Pick<StreamHandlers, keyof typeof kubernetesEventChannels>;

const unsupported = async (): Promise<never> => {
  throw new HandlerError('unsupported', 'kube.none', 'Kubernetes is not wired in this build');
};

/** The app's active context, kept in its settings file. */
export function settingsActiveContext(settings: SettingsStore): ActiveContextStore {
  return {
    get: async () => (await settings.read()).kubeContext,
    set: async (context) => {
      await settings.update({ kubeContext: context });
    },
  };
}

export interface KubernetesOptions {
  /** Whose KUBECONFIG and HOME to read: the app's (Electron's or the web server's) process env. */
  env?: NodeJS.ProcessEnv;
  /** Where the active context is kept; memory without one (tests, handlers without app services). */
  settings?: SettingsStore;
}

/** The domain's shared state: the kubeconfig's contexts and the open live lists. */
export class Kubernetes {
  readonly contexts: KubeContexts;
  readonly lists: LiveLists;

  constructor(o: KubernetesOptions = {}) {
    this.contexts = new KubeContexts({
      env: o.env ?? process.env,
      active: o.settings ? settingsActiveContext(o.settings) : memoryActiveContext(),
    });
    this.lists = new LiveLists(this.contexts);
  }

  /** Closes every live list (their watches) when the app quits. */
  dispose(): void {
    this.lists.closeAll();
  }
}

export function kubernetesHandlers(k: Kubernetes = new Kubernetes()): KubeInvoke {
  const fallback = Object.fromEntries(Object.keys(kubernetesChannels).map((c) => [c, unsupported]));
  return {
    ...(fallback as unknown as KubeInvoke),
    ...contextHandlers(k.contexts),
    ...objectHandlers(k.contexts),
    ...workloadActionHandlers(k.contexts),
    ...rolloutHandlers(k.contexts),
    ...configValueHandlers(k.contexts),
  };
}

export function kubernetesStreams(k: Kubernetes = new Kubernetes()): KubeStreams {
  const fallback = Object.fromEntries(Object.keys(kubernetesEventChannels).map((c) => [c, unsupported]));
  return {
    ...(fallback as unknown as KubeStreams),
    ...watchStreams(k.lists),
  };
}
