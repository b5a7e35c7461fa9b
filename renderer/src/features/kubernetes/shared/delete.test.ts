// Deleting Kubernetes objects against a fake BerthApi: nothing goes without the confirmation, one
// kube.delete per namespace, and one toast with what the server refused.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { BerthApi, InvokeChannel, Result } from '../../../../../electron/contract/index.ts';
import { setApi } from '../../../api/client.ts';
import { useStore } from '../../../store/index.ts';
import { deleteObjects } from './delete.ts';

const initial = useStore.getState();

function fakeApi(answer: (req: { namespace: string; names: string[] }) => Result<unknown>) {
  const calls: { channel: string; req: { namespace: string; names: string[] } }[] = [];
  const api: BerthApi = {
    invoke: (async (channel: InvokeChannel, req: { namespace: string; names: string[] }) => {
      calls.push({ channel, req });
      return answer(req);
    }) as BerthApi['invoke'],
    subscribe: (() => () => {}) as BerthApi['subscribe'],
  };
  return { api, calls };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('deleting Kubernetes objects', () => {
  beforeEach(() => useStore.setState(initial, true));

  test('cancelled: nothing is sent', async () => {
    const f = fakeApi(() => ({ ok: true, value: { deleted: [], failed: [] } }));
    setApi(f.api);
    const done = deleteObjects('berth', 'pods', [{ name: 'web-1', namespace: 'default' }]);
    await settle();
    assert.equal(useStore.getState().confirming?.title, 'Delete pod web-1?');
    useStore.getState().answerConfirm(false);
    assert.equal(await done, false);
    assert.equal(f.calls.length, 0);
  });

  test('confirmed: one call per namespace, the names listed, refusals in one toast', async () => {
    const f = fakeApi((req) =>
      req.namespace === 'shop'
        ? { ok: true, value: { deleted: ['api'], failed: [{ name: 'db', message: 'forbidden' }] } }
        : { ok: true, value: { deleted: req.names, failed: [] } },
    );
    setApi(f.api);
    const rows = [
      { name: 'web-1', namespace: 'default' },
      { name: 'api', namespace: 'shop' },
      { name: 'web-2', namespace: 'default' },
      { name: 'db', namespace: 'shop' },
    ];
    const done = deleteObjects('prod', 'pods', rows);
    await settle();
    assert.equal(useStore.getState().confirming?.title, 'Delete 4 pods?');
    assert.deepEqual(useStore.getState().confirming?.items, [
      'default/web-1',
      'shop/api',
      'default/web-2',
      'shop/db',
    ]);
    useStore.getState().answerConfirm(true);
    assert.equal(await done, true);
    assert.deepEqual(
      f.calls.map((c) => [c.channel, c.req.namespace, c.req.names.join()]),
      [
        ['kube.delete', 'default', 'web-1,web-2'],
        ['kube.delete', 'shop', 'api,db'],
      ],
    );
    const [toast] = useStore.getState().toasts;
    assert.equal(toast.kind, 'error');
    assert.equal(toast.message, 'Cannot delete 1 of 4 pods');
    assert.equal(toast.detail, 'db: forbidden');
  });
});
