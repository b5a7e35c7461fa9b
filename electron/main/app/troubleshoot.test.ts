// Troubleshoot handlers with a fake ManagedEngine (the seam) for what they decide.
// (The real BerthdProcess against a real berthd: test/integration/app/troubleshoot.test.ts.)
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { EngineLogTail, ManagedEngineInfo } from '../../contract/index.ts';
import { createHandlers } from '../index.ts';
import { dispatchInvoke } from '../ipc/handlers.ts';
import type { ManagedEngine } from '../managed-engine/managed-engine.ts';
import { createAppServices } from './app-services.ts';
import { unavailableLoginItems } from './login-items.ts';

const made: string[] = [];
const tmp = (prefix = path.join(os.tmpdir(), 'berth-ts-')) => {
  const dir = mkdtempSync(prefix);
  made.push(dir);
  return dir;
};
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

class FakeEngine implements ManagedEngine {
  readonly endpoint = 'unix:///tmp/berth-fake-managed.sock';
  calls: string[] = [];
  info(): ManagedEngineInfo {
    return {
      endpoint: this.endpoint,
      running: true,
      starting: false,
      pid: 42,
      logFile: '/logs/berthd.log',
      dataRoot: '/var/lib/berth',
    };
  }
  async start() {
    this.calls.push('start');
  }
  async stop() {
    this.calls.push('stop');
  }
  async restart() {
    this.calls.push('restart');
  }
  async resetData() {
    this.calls.push('resetData');
    return ['/var/lib/berth'];
  }
  async readLog(maxLines: number): Promise<EngineLogTail> {
    this.calls.push(`readLog ${maxLines}`);
    return { file: '/logs/berthd.log', lines: ['ready'], truncated: false };
  }
}

async function setup(managed: ManagedEngine | null, env: NodeJS.ProcessEnv = {}) {
  const app = await createAppServices({
    env: { BERTH_CONFIG_DIR: tmp(), DOCKER_HOST: 'unix:///tmp/berth-ts-elsewhere.sock', ...env },
    loginItems: unavailableLoginItems('tests'),
    managed,
  });
  return { app, h: createHandlers(app.engine, undefined, app) };
}

describe('troubleshoot handlers', () => {
  test('an engine Berth did not start: a hint for its logs; no restart; reset deletes only the settings', async () => {
    const { app, h } = await setup(null);
    await app.settings.update({ theme: 'dark' });
    const info = await dispatchInvoke(h, 'troubleshoot.info', undefined);
    assert.ok(info.ok);
    assert.equal(info.value.managed, null);
    assert.match(
      info.value.logsHint,
      /Berth did not start the engine at unix:\/\/\/tmp\/berth-ts-elsewhere\.sock/,
    );
    assert.match(info.value.logsHint, /journalctl/);
    const logs = await dispatchInvoke(h, 'troubleshoot.engineLogs', {});
    assert.equal(logs.ok, false);
    if (!logs.ok) assert.equal(logs.error.kind, 'unsupported');
    const restart = await dispatchInvoke(h, 'troubleshoot.restartEngine', undefined);
    assert.equal(restart.ok, false);
    if (!restart.ok) assert.equal(restart.error.code, 'engine.not_managed');
    const reset = await dispatchInvoke(h, 'troubleshoot.reset', undefined);
    assert.ok(reset.ok);
    assert.deepEqual(reset.value.deleted, [app.paths.settingsFile]);
    assert.equal(existsSync(app.paths.settingsFile), false);
  });

  test('the engine Berth started: its log, restart, and a reset that wipes it first and goes back to it', async () => {
    const fake = new FakeEngine();
    const { app, h } = await setup(fake, { DOCKER_HOST: '' });
    assert.equal(app.engine.endpoint, fake.endpoint, 'the default is the engine Berth manages');
    await app.settings.update({ endpoint: 'unix:///tmp/berth-ts-other.sock' });
    app.engine.switchTo('unix:///tmp/berth-ts-other.sock');
    const info = await dispatchInvoke(h, 'troubleshoot.info', undefined);
    assert.ok(info.ok);
    assert.equal(info.value.managed?.dataRoot, '/var/lib/berth');
    const logs = await dispatchInvoke(h, 'troubleshoot.engineLogs', { lines: 10_000_000 });
    assert.ok(logs.ok);
    assert.deepEqual(logs.value.lines, ['ready']);
    assert.ok((await dispatchInvoke(h, 'troubleshoot.restartEngine', undefined)).ok);
    const reset = await dispatchInvoke(h, 'troubleshoot.reset', undefined);
    assert.ok(reset.ok);
    assert.deepEqual(reset.value.deleted, ['/var/lib/berth', app.paths.settingsFile]);
    assert.deepEqual(fake.calls, ['readLog 20000', 'restart', 'resetData']);
    assert.equal(app.engine.endpoint, fake.endpoint, 'back on the default endpoint');
  });
});
