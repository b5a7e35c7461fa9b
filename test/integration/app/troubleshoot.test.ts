// Troubleshoot handlers: with a fake ManagedEngine (the seam) for what they decide, and the real
// BerthdProcess against a real berthd on temporary roots for what it does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { EngineLogTail, ManagedEngineInfo } from '../../../electron/contract/index.ts';
import { createAppServices } from '../../../electron/main/app-services.ts';
import { pingEndpoint } from '../../../electron/main/engine-endpoint.ts';
import { dispatchInvoke } from '../../../electron/main/handlers.ts';
import { createHandlers } from '../../../electron/main/index.ts';
import { unavailableLoginItems } from '../../../electron/main/login-items.ts';
import { BerthdProcess, type ManagedEngine } from '../../../electron/main/managed-engine.ts';
import { cleanupNetwork, eventually, fixturesOut, repoRoot } from '../../conformance/harness.ts';
import { busyboxImageTar } from '../../fixtures/images.ts';

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

describe('BerthdProcess against a real berthd', {
  skip: process.getuid?.() === 0 ? false : 'berthd needs root',
}, () => {
  test('starts and logs to its file, restarts, and resetData wipes containers and volumes', async () => {
    const root = tmp('/tmp/bp-');
    const logFile = path.join(root, 'logs', 'berthd.log');
    const engine = new BerthdProcess({
      command: process.execPath,
      script: path.join(repoRoot, 'dist/berthd.js'),
      dataRoot: path.join(root, 'data'),
      execRoot: path.join(root, 'run'),
      logFile,
    });
    const docker = (...args: string[]) =>
      spawnSync('docker', args, { env: { ...process.env, DOCKER_HOST: engine.endpoint }, encoding: 'utf8' });
    try {
      await engine.start();
      const first = engine.info();
      assert.equal(first.running, true);
      assert.match(
        readFileSync(logFile, 'utf8'),
        /--- berthd started by Berth at .*\n[\s\S]*Daemon has completed initialization/,
      );
      const tail = await engine.readLog(2);
      assert.equal(tail.lines.length, 2);
      assert.match(tail.lines[1], /Daemon has completed initialization/);
      assert.equal(tail.truncated, true, 'older lines exist');

      await engine.restart();
      assert.notEqual(engine.info().pid, first.pid);
      assert.equal(docker('volume', 'create', 'doomed').status, 0);
      assert.equal(
        docker('load', '-i', await busyboxImageTar(fixturesOut, { tag: 'busybox:latest' })).status,
        0,
      );
      // A running container: its rootfs is mounted under the data root and its conmon outlives berthd.
      const run = docker(
        'run',
        '-d',
        '--name',
        'doomed-too',
        '-v',
        'doomed:/data',
        'busybox',
        'sleep',
        '300',
      );
      assert.equal(run.status, 0, run.stderr);

      assert.deepEqual(await engine.resetData(), [path.join(root, 'data')]);
      assert.equal(engine.info().running, true, 'started again');
      assert.equal(docker('volume', 'ls', '-q').stdout.trim(), '');
      assert.equal(docker('ps', '-aq').stdout.trim(), '');
      assert.equal(docker('images', '-q').stdout.trim(), '');
      assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(root), 'nothing left mounted');
    } finally {
      await engine.stop();
      cleanupNetwork(path.join(root, 'run'));
    }
    assert.equal(engine.info().running, false);
  });

  test('a berthd that cannot start says why, with the end of its log', async () => {
    const root = tmp('/tmp/bp-');
    const engine = new BerthdProcess({
      command: process.execPath,
      script: path.join(repoRoot, 'dist/berthd.js'),
      dataRoot: path.join(root, 'data'),
      execRoot: path.join(root, 'run'),
      logFile: path.join(root, 'berthd.log'),
      extraArgs: ['--log-level', 'shouting'],
    });
    await assert.rejects(engine.start(), /berthd exited \(\d+\):[\s\S]*invalid argument "shouting"/);
    assert.match(engine.info().autoRestart?.lastExit ?? '', /^did not start: berthd exited/);
    await engine.stop();
    assert.equal(engine.info().autoRestart, null, 'a stop cancels the next attempt');
  });

  test('killed, it is started again by itself after 1 s; stopped on purpose, it is not', async () => {
    const root = tmp('/tmp/bp-');
    const logFile = path.join(root, 'berthd.log');
    const engine = new BerthdProcess({
      command: process.execPath,
      script: path.join(repoRoot, 'dist/berthd.js'),
      dataRoot: path.join(root, 'data'),
      execRoot: path.join(root, 'run'),
      logFile,
    });
    try {
      await engine.start();
      const pid = engine.info().pid;
      assert.ok(pid);
      process.kill(pid, 'SIGKILL');
      await eventually(
        () => engine.info().autoRestart?.lastExit === 'was killed by SIGKILL',
        5000,
        'seen dead',
      );
      const pending = engine.info().autoRestart;
      assert.ok(pending && pending.inMs <= 1000 && pending.attempt === 1, JSON.stringify(pending));
      // Up again: a new process that answers, and nothing more pending.
      await eventually(() => engine.info().running && !engine.info().autoRestart, 30_000, 'started again');
      assert.notEqual(engine.info().pid, pid);
      await pingEndpoint(engine.endpoint, 2000);
      assert.equal(engine.info().autoRestart, null);
      assert.match(
        readFileSync(logFile, 'utf8'),
        /--- berthd was killed by SIGKILL; Berth starts it again in 1 s/,
      );
      await engine.stop();
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal(engine.info().running, false, 'a stop on purpose is not undone');
      assert.equal(engine.info().autoRestart, null);
    } finally {
      await engine.stop();
      cleanupNetwork(path.join(root, 'run'));
    }
  });
});
