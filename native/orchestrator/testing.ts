// For the orchestrator's unit tests: an API server's handler context over the memory store with the
// default namespaces, the in-process client, shared informers and what a part is handed (PartEnv) —
// no socket, no engine, no host. `admission: 'api'` gives the context berthd's API server builds
// (every admission plugin, the watch cache); by default only what a test adds. A host command fails
// the test: the parts under test run nothing on the host unless given a Sys of their own.
import assert from 'node:assert/strict';
import type { Clock } from '../core/clock.ts';
import { silentLogger } from '../core/log.ts';
import { ManualClock } from '../core/manual-clock.ts';
import type { Sys } from '../core/sys.ts';
import type { AdmissionPlugin } from './apiserver/admission.ts';
import { createKubeApi } from './apiserver/app.ts';
import type { ApiContext } from './apiserver/context.ts';
import { bootstrap } from './apiserver/main.ts';
import type { Registry } from './apiserver/registry.ts';
import { defaultRegistry } from './apiserver/resources/index.ts';
import type { ServiceRanges } from './apiserver/service-alloc.ts';
import { LocalClient } from './client/client.ts';
import { Informers } from './client/informer.ts';
import type { PartEnv } from './parts.ts';
import { MemoryStore } from './store/memory.ts';

/** A Sys whose every command fails the test. */
export const noHost: Sys = {
  run: async (cmd, args) => assert.fail(`ran ${cmd} ${args.join(' ')} on the host`),
  kill: () => false,
  alive: () => false,
};

export interface TestApiOptions {
  /** Default: a ManualClock at 2026-01-01. */
  clock?: Clock;
  /** 'api': the admission plugins and watch cache of berthd's API server; else these plugins only. */
  admission?: 'api' | ((store: MemoryStore, registry: Registry) => AdmissionPlugin[]);
  /** With admission 'api': the service range (and the kubernetes Service bootstrapped in it). */
  serviceRanges?: ServiceRanges;
  /** PartEnv fields to set (dir, sys, engine, serviceInterface…). */
  env?: Partial<PartEnv>;
}

export interface TestApi {
  store: MemoryStore;
  registry: Registry;
  clock: Clock;
  ctx: ApiContext;
  client: LocalClient;
  informers: Informers;
  env: PartEnv;
  /** Stops the informers and the watch cache. */
  close(): void;
}

export async function testApi(opts: TestApiOptions = {}): Promise<TestApi> {
  const store = new MemoryStore();
  const registry = defaultRegistry();
  const clock = opts.clock ?? new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  await bootstrap({ store, registry, clock, log: silentLogger }, registry, opts.serviceRanges);
  let close = () => {};
  let ctx: ApiContext;
  if (opts.admission === 'api') {
    const api = createKubeApi({
      store,
      registry,
      clock,
      log: silentLogger,
      authenticate: () => undefined,
      serverAddress: '127.0.0.1:1',
      serviceRanges: opts.serviceRanges,
    });
    ctx = api.context;
    close = () => api.close();
  } else {
    ctx = {
      store,
      registry,
      clock,
      admission: opts.admission ? opts.admission(store, registry) : [],
      log: silentLogger,
      bookmarkIntervalMs: 60_000,
    };
  }
  const client = new LocalClient(ctx);
  const informers = new Informers(client, silentLogger, 5);
  const env: PartEnv = {
    client,
    informers,
    registry,
    clock,
    log: silentLogger,
    dir: '/nonexistent',
    sys: noHost,
    ...opts.env,
  };
  return {
    store,
    registry,
    clock,
    ctx,
    client,
    informers,
    env,
    close() {
      informers.stop();
      close();
    },
  };
}
