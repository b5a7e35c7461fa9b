// A cluster for the scheduler's part tests: the API server's handlers over the memory store with a
// manual clock, the in-process client and shared informers, as berthd hands them to its parts.
import assert from 'node:assert/strict';
import type { ManualClock } from '../../core/manual-clock.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import type { ClusterPart } from '../parts.ts';
import { testApi } from '../testing.ts';

export async function testCluster(parts: ClusterPart[]) {
  const api = await testApi();
  const { client, informers, env } = api;
  const clock = api.clock as ManualClock;
  for (const p of parts) await p.start(env);
  return {
    client,
    clock,
    informers,
    pod: (name: string, namespace = 'default') => client.get(Kinds.Pod, namespace, name),
    /** The events about a pod, as `kubectl describe pod` finds them. */
    async eventsOf(name: string, namespace = 'default'): Promise<KubeObject[]> {
      const list = await client.list(Kinds.Event, {
        namespace,
        fieldSelector: `involvedObject.name=${name},involvedObject.kind=Pod`,
      });
      return list.items;
    },
    async stop() {
      for (const p of parts) await p.stop();
      api.close();
    },
  };
}

/** Waits (in real time: informers and the queue run on promises) until `check` holds. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`never: ${what}`);
}
