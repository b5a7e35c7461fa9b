// Watch: a stream of newline-delimited events after a resourceVersion (from the store's one global
// revision), the current state first when no version is given, BOOKMARKs when asked, and the
// WatchList form (sendInitialEvents) that ends its initial events with the `k8s.io/initial-events-end`
// bookmark. A compacted version is 410 Gone, so that clients list again.
import type http from 'node:http';
import { StoreError } from '../store/store.ts';
import type { ApiContext, Scope } from './context.ts';
import { fromStored } from './objects.ts';
import { apiVersionOf, type KubeObject, storeKey } from './registry.ts';
import { listObjects, renderObject, selectorFilter } from './rest/read.ts';
import { badRequest, gone, tooLargeResourceVersion } from './status.ts';

interface OutEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

export async function serveWatch(
  ctx: ApiContext,
  scope: Scope,
  req: http.IncomingMessage,
  res: http.ServerResponse,
) {
  const q = scope.query;
  const rv = q.get('resourceVersion') ?? '';
  const sendInitial = q.get('sendInitialEvents') === 'true';
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  if (sendInitial && (!bookmarks || q.get('resourceVersionMatch') !== 'NotOlderThan'))
    throw badRequest(
      'sendInitialEvents is only supported with allowWatchBookmarks=true and resourceVersionMatch=NotOlderThan',
    );
  if (rv && rv !== '0' && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
  const filter = selectorFilter(scope);
  const selective = q.has('labelSelector') || q.has('fieldSelector');
  const prefix = storeKey(scope.def, scope.namespace);
  const objectFor = (o: KubeObject) => renderObject(ctx, scope, o);
  const abort = new AbortController();
  // The current state as ADDED events: without a version, or when the client asks for it (WatchList).
  const initial: OutEvent[] = [];
  let after: number;
  const matched = new Set<string>();
  const keyOf = (o: KubeObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
  if (!rv || rv === '0' || sendInitial) {
    const page = await listObjects(ctx, { ...scope, query: new URLSearchParams() }, filter);
    for (const o of page.items) {
      matched.add(keyOf(o));
      initial.push({ type: 'ADDED', object: objectFor(o) });
    }
    after = page.revision;
  } else {
    after = Number(rv);
    // A list at that version tells a compacted one (410) before the 200 goes out, whichever the store;
    // with selectors it also gives what matched then, so that objects leaving the selection are
    // seen as DELETED.
    try {
      const at = await ctx.store.list(prefix, { revision: after, limit: selective ? undefined : 1 });
      if (selective)
        for (const s of at.items) {
          const o = fromStored(scope.def, s);
          if (filter(o)) matched.add(keyOf(o));
        }
    } catch (err) {
      if (err instanceof StoreError && err.kind === 'gone') throw tooOld(after);
      if (err instanceof StoreError && err.kind === 'invalid')
        throw tooLargeResourceVersion(after, await ctx.store.revision());
      throw err;
    }
  }
  const events = ctx.store
    .watch(prefix, after, abort.signal, bookmarks ? { progressMs: ctx.bookmarkIntervalMs } : undefined)
    [Symbol.asyncIterator]();
  // A store finds a compacted version when the watch starts: answer 410 before the 200 goes out.
  const first = events.next();
  try {
    await Promise.race([first, new Promise((r) => setImmediate(r))]);
  } catch (err) {
    abort.abort();
    if (err instanceof StoreError && err.kind === 'gone') throw tooOld(after);
    throw err;
  }
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  const write = (e: OutEvent) => res.write(`${JSON.stringify(e)}\n`);
  const close = () => abort.abort();
  req.on('close', close);
  res.on('close', close);
  const timeout = Number(q.get('timeoutSeconds') ?? 0);
  const timer = timeout > 0 ? setTimeout(close, timeout * 1000) : undefined;
  const bookmark = (revision: number, annotations?: Record<string, string>) =>
    write({
      type: 'BOOKMARK',
      object: {
        kind: scope.def.kind,
        apiVersion: apiVersionOf(scope.def),
        metadata: { resourceVersion: String(revision), ...(annotations ? { annotations } : {}) },
      },
    });
  for (const e of initial) write(e);
  if (sendInitial) bookmark(after, { 'k8s.io/initial-events-end': 'true' });
  try {
    for (let r = await first; !r.done; r = await events.next()) {
      const e = r.value;
      if (abort.signal.aborted) break;
      if (e.type === 'PROGRESS') {
        if (bookmarks) bookmark(e.revision);
        continue;
      }
      const o = fromStored(scope.def, e.object);
      if (!selective) {
        write({ type: e.type, object: objectFor(o) });
        continue;
      }
      // With selectors, an object that comes into the selection is ADDED, one that leaves it DELETED.
      const key = keyOf(o);
      const was = matched.has(key);
      const is = e.type !== 'DELETED' && filter(o);
      if (is) matched.add(key);
      else matched.delete(key);
      if (is) write({ type: was ? 'MODIFIED' : 'ADDED', object: objectFor(o) });
      else if (was || (e.type === 'DELETED' && filter(o))) write({ type: 'DELETED', object: objectFor(o) });
    }
  } catch (err) {
    if (err instanceof StoreError && err.kind === 'gone')
      write({ type: 'ERROR', object: tooOld(after).toStatus() });
    else if (!abort.signal.aborted) ctx.log.warn('watch failed', { error: String(err) });
  } finally {
    if (timer) clearTimeout(timer);
    abort.abort();
    // The loop above leaves the store's iterator without a for-await's return(): close it here.
    void events.return?.().catch(() => undefined);
    res.end();
  }
}

const tooOld = (rv: number) => gone(`too old resource version: ${rv}`);
