import { invalid } from '../../core/errors.ts';
import { parseFilters } from '../../services/containers/views.ts';
import type { Engine } from '../../services/engine.ts';
import { labelsMatch, untilMs } from '../../services/filters.ts';
import { type NetworkRecord, predefined } from '../../services/networks/store.ts';
import type { Router } from '../router.ts';

const listFilters = new Set(['driver', 'id', 'label', 'label!', 'name', 'scope', 'type', 'dangling']);
const pruneFilters = new Set(['until', 'label', 'label!']);

/** Docker's network list filters: id and name match substrings (id a prefix), label, driver, type. */
export function networkMatches(
  n: NetworkRecord,
  f: Record<string, string[]>,
  inUse: (n: NetworkRecord) => boolean,
): boolean {
  if (f.driver?.length && !f.driver.includes(n.Driver)) return false;
  if (f.id?.length && !f.id.some((x) => n.Id.startsWith(x))) return false;
  if (f.name?.length && !f.name.some((x) => n.Name.includes(x))) return false;
  if (f.scope?.length && !f.scope.includes(n.Scope)) return false;
  if (f.type?.length) {
    const t = predefined.has(n.Name) ? 'builtin' : 'custom';
    if (!f.type.includes(t)) return false;
  }
  if (f.dangling?.length) {
    const want = f.dangling[0] === 'true' || f.dangling[0] === '1';
    const dangling = !predefined.has(n.Name) && !inUse(n);
    if (want !== dangling) return false;
  }
  return labelsMatch(n.Labels ?? {}, f.label ?? [], f['label!'] ?? []);
}

export function networkRoutes(router: Router, engine: Engine): void {
  const svc = engine.networks;
  // In use means an active endpoint, as for rm and prune: a container that was only created has none.
  const inUse = (n: NetworkRecord) => svc.usersOf(n).length > 0;

  router.add('GET', '/networks', async (req) => {
    const f = parseFilters(req.query.get('filters'));
    for (const k of Object.keys(f)) if (!listFilters.has(k)) throw invalid(`Invalid filter '${k}'`);
    for (const t of f.type ?? [])
      if (t !== 'custom' && t !== 'builtin') throw invalid(`invalid filter: 'type'='${t}'`);
    if ((f.dangling?.length ?? 0) > 1) throw invalid('got more than one value for filter key "dangling"');
    for (const v of f.dangling ?? [])
      if (!['true', '1', 'false', '0'].includes(v))
        throw invalid(`invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`);
    const list = svc.networks
      .all()
      .filter((n) => networkMatches(n, f, inUse))
      .sort((a, b) => a.Name.localeCompare(b.Name))
      .map((n) => svc.inspect(n));
    req.send(200, list);
  });

  router.add('GET', '/networks/{id}', async (req) => {
    req.send(200, svc.inspect(svc.networks.get(req.params.id)));
  });

  router.add('POST', '/networks/create', async (req) => {
    const body = await req.json();
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('invalid network config');
    req.send(201, await svc.create(body as Record<string, unknown>));
  });

  router.add('DELETE', '/networks/{id}', async (req) => {
    await svc.remove(req.params.id);
    req.send(204);
  });

  router.add('POST', '/networks/{id}/connect', async (req) => {
    const body = ((await req.json()) ?? {}) as Record<string, unknown>;
    await svc.connect(req.params.id, body);
    req.send(200);
  });

  router.add('POST', '/networks/{id}/disconnect', async (req) => {
    const body = ((await req.json()) ?? {}) as Record<string, unknown>;
    await svc.disconnect(req.params.id, body);
    req.send(200);
  });

  router.add('POST', '/networks/prune', async (req) => {
    const f = parseFilters(req.query.get('filters'));
    for (const k of Object.keys(f)) if (!pruneFilters.has(k)) throw invalid(`Invalid filter '${k}'`);
    const before = f.until?.[0] ? untilMs(f.until[0], Date.now()) : undefined;
    const deleted = await svc.prune((n) => {
      if (before !== undefined && Date.parse(n.Created) >= before) return false;
      return labelsMatch(n.Labels ?? {}, f.label ?? [], f['label!'] ?? []);
    });
    req.send(200, { NetworksDeleted: deleted });
  });
}
