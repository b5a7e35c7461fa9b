// The Kubernetes channels that move things in and out of a cluster: apply, pod logs, port-forwards and
// Berth's own cluster (pod terminals are the terminal sessions' `pod` target). Composed over the
// domain's other handlers in kubernetes.ts.
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { nativeRoots, savedProvider } from '../../../vm/cli/launch.ts';
import { cliPaths } from '../../../vm/cli/paths.ts';
import type { AppServices } from '../app/app-services.ts';
import type { InvokeHandlers, StreamHandlers } from '../ipc/handlers.ts';
import { applyInContext } from './apply.ts';
import { BerthCluster, type ClusterEngine } from './cluster.ts';
import { kubeConfigFor } from './context-config.ts';
import { berthContext } from './kubeconfig-files.ts';
import { podLogStream } from './logs.ts';
import { PortForwards } from './port-forward.ts';
import { clusterForwardBackend } from './port-forward-backend.ts';

type IoInvoke = Pick<
  InvokeHandlers,
  | 'kube.apply'
  | 'kube.portForwards'
  | 'kube.portForward'
  | 'kube.stopPortForward'
  | 'kube.cluster'
  | 'kube.setClusterEnabled'
  | 'kube.resetCluster'
  | 'kube.mergeKubeconfig'
>;
type IoStreams = Pick<StreamHandlers, 'kube.logs' | 'kube.portForwardList'>;

/** How the app reaches the engine that runs Berth's cluster: the machine, its own berthd, or neither. */
export function clusterEngine(app: AppServices | undefined, env: NodeJS.ProcessEnv): ClusterEngine {
  const machine = app?.machine;
  if (machine?.inUse) {
    let provider: string | null = null;
    const home = cliPaths(env).home;
    const engine: ClusterEngine = {
      enabled: async () => (await machine.settings()).kubernetes,
      setEnabled: async (on) => {
        await machine.updateSettings({ kubernetes: on });
        if (machine.state === 'running') await machine.restart();
      },
      starting: () => machine.state === 'starting',
      // In a VM, the agent has the guest wipe the state (the native provider's is a folder here).
      resetState: () => machine.resetCluster(),
      whileStopped: null,
      dataRoot: null,
      why: 'the cluster runs in the machine’s VM',
    };
    // The native provider runs berthd on this host: its data root is a folder here.
    void savedProvider(home).then((p) => {
      provider = p;
      if (provider !== 'native') return;
      engine.dataRoot = nativeRoots(env).dataRoot;
      delete engine.resetState;
      engine.whileStopped = async (work) => {
        const wasUp = machine.state === 'running' || machine.state === 'starting';
        await machine.stop();
        try {
          await work();
        } finally {
          if (wasUp) await machine.start();
        }
      };
      delete engine.why;
    });
    return engine;
  }
  const managed = app?.managed;
  const dataRoot = managed
    ? env.BERTH_ENGINE_DATA_ROOT || '/var/lib/berth'
    : env.BERTH_NATIVE_ROOT
      ? nativeRoots(env).dataRoot
      : null;
  const admin = dataRoot ? path.join(dataRoot, 'kubernetes', 'admin.kubeconfig') : null;
  return {
    // Without a machine there is no setting: the cluster is on when its context can be reached.
    enabled: async () => {
      try {
        kubeConfigFor(berthContext, env, admin ? [admin] : []);
        return true;
      } catch {
        return false;
      }
    },
    setEnabled: null,
    starting: () => false,
    whileStopped: managed
      ? async (work) => {
          await managed.stop();
          try {
            await work();
          } finally {
            await managed.start();
          }
        }
      : null,
    dataRoot,
    why: managed
      ? 'the app runs its own berthd (not the machine): start it with --kubernetes to have a cluster'
      : 'the app uses an engine it does not manage (DOCKER_HOST or another endpoint), so it cannot restart it',
  };
}

export interface KubeIo {
  /** The KubeConfig of a context (Berth's admin kubeconfig for `berth` before it is merged). */
  configFor(context: string): KubeConfig;
  invoke: IoInvoke;
  streams: IoStreams;
  dispose(): Promise<void>;
}

export function kubeIo(app?: AppServices, env: NodeJS.ProcessEnv = process.env): KubeIo {
  const engine = clusterEngine(app, env);
  const admin = () => (engine.dataRoot ? [path.join(engine.dataRoot, 'kubernetes', 'admin.kubeconfig')] : []);
  const configFor = (context: string) => kubeConfigFor(context, env, admin());
  const cluster = new BerthCluster({ engine, env, configFor });
  const forwards = new PortForwards(clusterForwardBackend(configFor));
  return {
    configFor,
    invoke: {
      'kube.apply': (req) =>
        applyInContext(configFor(req?.context), {
          yaml: req?.yaml,
          dryRun: req?.dryRun === true,
          replace: req?.replace === true,
          ...(req?.namespace ? { namespace: req.namespace } : {}),
        }),
      'kube.portForwards': async () => forwards.list(),
      'kube.portForward': (req) => forwards.start(req),
      'kube.stopPortForward': async (req) => {
        await forwards.stop(String(req?.id ?? ''));
      },
      'kube.cluster': () => cluster.view(),
      'kube.setClusterEnabled': (req) => cluster.setEnabled(req?.enabled),
      'kube.resetCluster': () => cluster.reset(),
      'kube.mergeKubeconfig': () => cluster.mergeKubeconfig(),
    },
    streams: {
      'kube.logs': podLogStream(configFor),
      'kube.portForwardList': (_params, emit, signal) => forwards.follow(emit, signal),
    },
    dispose: () => forwards.stopAll(),
  };
}
