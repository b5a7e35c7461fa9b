// The volumes slice against a fake BerthApi (the transport seam); the store is reset between cases.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type {
  BerthApi,
  InvokeChannel,
  InvokeRequest,
  Result,
  VolumeSummary,
} from '../../../electron/contract/index.ts';
import { setApi } from '../api/client.ts';
import { filterVolumes, type UseFilter, useStore } from './index.ts';

const initial = useStore.getState();

function volume(name: string, size: number, usedBy: string[] = []): VolumeSummary {
  return { name, driver: 'local', mountpoint: `/v/${name}`, labels: {}, size, usedBy };
}

/** An engine in memory: volumes with sizes reported only when asked; removing one in use fails. */
function fakeApi(volumes: VolumeSummary[], calls: string[]): BerthApi {
  const handle = (channel: InvokeChannel, req: unknown): Result<unknown> => {
    calls.push(channel);
    if (channel === 'volumes.list') {
      const { sizes } = req as InvokeRequest<'volumes.list'>;
      return { ok: true, value: volumes.map((v) => (sizes ? v : { ...v, size: undefined })) };
    }
    if (channel === 'volumes.remove') {
      const { name } = req as InvokeRequest<'volumes.remove'>;
      const v = volumes.find((x) => x.name === name);
      if (v?.usedBy.length)
        return { ok: false, error: { kind: 'conflict', code: 'http.409', message: 'volume is in use' } };
      volumes.splice(volumes.indexOf(v as VolumeSummary), 1);
      return { ok: true, value: undefined };
    }
    if (channel === 'volumes.prune') {
      const gone = volumes.filter((v) => !v.usedBy.length).map((v) => v.name);
      volumes.splice(0, volumes.length, ...volumes.filter((v) => v.usedBy.length));
      return { ok: true, value: { deleted: gone, spaceReclaimed: 7 } };
    }
    return { ok: true, value: undefined };
  };
  return {
    invoke: (async (channel: InvokeChannel, req: unknown) => handle(channel, req)) as BerthApi['invoke'],
    subscribe: () => () => undefined,
  };
}

describe('volumes slice', () => {
  let calls: string[];
  let engine: VolumeSummary[];
  beforeEach(() => {
    useStore.setState(initial, true);
    calls = [];
    engine = [volume('data', 3, ['web']), volume('scratch', 5)];
    setApi(fakeApi(engine, calls));
  });

  test('a refresh without sizes keeps the sizes already known', async () => {
    await useStore.getState().refreshVolumes({ sizes: true });
    engine.push(volume('new', 1));
    await useStore.getState().refreshVolumes();
    assert.deepEqual(
      useStore.getState().volumes.map((v) => [v.name, v.size]),
      [
        ['data', 3],
        ['scratch', 5],
        ['new', undefined],
      ],
    );
  });

  test('removing a volume in use answers with the engine error and keeps it listed', async () => {
    await useStore.getState().refreshVolumes();
    const err = await useStore.getState().removeVolume('data');
    assert.equal(err?.message, 'volume is in use');
    assert.ok(useStore.getState().volumes.some((v) => v.name === 'data'));
    assert.equal(await useStore.getState().removeVolume('scratch'), null);
    assert.deepEqual(
      useStore.getState().volumes.map((v) => v.name),
      ['data'],
    );
  });

  test('prune reports what went and refreshes with sizes', async () => {
    const r = await useStore.getState().pruneVolumes(true);
    assert.deepEqual(r, { deleted: ['scratch'], spaceReclaimed: 7 });
    assert.deepEqual(calls, ['volumes.prune', 'volumes.list']);
    assert.equal(useStore.getState().volumes[0]?.size, 3);
  });

  test('bulk removal goes on past a refusal and says which went and which did not', async () => {
    await useStore.getState().refreshVolumes();
    useStore.getState().setSelectedVolumes(['data', 'scratch']);
    const r = await useStore.getState().removeVolumes(['data', 'scratch']);
    assert.deepEqual(r.done, ['scratch']);
    assert.deepEqual(
      r.failed.map((f) => [f.name, f.error.message]),
      [['data', 'volume is in use']],
    );
    assert.deepEqual(
      useStore.getState().selectedVolumes,
      { data: true },
      'what is gone is no longer selected',
    );
    useStore.getState().reportRemovals(r, 'volume');
    const [toast] = useStore.getState().toasts.slice(-1);
    assert.equal(toast.kind, 'error');
    assert.equal(toast.message, 'Cannot remove 1 of 2 volume(s)');
    assert.equal(toast.detail, 'data: volume is in use');
    useStore.getState().reportRemovals({ done: ['scratch'], failed: [] }, 'volume');
    assert.equal(useStore.getState().toasts.at(-1)?.message, 'Removed 1 volume(s).');
    for (const t of useStore.getState().toasts) useStore.getState().dismissToast(t.id);
  });

  test('volumeWithSize asks the engine for sizes only when the list has none', async () => {
    await useStore.getState().refreshVolumes();
    calls.length = 0;
    assert.equal((await useStore.getState().volumeWithSize('scratch'))?.size, 5);
    assert.deepEqual(calls, ['volumes.list']);
    await useStore.getState().volumeWithSize('data');
    assert.deepEqual(calls, ['volumes.list'], 'sizes known now: no second walk');
  });
});

describe('filterVolumes', () => {
  const list = [
    { ...volume('db-data', 3, ['db']), labels: { 'com.docker.compose.project': 'shop' } },
    volume('cache', 1),
  ];
  test('searches names, labels, mountpoints and users; filters in use and unused', () => {
    const names = (search: string, filter: UseFilter = 'all') =>
      filterVolumes(list, search, filter).map((v) => v.name);
    assert.deepEqual(names(''), ['db-data', 'cache']);
    assert.deepEqual(names('CACHE'), ['cache']);
    assert.deepEqual(names('project=shop'), ['db-data']);
    assert.deepEqual(names('/v/cache'), ['cache']);
    assert.deepEqual(names('db'), ['db-data']);
    assert.deepEqual(names('', 'used'), ['db-data']);
    assert.deepEqual(names('', 'unused'), ['cache']);
    assert.deepEqual(names('db', 'unused'), []);
  });
});
