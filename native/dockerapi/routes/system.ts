import { invalid } from '../../core/errors.ts';
import { parseFilters } from '../../services/containers/views.ts';
import type { Engine } from '../../services/engine.ts';
import { diskUsage } from '../../services/system/df.ts';
import { watchEvents } from '../../services/system/events.ts';
import { engineVersion, systemInfo } from '../../services/system/info.ts';
import { apiVersion, minApiVersion } from '../http.ts';
import { timeParam } from '../params.ts';
import type { Router } from '../router.ts';
import { sendJsonLines } from '../streams.ts';

const pingHeaders = {
  'Api-Version': apiVersion,
  Ostype: 'linux',
  'Builder-Version': '1',
  'Docker-Experimental': 'false',
  Swarm: 'inactive',
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  Pragma: 'no-cache',
};

export function systemRoutes(router: Router, engine: Engine): void {
  router.add('GET', '/_ping', async (req) => {
    req.send(200, req.method === 'HEAD' ? '' : 'OK', pingHeaders);
  });
  router.add('HEAD', '/_ping', async (req) => {
    req.send(200, '', pingHeaders);
  });

  router.add('GET', '/version', async (req) => {
    req.send(200, await engineVersion(engine, { apiVersion, minApiVersion }));
  });

  router.add('GET', '/info', async (req) => {
    req.send(200, await systemInfo(engine));
  });

  router.add('GET', '/events', async (req) => {
    const filters = parseFilters(req.query.get('filters'));
    // `docker events --since 0` replays everything, as dockerd does.
    const sinceNs = timeParam(req.query.get('since'), Date.now(), true);
    const untilNs = timeParam(req.query.get('until'));
    if (sinceNs !== undefined && untilNs !== undefined && untilNs < sinceNs)
      throw invalid(
        `\`since\` time (${req.query.get('since')}) cannot be after \`until\` time (${req.query.get('until')})`,
      );
    const stop = new AbortController();
    const out = req.stream('application/json');
    out.onClose(() => stop.abort());
    await sendJsonLines(out, watchEvents(engine.events, { filters, sinceNs, untilNs, signal: stop.signal }));
  });

  router.add('GET', '/system/df', async (req) => {
    req.send(200, await diskUsage(engine));
  });

  // The cache `docker builder prune` clears is BuildKit's; as in dockerd, the classic builder's cache
  // is its step images, which `docker image prune` handles.
  router.add('POST', '/build/prune', async (req) => {
    req.send(200, { CachesDeleted: null, SpaceReclaimed: 0 });
  });
}
