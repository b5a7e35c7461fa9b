// The terminals slice against a fake BerthApi (the transport seam); the store is reset between cases.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type {
  BerthApi,
  EventChannel,
  InvokeChannel,
  InvokeRequest,
  Result,
  StreamMessage,
  TerminalSessionInfo,
} from '../../../electron/contract/index.ts';
import { setApi } from '../api/client.ts';
import { useStore } from './index.ts';

const initial = useStore.getState();

function info(id: string, title: string): TerminalSessionInfo {
  return { id, kind: 'host', title, command: ['/bin/sh'], startedAt: '2024-05-01T10:00:00Z' };
}

/** Main in memory: opens number sessions s1, s2…; `terminal.sessions` subscribers are kept to push to. */
function fakeMain() {
  const calls: { channel: InvokeChannel; req: unknown }[] = [];
  const subscribers = new Map<number, (m: StreamMessage<'terminal.sessions'>) => void>();
  let next = 1;
  let subscriptions = 0;
  let releaseOpen: (() => void) | null = null;
  const api: BerthApi = {
    invoke: (async (channel: InvokeChannel, req: unknown): Promise<Result<unknown>> => {
      calls.push({ channel, req });
      if (channel === 'terminal.open') {
        await new Promise<void>((r) => {
          releaseOpen = r;
        });
        const n = next++;
        return { ok: true, value: info(`s${n}`, `Host shell ${n}`) };
      }
      if (channel === 'terminal.close') {
        const { session } = req as InvokeRequest<'terminal.close'>;
        if (session === 'stuck') {
          return { ok: false, error: { kind: 'conflict', code: 'terminal.cannot_close', message: 'paused' } };
        }
      }
      return { ok: true, value: undefined };
    }) as BerthApi['invoke'],
    subscribe: ((channel: EventChannel, _params: unknown, onMessage: (m: never) => void) => {
      assert.equal(channel, 'terminal.sessions');
      const id = ++subscriptions;
      subscribers.set(id, onMessage as (m: StreamMessage<'terminal.sessions'>) => void);
      return () => subscribers.delete(id);
    }) as BerthApi['subscribe'],
  };
  return {
    api,
    calls,
    subscribers,
    push: (list: TerminalSessionInfo[]) => {
      for (const s of subscribers.values()) s({ type: 'event', event: list });
    },
    releaseOpen: () => releaseOpen?.(),
  };
}

describe('terminals slice', () => {
  let main: ReturnType<typeof fakeMain>;
  beforeEach(() => {
    useStore.setState(initial, true);
    main = fakeMain();
    setApi(main.api);
  });

  test('views share one subscription to the session list; the last one to leave ends it', () => {
    const s = useStore.getState();
    const stopA = s.watchTerminalSessions();
    const stopB = s.watchTerminalSessions();
    assert.equal(main.subscribers.size, 1);
    main.push([info('s1', 'Host shell')]);
    assert.deepEqual(
      useStore.getState().terminalSessions.map((x) => x.id),
      ['s1'],
    );
    assert.equal(useStore.getState().terminalSessionsLoaded, true);
    stopA();
    stopA();
    assert.equal(main.subscribers.size, 1, 'a second stop of the same view changes nothing');
    stopB();
    assert.equal(main.subscribers.size, 0);
    assert.equal(useStore.getState().terminalSessionsLoaded, false, 'the next view waits for a fresh list');
  });

  test('opening twice at one place at once opens one session, shown there', async () => {
    const s = useStore.getState();
    const a = s.openTerminal('container:web-id', { kind: 'container', id: 'web-id' }, { cols: 90, rows: 20 });
    const b = s.openTerminal('container:web-id', { kind: 'container', id: 'web-id' }, { cols: 90, rows: 20 });
    await new Promise((r) => setImmediate(r));
    main.releaseOpen();
    assert.deepEqual(await Promise.all([a, b]), [null, null]);
    assert.equal(main.calls.filter((c) => c.channel === 'terminal.open').length, 1);
    assert.deepEqual(main.calls[0].req, { target: { kind: 'container', id: 'web-id' }, cols: 90, rows: 20 });
    assert.equal(useStore.getState().terminalFocus['container:web-id'], 's1');
    assert.deepEqual(
      useStore.getState().terminalSessions.map((x) => x.id),
      ['s1'],
    );
    useStore.getState().focusTerminal('container:web-id', null);
    assert.equal(useStore.getState().terminalFocus['container:web-id'], undefined);
  });

  test('close asks first; cancelled, nothing happens; confirmed, it closes and says so', async () => {
    useStore.setState({ terminalSessions: [info('s1', 'web · /bin/sh'), info('stuck', 'db · /bin/sh')] });
    const s = useStore.getState();
    const cancelled = s.closeTerminal(info('s1', 'web · /bin/sh'));
    assert.equal(useStore.getState().confirming?.title, 'Close web · /bin/sh?');
    useStore.getState().answerConfirm(false);
    await cancelled;
    assert.equal(main.calls.length, 0);
    const confirmed = s.closeTerminal(info('s1', 'web · /bin/sh'));
    useStore.getState().answerConfirm(true);
    await confirmed;
    assert.deepEqual(main.calls, [{ channel: 'terminal.close', req: { session: 's1' } }]);
    assert.deepEqual(
      useStore.getState().terminalSessions.map((x) => x.id),
      ['stuck'],
    );
    assert.equal(useStore.getState().toasts.at(-1)?.message, 'Closed web · /bin/sh');
    const failed = s.closeTerminal(info('stuck', 'db · /bin/sh'));
    useStore.getState().answerConfirm(true);
    await failed;
    const toast = useStore.getState().toasts.at(-1);
    assert.deepEqual(
      [toast?.kind, toast?.message, toast?.detail],
      ['error', 'Cannot close db · /bin/sh', 'paused'],
    );
    assert.deepEqual(
      useStore.getState().terminalSessions.map((x) => x.id),
      ['stuck'],
      'a session that could not be closed stays listed',
    );
    for (const t of useStore.getState().toasts) useStore.getState().dismissToast(t.id);
  });
});
