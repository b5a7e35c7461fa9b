// What the controllers' unit tests share: a real API server context over the memory store (with the
// NamespaceLifecycle admission berthd runs), the in-process client, shared informers, a ManualClock,
// and the kubelet's part played by hand (a pod's status written through the status subresource).
import assert from 'node:assert/strict';
import type { ManualClock } from '../../core/manual-clock.ts';
import { namespaceLifecycle } from '../apiserver/admission.ts';
import type { ApiContext } from '../apiserver/context.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds, type LocalClient } from '../client/client.ts';
import type { Informers } from '../client/informer.ts';
import type { ClusterPart, PartEnv } from '../parts.ts';
import { testApi } from '../testing.ts';
import { iso } from './common.ts';

export interface TestCluster {
  ctx: ApiContext;
  clock: ManualClock;
  client: LocalClient;
  informers: Informers;
  env: PartEnv;
  start(...parts: ClusterPart[]): Promise<void>;
  stop(): Promise<void>;
}

export async function testCluster(): Promise<TestCluster> {
  const api = await testApi({
    admission: (store, registry) => [namespaceLifecycle(store, registry.byKind('', 'Namespace')!)],
  });
  const { ctx, client, informers, env } = api;
  const clock = api.clock as ManualClock;
  const started: ClusterPart[] = [];
  return {
    ctx,
    clock,
    client,
    informers,
    env,
    async start(...parts) {
      for (const p of parts) {
        await p.start(env);
        started.push(p);
      }
    },
    async stop() {
      for (const p of started.reverse()) await p.stop();
      api.close();
    },
  };
}

/** Waits (real time) until `check` holds; fails naming what never happened and what was seen. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  what: string,
  seen: () => unknown = () => undefined,
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  for (let i = 0; i < 400; i++) {
    const v = await check();
    if (v) return v as Exclude<T, false | null | undefined | 0 | ''>;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`never: ${what}; saw ${JSON.stringify(seen())}`);
}

/** Lets every queued informer event and reconcile run (real time, a few event-loop turns). */
export async function settle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

export const podsOf = async (client: LocalClient, namespace = 'default', labelSelector?: string) =>
  (await client.list(Kinds.Pod, { namespace, labelSelector })).items;

/** The kubelet's part: the pod runs on node `n1` with an IP and, when `ready`, a Ready condition. */
export async function runPod(
  t: TestCluster,
  pod: KubeObject,
  opts: { ready?: boolean; ip?: string; phase?: string } = {},
): Promise<KubeObject> {
  const now = iso(t.clock.now());
  const ready = opts.ready ?? true;
  const current = (await t.client.get(Kinds.Pod, pod.metadata?.namespace, pod.metadata!.name!))!;
  let bound = current;
  if (!current.spec?.nodeName) {
    const { name, namespace } = current.metadata!;
    await t.client.bind({ metadata: { name, namespace }, target: { kind: 'Node', name: 'n1' } });
    bound = (await t.client.get(Kinds.Pod, namespace, name!))!;
  }
  return t.client.updateStatus(Kinds.Pod, {
    ...bound,
    status: {
      ...bound.status,
      phase: opts.phase ?? 'Running',
      podIP: opts.ip ?? bound.status?.podIP ?? `10.0.0.${Math.floor(Math.random() * 250) + 2}`,
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
        { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
      ],
    },
  });
}

export const template = (labels: Record<string, string>, image = 'busybox') => ({
  metadata: { labels },
  spec: { containers: [{ name: 'c', image }] },
});
