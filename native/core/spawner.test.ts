import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ShellSpawner, shellQuote } from './spawner.ts';
import type { Sys } from './sys.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'berth-spawner-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const made: ShellSpawner[] = [];
after(() => {
  for (const s of made) s.close();
});

function spawner(fallback?: Sys): { sys: ShellSpawner; dir: string } {
  const dir = path.join(root, `s${dirs++}`);
  const sys = new ShellSpawner(dir, fallback);
  made.push(sys);
  return { sys, dir };
}

/** The processes whose parent is pid. */
function children(pid: number): number[] {
  const out: number[] = [];
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    const list = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
    if (list) out.push(...list.split(' ').map(Number));
  }
  return out;
}

describe('ShellSpawner', () => {
  test('a command gives its exit status, output and errors', async () => {
    const { sys } = spawner();
    const r = await sys.run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual(r, { code: 3, stdout: 'out\n', stderr: 'err\n' });
    assert.deepEqual(await sys.run('true', []), { code: 0, stdout: '', stderr: '' });
  });

  test('arguments reach the command byte for byte, whatever the shell would make of them', async () => {
    const { sys } = spawner();
    const args = ["it's", '$HOME', '`id`', '"a b"', 'two\nlines', '*', '; rm -rf /', '\\', ''];
    const r = await sys.run('printf', ['%s\\0', ...args]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.stdout.split('\0').slice(0, -1), args);
    assert.equal(shellQuote("a'b"), `'a'\\''b'`);
  });

  test('input goes to the command on its stdin; without input it reads nothing', async () => {
    const { sys } = spawner();
    const data = Buffer.from(`line 1\n${'x'.repeat(200_000)}\n`);
    const r = await sys.run('cat', [], { input: data });
    assert.equal(r.stdout, data.toString());
    assert.equal((await sys.run('cat', [])).stdout, '');
  });

  test('a command that does not exist is rejected as a spawn would reject it (ENOENT)', async () => {
    const { sys } = spawner();
    await assert.rejects(sys.run('no-such-command-berth', []), { code: 'ENOENT' });
    await assert.rejects(sys.run('/nonexistent/bin/x', []), { code: 'ENOENT' });
  });

  test('commands run side by side: one waits for what a later one does', async () => {
    const { sys, dir } = spawner();
    const flag = path.join(dir, '..', `flag-${process.pid}`);
    const waiting = sys.run('sh', ['-c', `while [ ! -e '${flag}' ]; do sleep 0.01; done; echo seen`]);
    await sys.run('touch', [flag]);
    assert.equal((await waiting).stdout, 'seen\n');
    rmSync(flag);
  });

  test('a timeout ends the command (SIGTERM: status 143)', async () => {
    const { sys } = spawner();
    const r = await sys.run('sleep', ['30'], { timeoutMs: 100 });
    assert.equal(r.code, 143);
  });

  test('nothing is left behind: no files in its folder, no child of the shell to reap', async () => {
    const { sys, dir } = spawner();
    await Promise.all(Array.from({ length: 30 }, (_, i) => sys.run('echo', [String(i)], { input: 'x' })));
    // Files go once each caller has its answer.
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(readdirSync(dir), []);
    const pid = sys.shellPid();
    assert.ok(pid);
    // The subshells that reported are reaped once the shell is idle (a moment after).
    for (let i = 0; i < 40 && children(pid).length; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(children(pid), []);
  });

  test('a shell that dies fails what was in flight with a message, and the next command starts a new one', async () => {
    const { sys } = spawner();
    const inFlight = sys.run('sleep', ['5']);
    await new Promise((r) => setTimeout(r, 50));
    const first = sys.shellPid();
    assert.ok(first);
    process.kill(first, 'SIGKILL');
    await assert.rejects(inFlight, /sleep: the engine's command shell exited/);
    assert.equal((await sys.run('echo', ['again'])).stdout, 'again\n');
    assert.notEqual(sys.shellPid(), first);
  });

  test('a command gets exactly the environment it is given, its working directory and its fd 3', async () => {
    const { sys, dir } = spawner();
    const out = path.join(dir, '..', `fd3-${process.pid}`);
    const r = await sys.run('sh', ['-c', 'echo "$A|$HOME|$(pwd)"; echo three >&3'], {
      env: { A: "it's $x", PATH: '/usr/bin:/bin', B: undefined },
      cwd: root,
      fd3: out,
    });
    assert.deepEqual(r, { code: 0, stdout: `it's $x||${root}\n`, stderr: '' });
    assert.equal(readFileSync(out, 'utf8'), 'three\n');
    rmSync(out);
    // Exactly: nothing of berthd's own environment (nor the PWD the shell exports) gets through.
    assert.ok(Object.keys(process.env).length > 2);
    const env = await sys.run('env', [], { env: { A: 'a b', Z: '' }, cwd: root });
    assert.deepEqual(env.stdout.split('\n').filter(Boolean).sort(), ['A=a b', 'Z=']);
    // A name the shell cannot assign still reaches the command (spawned instead).
    const odd = await sys.run('env', [], { env: { 'a.b': '1' } });
    assert.deepEqual(odd.stdout, 'a.b=1\n');
    // A folder that is not there fails the command, as a spawn fails.
    const missing = await sys.run('true', [], { cwd: path.join(root, 'nowhere') });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /nowhere/);
  });

  test('a command whose fd 3 is a FIFO no one reads yet still runs: no shell is left waiting in its open', async () => {
    // conmon's sync FIFO: an engine killed between making it and reading it must not leave the
    // command's two shells blocked for ever in open(2) (as `3>FIFO` would).
    const { sys, dir } = spawner();
    const fifo = path.join(dir, '..', `sync-${process.pid}`);
    execFileSync('mkfifo', [fifo]);
    try {
      const run = sys.run('sh', ['-c', 'echo ready >&3; echo ran'], { fd3: fifo });
      const hung = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000).unref());
      const r = await Promise.race([run, hung]);
      assert.deepEqual(r, { code: 0, stdout: 'ran\n', stderr: '' });
    } finally {
      // Where the shells did block (the failure above), a reader lets their open go on, so that they end.
      const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      await new Promise((r) => setTimeout(r, 100));
      closeSync(reader);
      rmSync(fifo);
    }
  });

  test('without a shell every command goes to the fallback', async () => {
    const dir = path.join(root, 'noshell');
    const sys = new ShellSpawner(dir, undefined, '/nonexistent/sh');
    assert.equal((await sys.run('echo', ['direct'])).stdout, 'direct\n');
    assert.equal(sys.shellPid(), undefined);
    assert.ok(existsSync(dir));
  });
});
