// A cluster for the scheduler's part tests: the API server's handlers over the memory store with a
// manual clock, the in-process client and shared informers, as berthd hands them to its parts.
import assert from 'node:assert/strict';
import { silentLogger } from '../../core/log.ts';
import { ManualClock } from '../../core/manual-clock.ts';
import type { Sys } from '../../core/sys.ts';
import type { ApiContext } from '../apiserver/context.ts';
import { bootstrap } from '../apiserver/main.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { defaultRegistry } from '../apiserver/resources/index.ts';
import { Kinds, LocalClient } from '../client/client.ts';
import { Informers } from '../client/informer.ts';
import type { ClusterPart, PartEnv } from '../parts.ts';
import { MemoryStore } from '../store/memory.ts';

/** The scheduler's parts run nothing on the host: a command is a test failure. */
const noCommands: Sys = {
  run: async (cmd) => {
    throw new Error(`unexpected host command: ${cmd}`);
  },
  kill: () => false,
  alive: () => false,
};

export async function testCluster(parts: ClusterPart[]) {
  const store = new MemoryStore();
  const registry = defaultRegistry();
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const ctx: ApiContext = {
    store,
    registry,
    clock,
    admission: [],
    log: silentLogger,
    bookmarkIntervalMs: 60_000,
  };
  await bootstrap(ctx, registry);
  const client = new LocalClient(ctx);
  const informers = new Informers(client, silentLogger, 5);
  const env: PartEnv = {
    client,
    informers,
    registry,
    clock,
    log: silentLogger,
    dir: '/nonexistent',
    sys: noCommands,
  };
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
      informers.stop();
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
