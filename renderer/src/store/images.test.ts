// The images slice against a fake BerthApi (the transport seam); the store is reset between cases.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
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

/** An engine in memory: images by tag; tagging a missing image fails; streams are driven by the test. */
function fakeApi(images: ImageSummary[], calls: string[], streams: Stream[]): BerthApi {
  const handle = (channel: InvokeChannel, req: unknown): Result<unknown> => {
    calls.push(channel);
    if (channel === 'images.list') return { ok: true, value: images.map((i) => ({ ...i })) };
    if (channel === 'images.tag') {
      const { id, ref } = req as InvokeRequest<'images.tag'>;
      const img = images.find((i) => i.id === id);
      if (!img)
        return { ok: false, error: { kind: 'not_found', code: 'http.404', message: `No such image: ${id}` } };
      img.tags.push(ref);
      return { ok: true, value: undefined };
    }
    if (channel === 'images.prune')
      return { ok: true, value: { deleted: ['sha256:old'], spaceReclaimed: 10 } };
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
  let streams: Stream[];
  let images: ImageSummary[];
  beforeEach(() => {
    useStore.setState(initial, true);
    calls = [];
    streams = [];
    images = [{ id: 'sha256:1', tags: ['busybox:latest'], size: 1, created: 0, containers: 0 }];
    setApi(fakeApi(images, calls, streams));
  });

  test('a pull draws its layers as events come and refreshes the list when it ends', async () => {
    useStore.getState().startTransfer('pull', ' reg:5000/x:1 ');
    assert.deepEqual(streams[0].params, { ref: 'reg:5000/x:1' });
    assert.equal(streams[0].channel, 'images.pull');
    streams[0].send(ev({ status: 'Pulling fs layer', layer: '0123456789ab' }));
    streams[0].send(ev({ status: 'Downloading', layer: '0123456789ab', current: 1, total: 2 }));
    const t = useStore.getState().transfer;
    assert.equal(t?.layers[0].fraction, 0.25);
    assert.equal(t?.phase, 'running');
    images.push({ id: 'sha256:2', tags: ['reg:5000/x:1'], size: 1, created: 0, containers: 0 });
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
    ]);
  });

  test('image and terminal routes round-trip through the URL hash', () => {
    for (const r of [{ screen: 'image', id: 'reg:5000/a/b:1' }, { screen: 'terminal' }] as const) {
      assert.deepEqual(parseRoute(routeHash(r)), r);
    }
  });
});
