import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';

function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    stream.on('data', (d: Buffer) => {
      s += d.toString();
    });
    stream.on('end', () => resolve(s));
  });
}

describe('dockerode against the engine', () => {
  let d: Daemon;
  let docker: Docker;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
    docker = new Docker({ socketPath: d.socket });
  });
  after(async () => stopDaemon(d));

  test('create, attach, start, wait and remove', async () => {
    const c = await docker.createContainer({
      Image: 'busybox',
      Cmd: ['sh', '-c', 'echo to-out; echo to-err >&2; exit 2'],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await c.attach({ stream: true, stdout: true, stderr: true });
    const out = new PassThrough();
    const err = new PassThrough();
    docker.modem.demuxStream(stream, out, err);
    const outText = collect(out);
    const errText = collect(err);
    stream.on('end', () => {
      out.end();
      err.end();
    });
    await c.start();
    const res = await c.wait();
    assert.equal(res.StatusCode, 2);
    assert.equal(await outText, 'to-out\n');
    assert.equal(await errText, 'to-err\n');
    const info = await c.inspect();
    assert.equal(info.State.ExitCode, 2);
    await c.remove();
    await assert.rejects(c.inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  test('hijacked attach carries stdin', async () => {
    const c = await docker.createContainer({
      Image: 'busybox',
      Cmd: ['sh', '-c', 'read line; echo "echo:$line"'],
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
    });
    const stream = await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
    const out = new PassThrough();
    docker.modem.demuxStream(stream, out, new PassThrough());
    let text = '';
    out.on('data', (b: Buffer) => {
      text += b.toString();
    });
    await c.start();
    stream.write('berth\n');
    await c.wait();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(text, 'echo:berth\n');
    await c.remove({ force: true });
  });

  test('exec with output and exit code', async () => {
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'] });
    await c.start();
    const exec = await c.exec({
      Cmd: ['sh', '-c', 'echo exec-out; exit 3'],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = new PassThrough();
    docker.modem.demuxStream(stream, out, new PassThrough());
    let text = '';
    out.on('data', (b: Buffer) => {
      text += b.toString();
    });
    await new Promise((r) => stream.on('end', r));
    const info = await exec.inspect();
    assert.equal(info.ExitCode, 3);
    assert.equal(info.Running, false);
    assert.equal(text, 'exec-out\n');
    await c.remove({ force: true });
  });

  test('list, logs and errors through the library', async () => {
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['echo', 'logged'], name: 'dlogs' });
    await c.start();
    await c.wait();
    const logs = (await c.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    assert.equal(logs.subarray(8).toString(), 'logged\n');
    const list = await docker.listContainers({ all: true, filters: { name: ['dlogs'] } });
    assert.equal(list.length, 1);
    assert.equal(list[0].Names[0], '/dlogs');
    await assert.rejects(
      docker.createContainer({ Image: 'busybox', name: 'dlogs' }),
      (e: { statusCode?: number }) => e.statusCode === 409,
    );
    await c.remove();
  });
});
