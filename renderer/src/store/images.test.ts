// The images slice against a fake BerthApi (the transport seam); the store is reset between cases.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type {
  BerthApi,
  ImageSummary,
  InvokeChannel,
  InvokeRequest,
  Result,
  StreamMessage,
  TransferProgress,
} from '../../../electron/contract/index.ts';
import { setApi } from '../api/client.ts';
import { parseRoute, routeHash, useStore } from './index.ts';

const initial = useStore.getState();

interface Stream {
  channel: string;
  params: unknown;
  send(m: StreamMessage<'images.pull'>): void;
  closed: boolean;
}

/**
 * An engine in memory: images by tag; tagging a missing image fails; removing by ID removes the image,
 * by tag the tag (and the image with its last one); run fails for an image it lacks, as the run
 * handler does. Streams are driven by the test.
 */
function fakeApi(
  images: ImageSummary[],
  calls: string[],
  streams: Stream[],
  reqs: { channel: string; req: unknown }[] = [],
): BerthApi {
  const has = (ref: string) => images.some((i) => i.tags.includes(ref) || i.tags.includes(`${ref}:latest`));
  const handle = (channel: InvokeChannel, req: unknown): Result<unknown> => {
    calls.push(channel);
    reqs.push({ channel, req });
    if (channel === 'images.list')
      return { ok: true, value: images.map((i) => ({ ...i, tags: [...i.tags] })) };
    if (channel === 'images.tag') {
      const { id, ref } = req as InvokeRequest<'images.tag'>;
      const img = images.find((i) => i.id === id);
      if (!img)
        return { ok: false, error: { kind: 'not_found', code: 'http.404', message: `No such image: ${id}` } };
      img.tags.push(ref);
      return { ok: true, value: undefined };
    }
    if (channel === 'images.remove') {
      const { id } = req as InvokeRequest<'images.remove'>;
      const i = images.findIndex((x) => x.id === id || x.tags.includes(id));
      if (i < 0)
        return { ok: false, error: { kind: 'not_found', code: 'http.404', message: `No such image: ${id}` } };
      if (images[i].id !== id) images[i].tags = images[i].tags.filter((t) => t !== id);
      if (images[i].id === id || images[i].tags.length === 0) images.splice(i, 1);
      return { ok: true, value: undefined };
    }
    if (channel === 'images.prune')
      return { ok: true, value: { deleted: ['sha256:old'], spaceReclaimed: 10 } };
    if (channel === 'containers.run') {
      const { image } = req as InvokeRequest<'containers.run'>;
      if (!has(image))
        return {
          ok: false,
          error: {
            kind: 'not_found',
            code: 'run.image_not_found',
            message: `Unable to find image '${image}' locally`,
          },
        };
      return { ok: true, value: { id: '0123456789abcdef' } };
    }
    if (channel === 'containers.list') return { ok: true, value: [] };
    if (channel === 'images.diskUsage') return { ok: true, value: { size: 5 } };
    if (channel === 'images.login')
      return { ok: true, value: { server: (req as InvokeRequest<'images.login'>).server } };
    return { ok: true, value: undefined };
  };
  return {
    invoke: (async (channel: InvokeChannel, req: unknown) => handle(channel, req)) as BerthApi['invoke'],
    subscribe: ((channel: string, params: unknown, onMessage: (m: StreamMessage<'images.pull'>) => void) => {
      const s: Stream = { channel, params, send: onMessage, closed: false };
      streams.push(s);
      return () => {
        s.closed = true;
      };
    }) as BerthApi['subscribe'],
  };
}

const ev = (event: TransferProgress): StreamMessage<'images.pull'> => ({ type: 'event', event });

describe('images slice', () => {
  let calls: string[];
  let reqs: { channel: string; req: unknown }[];
  let streams: Stream[];
  let images: ImageSummary[];
  beforeEach(() => {
    for (const t of useStore.getState().toasts) useStore.getState().dismissToast(t.id);
    useStore.setState(initial, true);
    calls = [];
    reqs = [];
    streams = [];
    images = [{ id: 'sha256:1', tags: ['busybox:latest'], size: 1, created: 0, usedBy: [] }];
    setApi(fakeApi(images, calls, streams, reqs));
  });
  afterEach(() => {
    // Toasts go by timer: clear them, so that no timer outlives the case.
    for (const t of useStore.getState().toasts) useStore.getState().dismissToast(t.id);
  });
  const toasts = () => useStore.getState().toasts.map((t) => [t.kind, t.message, t.detail ?? '']);
  const removals = () => reqs.filter((r) => r.channel === 'images.remove').map((r) => r.req);
  /** Waits for the confirmation dialog's question and answers it. */
  const answer = async (ok: boolean) => {
    for (let i = 0; i < 20 && !useStore.getState().confirming; i++) await new Promise((r) => setImmediate(r));
    const q = useStore.getState().confirming;
    assert.ok(q, 'the dialog asks');
    useStore.getState().answerConfirm(ok);
    return q;
  };

  test('a pull draws its layers as events come and refreshes the list when it ends', async () => {
    useStore.getState().startTransfer('pull', ' reg:5000/x:1 ');
    assert.deepEqual(streams[0].params, { ref: 'reg:5000/x:1' });
    assert.equal(streams[0].channel, 'images.pull');
    streams[0].send(ev({ status: 'Pulling fs layer', layer: '0123456789ab' }));
    streams[0].send(ev({ status: 'Downloading', layer: '0123456789ab', current: 1, total: 2 }));
    const t = useStore.getState().transfer;
    assert.equal(t?.layers[0].fraction, 0.25);
    assert.equal(t?.phase, 'running');
    images.push({ id: 'sha256:2', tags: ['reg:5000/x:1'], size: 1, created: 0, usedBy: [] });
    streams[0].send({ type: 'end' });
    assert.equal(useStore.getState().transfer?.phase, 'done');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, ['images.list']);
    assert.equal(useStore.getState().images.length, 2);
  });

  test('a failed pull keeps its error; a new transfer stops following the old one', () => {
    useStore.getState().startTransfer('pull', 'nope');
    streams[0].send({
      type: 'end',
      error: { kind: 'not_found', code: 'image.pull_failed', message: 'not found' },
    });
    assert.equal(useStore.getState().transfer?.error?.message, 'not found');
    useStore.getState().startTransfer('pull', 'a');
    useStore.getState().startTransfer('push', 'b');
    assert.ok(streams[1].closed, 'the first running transfer was closed');
    streams[1].send(ev({ status: 'late', layer: '0123456789ab' }));
    assert.deepEqual(useStore.getState().transfer?.layers, [], 'messages of a closed transfer are ignored');
    assert.equal(streams[2].channel, 'images.push');
    useStore.getState().clearTransfer();
    assert.ok(streams[2].closed);
    assert.equal(useStore.getState().transfer, null);
  });

  test('tag and prune answer with the engine error or the result, then refresh', async () => {
    assert.equal(await useStore.getState().tagImage('sha256:1', ' mine:1 '), null);
    assert.deepEqual(images[0].tags, ['busybox:latest', 'mine:1']);
    assert.deepEqual(useStore.getState().images[0].tags, ['busybox:latest', 'mine:1']);
    const err = await useStore.getState().tagImage('sha256:nope', 'x');
    assert.equal(err?.kind, 'not_found');
    assert.deepEqual(await useStore.getState().pruneImages(true), {
      deleted: ['sha256:old'],
      spaceReclaimed: 10,
    });
    assert.deepEqual(calls, [
      'images.tag',
      'images.list',
      'images.tag',
      'images.list',
      'images.prune',
      'images.list',
      'images.diskUsage',
    ]);
    assert.deepEqual(toasts(), [
      ['success', 'Tagged busybox:latest as mine:1', ''],
      ['error', 'Cannot tag nope as x', 'No such image: sha256:nope'],
      ['success', 'Removed 1 image(s); reclaimed 10 B.', ''],
    ]);
  });

  test('removing an image asks first, naming every tag; Cancel removes nothing', async () => {
    const web = { id: 'sha256:w', tags: ['web:1', 'web:latest'], size: 1, created: 0, usedBy: [] };
    images.push(web);
    const asked = useStore.getState().removeImage(web);
    const q = await answer(false);
    assert.equal(await asked, false);
    assert.equal(q.title, 'Remove image web:1?');
    assert.deepEqual(q.items, ['web:1', 'web:latest']);
    assert.equal(q.confirmLabel, 'Remove');
    assert.deepEqual(removals(), [], 'Cancel removes nothing');

    const confirmed = useStore.getState().removeImage(web);
    await answer(true);
    assert.equal(await confirmed, true);
    assert.deepEqual(removals(), [{ id: 'sha256:w', force: true }], 'by ID, every tag at once');
    assert.deepEqual(
      useStore.getState().images.map((i) => i.id),
      ['sha256:1'],
    );
    assert.deepEqual(toasts(), [['success', 'Removed image web:1', '']]);
  });

  test('an image a stopped container uses: the dialog names it and says what forcing does', async () => {
    const img = {
      id: 'sha256:s',
      tags: ['app:2'],
      size: 1,
      created: 0,
      usedBy: [{ id: 'c1', name: 'old-app', running: false }],
    };
    images.push(img);
    const asked = useStore.getState().removeImage(img);
    const q = await answer(true);
    assert.equal(await asked, true);
    assert.equal(q.confirmLabel, 'Remove anyway');
    assert.match(
      String(q.body),
      /used by stopped container old-app\b.*docker rmi -f.*old-app keeps its files and can still start/,
    );
    assert.deepEqual(q.items, ['app:2']);
    assert.deepEqual(removals(), [{ id: 'sha256:s', force: true }]);
  });

  test('an image a running container uses is not removed: a toast says so by name, nothing asked', async () => {
    const img = {
      id: 'sha256:r',
      tags: ['db:16'],
      size: 1,
      created: 0,
      usedBy: [
        { id: 'c1', name: 'pg', running: true },
        { id: 'c2', name: 'pg-old', running: false },
      ],
    };
    assert.equal(await useStore.getState().removeImage(img), false);
    assert.equal(useStore.getState().confirming, null);
    assert.deepEqual(removals(), []);
    assert.equal(toasts()[0][1], 'Cannot remove image db:16');
    assert.match(toasts()[0][2], /used by running container pg\. .*stop and remove that container first/);
  });

  test('untag removes that one tag at once, with Undo; the last tag asks, as it takes the image', async () => {
    const web = { id: 'sha256:w', tags: ['web:1', 'web:latest'], size: 1, created: 0, usedBy: [] };
    images.push(web);
    assert.equal(await useStore.getState().untagImage(web, 'web:latest'), true);
    assert.deepEqual(removals(), [{ id: 'web:latest' }]);
    assert.deepEqual(useStore.getState().images.find((i) => i.id === 'sha256:w')?.tags, ['web:1']);
    const toast = useStore.getState().toasts[0];
    assert.equal(toast.message, 'Untagged web:latest');
    await toast.undo?.();
    assert.deepEqual(useStore.getState().images.find((i) => i.id === 'sha256:w')?.tags, [
      'web:1',
      'web:latest',
    ]);

    const last = images.find((i) => i.id === 'sha256:1');
    assert.ok(last);
    const asked = useStore.getState().untagImage(last, 'busybox:latest');
    const q = await answer(true);
    assert.equal(await asked, true);
    assert.equal(q.title, 'Remove image busybox:latest?');
    assert.deepEqual(removals().at(-1), { id: 'sha256:1', force: true });
  });

  test('a transfer resolves with how it ended, toasts it; one replaced by another resolves as stopped', async () => {
    const first = useStore.getState().startTransfer('pull', 'a:1');
    const second = useStore.getState().startTransfer('push', 'b:1');
    const stopped = await first;
    assert.equal(stopped.phase, 'failed');
    assert.equal(stopped.error?.code, 'transfer.stopped');
    streams[1].send({
      type: 'end',
      error: { kind: 'forbidden', code: 'image.push_failed', message: 'denied' },
    });
    const ended = await second;
    assert.deepEqual([ended.phase, ended.error?.kind], ['failed', 'forbidden']);
    assert.deepEqual(toasts(), [['error', 'Cannot push b:1', 'denied']]);
  });

  test('login: the result in a toast; the store keeps no password', async () => {
    const err = await useStore
      .getState()
      .loginRegistry({ server: 'reg:5000', username: 'alice', password: 'secret' });
    assert.equal(err, null);
    assert.deepEqual(reqs.at(-1), {
      channel: 'images.login',
      req: { server: 'reg:5000', username: 'alice', password: 'secret' },
    });
    assert.doesNotMatch(JSON.stringify(useStore.getState()), /secret/);
    assert.equal(toasts()[0][1], 'Logged in to reg:5000');
  });

  test('run: an image the engine lacks is pulled first (progress in the transfer), then run', async () => {
    const run = useStore.getState().runContainer({ image: 'reg:5000/app', name: 'web' });
    for (let i = 0; i < 20 && streams.length === 0; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual([streams[0].channel, streams[0].params], ['images.pull', { ref: 'reg:5000/app' }]);
    assert.equal(useStore.getState().transfer?.forRun, true, 'the run form shows this pull');
    streams[0].send(ev({ status: 'Downloading', layer: '0123456789ab', current: 1, total: 2 }));
    images.push({ id: 'sha256:2', tags: ['reg:5000/app:latest'], size: 1, created: 0, usedBy: [] });
    streams[0].send({ type: 'end' });
    assert.deepEqual(await run, { id: '0123456789abcdef' });
    assert.deepEqual(
      reqs.filter((r) => r.channel === 'containers.run').length,
      2,
      'asked, pulled, asked again',
    );
    assert.deepEqual(
      toasts().map((t) => t[1]),
      ['Pulled reg:5000/app', 'Started container web from reg:5000/app'],
    );
  });

  test('run: a failed pull creates nothing and says why', async () => {
    const run = useStore.getState().runContainer({ image: 'reg:5000/nope' });
    for (let i = 0; i < 20 && streams.length === 0; i++) await new Promise((r) => setImmediate(r));
    streams[0].send({
      type: 'end',
      error: { kind: 'not_found', code: 'image.pull_failed', message: 'manifest unknown' },
    });
    const r = await run;
    assert.ok('kind' in r);
    assert.equal(r.code, 'run.pull_failed');
    assert.match(r.message, /reg:5000\/nope is not here and could not be pulled: manifest unknown/);
    assert.equal(reqs.filter((x) => x.channel === 'containers.run').length, 1);
  });

  test('image and terminal routes round-trip through the URL hash', () => {
    for (const r of [{ screen: 'image', id: 'reg:5000/a/b:1' }, { screen: 'terminal' }] as const) {
      assert.deepEqual(parseRoute(routeHash(r)), r);
    }
  });
});
