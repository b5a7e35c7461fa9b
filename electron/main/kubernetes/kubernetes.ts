// The Kubernetes channels. Until the domain's modules land they answer `unsupported`, as the machine's do
// in a process that drives no machine.

import { kubernetesChannels, kubernetesEventChannels } from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers, StreamHandlers } from '../ipc/handlers.ts';

type KubeInvoke = Pick<InvokeHandlers, keyof typeof kubernetesChannels>;
type KubeStreams = Pick<StreamHandlers, keyof typeof kubernetesEventChannels>;

const unsupported = async (): Promise<never> => {
  throw new HandlerError('unsupported', 'kube.none', 'Kubernetes is not wired in this build');
};

export function kubernetesHandlers(): KubeInvoke {
  return Object.fromEntries(
    Object.keys(kubernetesChannels).map((c) => [c, unsupported]),
  ) as unknown as KubeInvoke;
}

export function kubernetesStreams(): KubeStreams {
  return Object.fromEntries(
    Object.keys(kubernetesEventChannels).map((c) => [c, unsupported]),
  ) as unknown as KubeStreams;
}
