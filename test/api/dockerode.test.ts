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

  test('tty: resize reaches the terminal; detach keys leave the container running', async () => {
    const c = await docker.createContainer({
      Image: 'busybox',
      Cmd: ['sh'],
      Tty: true,
      OpenStdin: true,
      AttachStdin: true,
      AttachStdout: true,
    });
    await c.start();
    await c.resize({ h: 33, w: 101 });
    const stream = await c.attach({
      stream: true,
      stdin: true,
      stdout: true,
      hijack: true,
      detachKeys: 'ctrl-p,ctrl-q',
    });
    let out = '';
    stream.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const ended = new Promise((r) => stream.on('end', r));
    stream.write('stty size\n');
    await new Promise((r) => setTimeout(r, 500));
    assert.match(out, /33 101/);
    stream.write(Buffer.from([16, 17]));
    await ended;
    assert.equal((await c.inspect()).State.Running, true);
    await c.remove({ force: true });
  });

  test('exec resize on a tty exec', async () => {
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'] });
    await c.start();
    const exec = await c.exec({ Cmd: ['sh'], Tty: true, AttachStdin: true, AttachStdout: true });
    const stream = await exec.start({ hijack: true, stdin: true, Tty: true });
    let out = '';
    stream.on('data', (b: Buffer) => {
      out += b.toString();
    });
    await new Promise((r) => setTimeout(r, 300));
    await exec.resize({ h: 20, w: 70 });
    stream.write('stty size; exit 0\n');
    await new Promise((r) => stream.on('end', r));
    assert.match(out, /20 70/);
    assert.equal((await exec.inspect()).ExitCode, 0);
    await c.remove({ force: true });
  });

  test('stats stream: samples a second apart with precpu of the previous one', async () => {
    const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'while true; do :; done'] });
    await c.start();
    const stream = (await c.stats({ stream: true })) as unknown as NodeJS.ReadableStream;
    const samples: Array<{
      read: string;
      cpu_stats: { cpu_usage: { total_usage: number } };
      precpu_stats: { cpu_usage: { total_usage: number } };
      memory_stats: { usage: number };
    }> = [];
    let buf = '';
    await new Promise<void>((resolve) => {
      stream.on('data', (b: Buffer) => {
        buf += b.toString();
        let i = buf.indexOf('\n');
        while (i >= 0) {
          samples.push(JSON.parse(buf.slice(0, i)));
          buf = buf.slice(i + 1);
          i = buf.indexOf('\n');
        }
        if (samples.length >= 3) resolve();
      });
    });
    (stream as unknown as { destroy(): void }).destroy();
    assert.equal(samples[2].precpu_stats.cpu_usage.total_usage, samples[1].cpu_stats.cpu_usage.total_usage);
    assert.ok(samples[2].cpu_stats.cpu_usage.total_usage > samples[1].cpu_stats.cpu_usage.total_usage);
    assert.ok(samples[2].memory_stats.usage > 0);
    await c.remove({ force: true });
  });
});
