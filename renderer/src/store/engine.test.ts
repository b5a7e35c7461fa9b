// The engine slice against a fake BerthApi (the transport seam): who runs a silent engine, the Restart
// action's toasts, and the selectors the list screens grey their rows with.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type {
  BerthApi,
  ContractError,
  EngineInfo,
  EngineStatus,
  InvokeChannel,
  Result,
} from '../../../electron/contract/index.ts';
import { setApi } from '../api/client.ts';
import { engineDown, engineUp, useStore } from './index.ts';

const initial = useStore.getState();

const info: EngineInfo = {
  reachable: true,
  endpoint: 'unix:///run/berth/docker.sock',
  version: '0.1.0',
  apiVersion: '1.47',
  os: 'linux',
  arch: 'amd64',
  kernelVersion: '6',
  containers: 0,
  containersRunning: 0,
  containersPaused: 0,
  containersStopped: 0,
  images: 0,
};
const down: ContractError = {
  kind: 'unreachable',
  code: 'engine.econnrefused',
  message: 'connect ECONNREFUSED',
};
const status: EngineStatus = {
  endpoint: info.endpoint,
  managed: {
    endpoint: info.endpoint,
    running: false,
    starting: false,
    logFile: '/logs/berthd.log',
    dataRoot: '/var/lib/berth',
    autoRestart: { attempt: 1, inMs: 1000, lastExit: 'was killed by SIGKILL' },
  },
};

/** An engine that is up or not, and a restart that works or not; `calls` records the channels. */
function fakeApi(engine: { up: boolean; restartError?: ContractError }, calls: string[]): BerthApi {
  const handle = (channel: InvokeChannel): Result<unknown> => {
    calls.push(channel);
    if (channel === 'engine.info') return engine.up ? { ok: true, value: info } : { ok: false, error: down };
    if (channel === 'engine.status') return { ok: true, value: status };
    if (channel === 'troubleshoot.restartEngine') {
      if (engine.restartError) return { ok: false, error: engine.restartError };
      engine.up = true;
      return { ok: true, value: undefined };
    }
    return { ok: true, value: undefined };
  };
  return {
    invoke: (async (channel: InvokeChannel) => handle(channel)) as BerthApi['invoke'],
    subscribe: () => () => undefined,
  };
}

describe('engine slice', () => {
  let calls: string[];
  beforeEach(() => {
    useStore.setState(initial, true);
    calls = [];
  });

  test('an engine that answers: no status asked; engineUp', async () => {
    setApi(fakeApi({ up: true }, calls));
    assert.equal(engineUp(useStore.getState()), false, 'not known yet');
    assert.equal(engineDown(useStore.getState()), false);
    await useStore.getState().refreshEngine();
    assert.deepEqual(calls, ['engine.info']);
    assert.equal(engineUp(useStore.getState()), true);
  });

  test('a silent engine: who runs it and when it restarts, kept with the time it arrived; engineDown', async () => {
    setApi(fakeApi({ up: false }, calls));
    const before = Date.now();
    await useStore.getState().refreshEngine();
    const s = useStore.getState();
    assert.deepEqual(calls, ['engine.info', 'engine.status']);
    assert.equal(s.engineError?.code, 'engine.econnrefused');
    assert.deepEqual(s.engineStatus, status);
    assert.ok(s.engineStatusAt >= before && s.engineStatusAt <= Date.now());
    assert.equal(engineDown(s), true);
    assert.equal(engineUp(s), false);
  });

  test('Restart: the engine answers again and a toast says so; a failed one says why', async () => {
    const engine = { up: false };
    setApi(fakeApi(engine, calls));
    await useStore.getState().refreshEngine();
    await useStore.getState().restartManagedEngine();
    assert.equal(useStore.getState().engineError, null);
    assert.equal(useStore.getState().engineRestarting, false);
    assert.deepEqual(
      useStore.getState().toasts.map((t) => [t.kind, t.message]),
      [['success', 'The engine restarted and answers again']],
    );

    useStore.setState({ toasts: [] });
    const refused: ContractError = {
      kind: 'internal',
      code: 'engine.start_failed',
      message: 'pid file found',
    };
    setApi(fakeApi({ up: false, restartError: refused }, calls));
    await useStore.getState().restartManagedEngine();
    const [toast] = useStore.getState().toasts;
    assert.deepEqual(
      [toast.kind, toast.message, toast.detail],
      ['error', 'Cannot restart the engine', 'pid file found'],
    );
    assert.equal(engineDown(useStore.getState()), true);
  });
});
