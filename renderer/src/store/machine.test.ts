// The machine slice against a fake BerthApi (the transport seam): the events stream, the state shown
// at once, actions with their toasts, settings with "applies at restart", and the boot and console views.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type {
  BerthApi,
  EventChannel,
  InvokeChannel,
  MachineEventView,
  MachineStatusView,
  Result,
  StreamMessage,
} from '../../../electron/contract/index.ts';
import { setApi } from '../api/client.ts';
import { bootLines, consoleLines, machineNotRunning, useStore } from './index.ts';

const initial = useStore.getState();

const status = (patch: Partial<MachineStatusView> = {}): MachineStatusView => ({
  inUse: true,
  state: 'stopped',
  provider: 'qemu',
  agent: false,
  restartNeeded: false,
  reset: { deletes: ['/h/.berth/machines/default'], keeps: ['settings'] },
  agentLog: '/h/.berth/logs/agent.log',
  ...patch,
});

function fakeApi(handle: (channel: InvokeChannel, req: unknown) => Result<unknown>) {
  const calls: string[] = [];
  let push: ((m: StreamMessage<EventChannel>) => void) | null = null;
  const api: BerthApi = {
    invoke: (async (channel: InvokeChannel, req: unknown) => {
      calls.push(channel);
      return handle(channel, req);
    }) as BerthApi['invoke'],
    subscribe: ((channel: EventChannel, _p: unknown, on: (m: StreamMessage<EventChannel>) => void) => {
      calls.push(`subscribe ${channel}`);
      push = on;
      return () => {
        push = null;
      };
    }) as BerthApi['subscribe'],
  };
  const send = (event: MachineEventView) => push?.({ type: 'event', event } as StreamMessage<EventChannel>);
  return { api, calls, send, subscribed: () => push !== null };
}

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('machine slice', () => {
  beforeEach(() => useStore.setState(initial, true));

  test('events: the state shows at once, the status is fetched again, a connection refreshes the engine', async () => {
    let current = status();
    const f = fakeApi((channel) => {
      if (channel === 'machine.status') return ok(current);
      if (channel === 'containers.list' || channel === 'images.list') return ok([]);
      return { ok: false, error: { kind: 'unreachable', code: 'x', message: 'x' } };
    });
    setApi(f.api);
    await useStore.getState().loadMachine();
    assert.equal(machineNotRunning(useStore.getState().machine), true);
    const stop = useStore.getState().watchMachine();
    assert.ok(f.calls.includes('subscribe machine.events'));
    f.send({ type: 'state', state: 'starting', at: 1 });
    assert.equal(useStore.getState().machine?.state, 'starting', 'before any status call answers');
    f.send({ type: 'progress', kind: 'stage', stage: 'kernel', text: 'booting', at: 2 });
    current = status({ state: 'running', docker: 'unix:///h/.berth/run/docker.sock', agent: true });
    f.send({ type: 'state', state: 'running', at: 3 });
    f.send({ type: 'connected', docker: 'unix:///h/.berth/run/docker.sock', at: 4 });
    await settle();
    assert.equal(useStore.getState().machine?.docker, 'unix:///h/.berth/run/docker.sock');
    assert.equal(machineNotRunning(useStore.getState().machine), false);
    assert.ok(f.calls.includes('engine.info') && f.calls.includes('containers.list'));
    assert.equal(useStore.getState().machineEvents.length, 4);
    // The SSH link's state shows as it changes, with no status call (which would still say connected).
    const statusCalls = f.calls.filter((c) => c === 'machine.status').length;
    const reconnecting = 'reconnecting (attempt 2, next in 1 s): connection reset';
    f.send({ type: 'link', link: { state: 'reconnecting', text: reconnecting }, at: 5 });
    assert.deepEqual(useStore.getState().machine?.link, { state: 'reconnecting', text: reconnecting });
    assert.equal(useStore.getState().machine?.state, 'running');
    assert.equal(f.calls.filter((c) => c === 'machine.status').length, statusCalls);
    assert.ok(consoleLines(useStore.getState().machineEvents).at(-1)?.endsWith(`[ssh] ${reconnecting}`));
    f.send({ type: 'link', link: { state: 'connected', text: 'connected' }, at: 6 });
    assert.equal(useStore.getState().machine?.link?.state, 'connected');
    f.send({ type: 'state', state: 'error', reason: 'qemu was killed', at: 5 });
    assert.equal(useStore.getState().machine?.reason, 'qemu was killed');
    stop();
    assert.equal(f.subscribed(), false);
  });

  test('an action: busy while it runs, the answer kept, a toast either way', async () => {
    const f = fakeApi((channel) => {
      if (channel === 'machine.start') return ok(status({ state: 'running', agent: true }));
      if (channel === 'machine.stop')
        return { ok: false, error: { kind: 'internal', code: 'machine.stop_failed', message: 'it hangs' } };
      if (channel === 'machine.status') return ok(status({ state: 'running' }));
      return { ok: false, error: { kind: 'unreachable', code: 'x', message: 'x' } };
    });
    setApi(f.api);
    const p = useStore.getState().machineAction('start');
    assert.equal(useStore.getState().machineBusy, 'start');
    assert.equal(await useStore.getState().machineAction('stop'), null, 'one action at a time');
    assert.equal(await p, null);
    assert.equal(useStore.getState().machineBusy, null);
    assert.equal(useStore.getState().machine?.state, 'running');
    const err = await useStore.getState().machineAction('stop');
    assert.equal(err?.message, 'it hangs');
    assert.equal(f.calls.filter((c) => c === 'machine.stop').length, 1, 'the refused one never went out');
    const toasts = useStore.getState().toasts.map((t) => [t.kind, t.message, t.detail ?? '']);
    assert.deepEqual(toasts, [
      ['success', 'The machine runs', ''],
      ['error', 'The machine did not stop', 'it hangs'],
    ]);
  });

  test('settings: saved ones kept, restartNeeded on the status, a refusal returned', async () => {
    const f = fakeApi((channel, req) => {
      if (channel === 'machine.status') return ok(status({ state: 'running' }));
      if (channel === 'machine.updateSettings') {
        const r = req as { diskGiB?: number; cpus?: number };
        if (r.diskGiB && r.diskGiB < 60)
          return {
            ok: false,
            error: { kind: 'invalid_argument', code: 'machine.settings_refused', message: 'cannot shrink' },
          };
        return ok({
          settings: {
            cpus: r.cpus ?? 2,
            memoryMiB: 2048,
            diskGiB: 60,
            kubernetes: false,
            shareHome: true,
            startOnLaunch: true,
          },
          restartNeeded: true,
        });
      }
      return { ok: false, error: { kind: 'unreachable', code: 'x', message: 'x' } };
    });
    setApi(f.api);
    await useStore.getState().loadMachine();
    assert.equal(await useStore.getState().updateMachineSettings({ cpus: 4 }), null);
    assert.equal(useStore.getState().machineSettings?.cpus, 4);
    assert.equal(useStore.getState().machine?.restartNeeded, true);
    const err = await useStore.getState().updateMachineSettings({ diskGiB: 40 });
    assert.equal(err?.kind, 'invalid_argument');
    assert.equal(useStore.getState().machineSettings?.cpus, 4, 'a refusal changes nothing');
  });

  test('boot lines are those of the last start; the console keeps every line, with the agent’s marked', () => {
    const events: MachineEventView[] = [
      { type: 'state', state: 'starting', at: 0 },
      { type: 'progress', kind: 'stage', stage: 'old', text: 'first boot', at: 1 },
      { type: 'state', state: 'stopped', at: 2 },
      { type: 'state', state: 'starting', at: 3 },
      { type: 'progress', kind: 'stage', stage: 'kernel', text: 'booting', at: 4 },
      {
        type: 'notice',
        level: 'warning',
        code: 'accel.fallback',
        message: 'the machine runs under TCG and will be slow',
        at: 5,
      },
      { type: 'log', source: 'console', line: '[    0.000000] Linux version 6.1', at: 6 },
      { type: 'log', source: 'agent', line: 'launching the Berth agent', at: Date.UTC(2026, 0, 1, 10, 2, 3) },
    ];
    assert.deepEqual(
      bootLines(events).map((e) => (e.type === 'progress' ? e.stage : e.type)),
      ['kernel', 'notice'],
    );
    const lines = consoleLines(events);
    assert.ok(lines.includes('[    0.000000] Linux version 6.1'), 'console lines as the guest wrote them');
    assert.ok(lines.includes('10:02:03 [agent] launching the Berth agent'));
    assert.ok(lines.some((l) => l.endsWith('[warning] the machine runs under TCG and will be slow')));
    assert.ok(
      lines.some((l) => l.endsWith('[kernel] booting')),
      'the stages too',
    );
  });
});
