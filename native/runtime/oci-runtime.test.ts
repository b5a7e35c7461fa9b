import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { hostSys } from '../core/sys.ts';
import { OciRuntime } from './oci-runtime.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'berth-runtime-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in for runc's init: blocks opening the fifo for writing, writes one byte, goes on. */
function fakeInit(id: string, writes: boolean) {
  const dir = path.join(root, id);
  mkdirSync(dir);
  const fifo = path.join(dir, 'exec.fifo');
  execFileSync('mkfifo', [fifo]);
  const script = writes ? `printf 0 > ${fifo}; sleep 5` : 'sleep 0.2; exit 1';
  return { fifo, child: spawn('sh', ['-c', script], { stdio: 'ignore' }) };
}

test('start reads the exec fifo the way runc start does, and removes it', async () => {
  const rt = new OciRuntime('runc', '/nonexistent/runc', root, hostSys);
  const { fifo, child } = fakeInit('c1', true);
  await rt.start('c1', child.pid ?? 0);
  assert.equal(existsSync(fifo), false, 'a started container has no fifo: runc then reports running');
  child.kill();
});

test('a container whose init died before the start is an error, not a hang', async () => {
  const rt = new OciRuntime('runc', '/nonexistent/runc', root, hostSys);
  const { child } = fakeInit('c2', false);
  const exited = new Promise((r) => child.once('exit', r));
  await assert.rejects(rt.start('c2', child.pid ?? 0), /already dead/);
  await exited;
});

test('a process that ran and exited between two looks has started: its byte is read, not lost', async () => {
  const dir = path.join(root, 'c3');
  mkdirSync(dir);
  const fifo = path.join(dir, 'exec.fifo');
  execFileSync('mkfifo', [fifo]);
  // The first look at init finds it gone, having written its byte just before (a `RUN exit 3`).
  const sys = {
    ...hostSys,
    alive: () => {
      const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      writeSync(fd, '0');
      closeSync(fd);
      return false;
    },
  };
  const rt = new OciRuntime('runc', '/nonexistent/runc', root, sys);
  await rt.start('c3', 4_000_000);
  assert.equal(existsSync(fifo), false);
});
