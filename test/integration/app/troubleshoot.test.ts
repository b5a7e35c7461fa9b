// The real BerthdProcess against a real berthd on temporary roots: what the troubleshoot screen's
// restart and reset do. (What the handlers decide, with a fake engine: electron/main/troubleshoot.test.ts.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { pingEndpoint } from '../../../electron/main/engine/engine-endpoint.ts';
import { BerthdProcess } from '../../../electron/main/managed-engine/managed-engine.ts';
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
