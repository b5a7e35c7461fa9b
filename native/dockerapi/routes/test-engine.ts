import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tarStream from 'tar-stream';
import { silentLogger } from '../../core/log.ts';
import { hostSys } from '../../core/sys.ts';
import { Engine } from '../../services/engine.ts';
import { type InjectRequest, type InjectResponse, inject } from '../inject.ts';
import type { Router } from '../router.ts';
import { buildRouter } from '../server.ts';

export interface RouteHarness {
  engine: Engine;
  router: Router;
  root: string;
  call(r: InjectRequest | string): Promise<InjectResponse>;
  close(): Promise<void>;
}

/**
 * A real engine on a temporary root, with its stores loaded but nothing started: no exit monitor, no
 * default bridge, no DNS listener, no iptables. Enough for routes that read and write records; routes that run
 * containers are tested against a whole berthd (test/conformance).
 */
export async function routeHarness(): Promise<RouteHarness> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-routes-'));
  const engine = new Engine({
    dataRoot: path.join(root, 'data'),
    execRoot: path.join(root, 'exec'),
    network: { bridge: 'none', iptables: false, dns: [] },
    sys: hostSys,
    log: silentLogger,
  });
  await fs.mkdir(engine.paths.dataRoot, { recursive: true });
  await engine.images.init();
  await engine.containers.store.load();
  // With no default bridge and no iptables this only loads records and writes the predefined ones.
  await engine.networks.init();
  await engine.volumes.init([]);
  const router = buildRouter(engine);
  return {
    engine,
    router,
    root,
    call: (r) => inject(router, typeof r === 'string' ? { url: r } : r),
    close: async () => {
      await engine.networks.shutdown();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/** A tar of files (name → content), as `docker import` and `docker cp` send them. */
export async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const [name, data] of Object.entries(files)) pack.entry({ name, mode: 0o755 }, data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Imports a one-file image under `name` through the API; resolves with its id. */
export async function importImage(h: RouteHarness, name: string): Promise<string> {
  const res = await h.call({
    method: 'POST',
    url: `/images/create?fromSrc=-&repo=${encodeURIComponent(name)}&changes=${encodeURIComponent('CMD ["/hello"]')}`,
    body: await tarOf({ hello: '#!/bin/sh\necho hello\n' }),
  });
  const msg = JSON.parse(res.text().trim()) as { status?: string; error?: string };
  if (!msg.status) throw new Error(`import failed: ${res.text()}`);
  return msg.status;
}
