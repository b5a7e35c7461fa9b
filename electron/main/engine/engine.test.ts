// engine.info while the app's own berthd is still starting: `engine.starting`, not `unreachable`.
// (The engine channels against a real berthd: test/integration/app/engine.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManagedEngineInfo } from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { ManagedEngine } from '../managed-engine/managed-engine.ts';
import { engineHandlers } from './engine.ts';
import { createEngineClient } from './engine-client.ts';

const endpoint = 'unix:///tmp/berth-engine-test-no-such.sock';

function managed(starting: boolean, at = endpoint): ManagedEngine {
  const info: ManagedEngineInfo = { endpoint: at, running: starting, starting, logFile: '', dataRoot: '' };
  const nothing = async () => undefined;
  return {
    endpoint: at,
    info: () => info,
    start: nothing,
    stop: nothing,
    restart: nothing,
    resetData: async () => [],
    readLog: async () => ({ file: '', lines: [], truncated: false }),
  };
}

const code = async (m?: ManagedEngine) => {
  try {
    await engineHandlers(createEngineClient(endpoint), m)['engine.info'](undefined);
    return 'answered';
  } catch (err) {
    return err instanceof HandlerError ? err.code : String((err as Error).message);
  }
};

test('the app starting its own engine says so; otherwise a silent engine is an error as before', async () => {
  assert.equal(await code(managed(true)), 'engine.starting');
  assert.notEqual(await code(managed(false)), 'engine.starting');
  assert.notEqual(await code(managed(true, 'unix:///tmp/another.sock')), 'engine.starting');
  assert.notEqual(await code(undefined), 'engine.starting');
});
