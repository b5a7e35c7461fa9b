// How the scheduler's parts take a pod away (taint eviction, preemption): the DisruptionTarget
// condition first, saying why (as the PodDisruptionConditions feature has it), then a delete with the
// pod's own grace period.
import type { Clock } from '../../core/clock.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { iso } from '../apiserver/rest/write.ts';
import { ApiError } from '../apiserver/status.ts';
import { Kinds, type KubeClient } from '../client/client.ts';
import { keyOf, splitKey } from '../client/informer.ts';
import { asList, asObj } from './resources.ts';

export async function disruptPod(
  client: KubeClient,
  clock: Clock,
  pod: KubeObject,
  reason: string,
  message: string,
): Promise<void> {
  const { namespace, name } = splitKey(keyOf(pod));
  const conditions = asList(asObj(pod.status).conditions).filter((c) => c.type !== 'DisruptionTarget');
  try {
    await client.updateStatus(Kinds.Pod, {
      ...pod,
      status: {
        ...pod.status,
        conditions: [
          ...conditions,
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason,
            message,
            lastProbeTime: null,
            lastTransitionTime: iso(clock.now()),
          },
        ],
      },
    });
  } catch (err) {
    // A newer pod than the cache's: the delete below still goes ahead, as the condition is advisory.
    if (!(err instanceof ApiError && (err.reason === 'Conflict' || err.reason === 'NotFound'))) throw err;
  }
  await client.delete(Kinds.Pod, namespace, name).catch((err) => {
    if (!(err instanceof ApiError && err.reason === 'NotFound')) throw err;
  });
}
