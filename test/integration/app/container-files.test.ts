// The Files and Stats tabs' handlers against a real berthd, and dockerd when there is one. (Decoding the
// archive API's answers: electron/main/container-files.test.ts.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { ContainerStatsSample } from '../../../electron/contract/index.ts';
import {
  createEngineClient,
  createHandlers,
  dispatchInvoke,
  dispatchStream,
  type Handlers,
} from '../../../electron/main/index.ts';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../../conformance/harness.ts';
import { readDownload, sendUpload, tarOf } from './transfer-test-helpers.ts';

const hasDockerd = spawnSync('dockerd', ['--version']).status === 0;

// dockerd too: the archive API is Docker's, and the handlers must read its answers the same way.
for (const kind of ['berthd', 'dockerd'] as const) {
  describe(`container files and stats against ${kind}`, {
    skip: kind === 'dockerd' && !hasDockerd && 'no dockerd',
  }, () => {
    let daemon: Daemon;
    let h: Handlers;
    let id: string;
    before(async () => {
      daemon = await startDaemon(kind);
      await loadBusybox(daemon);
      h = createHandlers(createEngineClient(daemon.host));
      const run = await dispatchInvoke(h, 'containers.run', {
        image: 'busybox',
        name: 'unit-files',
        cmd: [
          'sh',
          '-c',
          'mkdir -p /data/sub && echo hello > /data/hello.txt && ln -s hello.txt /data/link && ' +
            'while true; do head -c 200000 /dev/urandom | md5sum > /data/sum; sleep 0.2; done',
        ],
      });
      assert.ok(run.ok, JSON.stringify(run));
      id = run.value.id;
    });
    after(async () => {
      if (daemon) await stopDaemon(daemon);
    });

    test('containers.files lists a folder with types, sizes and modes', async () => {
      const r = (await eventually(async () => {
        const x = await dispatchInvoke(h, 'containers.files', { id, path: '/data' });
        return x.ok && x.value.entries.some((e) => e.name === 'sum') ? x : null;
      }))!;
      const byName = Object.fromEntries(r.value.entries.map((e) => [e.name, e]));
      assert.equal(r.value.path, '/data');
      assert.equal(r.value.truncated, false);
      assert.equal(byName['hello.txt']?.type, 'file');
      assert.equal(byName['hello.txt']?.size, 6);
      assert.equal(byName.sub?.type, 'dir');
      assert.equal(byName.link?.type, 'symlink');
      assert.equal(byName.link?.linkTarget, 'hello.txt');
      const root = await dispatchInvoke(h, 'containers.files', { id, path: '/' });
      assert.ok(root.ok, JSON.stringify(root));
      for (const d of ['bin', 'etc', 'data', 'proc']) {
        assert.ok(
          root.value.entries.some((e) => e.name === d),
          `${d} in / (${root.value.entries.map((e) => e.name)})`,
        );
      }
      const etc = await dispatchInvoke(h, 'containers.files', { id, path: 'etc/' });
      assert.ok(etc.ok);
      assert.equal(etc.value.path, '/etc');
      assert.ok(etc.value.entries.some((e) => e.name === 'hostname' && e.type === 'file'));
    });

    test('containers.download: a file the engine mounts in the container (/etc/hostname)', async () => {
      const hostname = await dispatchInvoke(h, 'containers.download', { id, path: '/etc/hostname' });
      assert.ok(hostname.ok, JSON.stringify(hostname));
      assert.equal(hostname.value.name, 'hostname');
      assert.equal((await readDownload(h, hostname.value)).toString(), `${id.slice(0, 12)}\n`);
    });

    test('containers.download: a file, through a symlink; missing paths and folders are errors', async () => {
      const link = await dispatchInvoke(h, 'containers.download', { id, path: '/data/link' });
      assert.ok(link.ok, JSON.stringify(link));
      assert.deepEqual(
        {
          name: link.value.name,
          size: link.value.size,
          text: (await readDownload(h, link.value)).toString(),
        },
        { name: 'hello.txt', size: 6, text: 'hello\n' },
      );
      const missing = await dispatchInvoke(h, 'containers.files', { id, path: '/no/such/dir' });
      assert.equal(missing.ok, false);
      if (!missing.ok) {
        assert.equal(missing.error.kind, 'not_found');
        assert.equal(missing.error.message, 'No such file or folder /no/such/dir in container unit-files');
      }
      const notFolder = await dispatchInvoke(h, 'containers.files', { id, path: '/etc/hostname' });
      assert.equal(notFolder.ok, false);
      const folder = await dispatchInvoke(h, 'containers.download', { id, path: '/etc' });
      assert.equal(folder.ok, false);
      if (!folder.ok) assert.equal(folder.error.code, 'files.not_a_file');
      const gone = await dispatchInvoke(h, 'containers.files', { id: 'no-such-container', path: '/' });
      assert.equal(gone.ok, false);
      if (!gone.ok) assert.equal(gone.error.kind, 'not_found');
    });

    test('containers.preview shows a text; upload by tar, new folder, delete while running', async () => {
      const text = await dispatchInvoke(h, 'containers.preview', { id, path: '/data/link' });
      assert.ok(text.ok, JSON.stringify(text));
      assert.deepEqual(text.value, {
        name: 'hello.txt',
        size: 6,
        kind: 'text',
        text: 'hello\n',
        truncated: false,
      });
      const up = await dispatchInvoke(h, 'containers.upload', { id, path: '/data/sub' });
      assert.ok(up.ok, JSON.stringify(up));
      const sent = await sendUpload(
        h,
        up.value,
        await tarOf([
          { name: 'up.txt', type: 'file', mode: 0o644, data: 'uploaded\n' },
          { name: 'in/deep.txt', type: 'file', mode: 0o644, data: 'deep\n' },
        ]),
      );
      assert.ok(sent.ok, JSON.stringify(sent));
      const cat = daemon.docker(['exec', 'unit-files', 'cat', '/data/sub/up.txt', '/data/sub/in/deep.txt']);
      assert.equal(cat.stdout, 'uploaded\ndeep\n', cat.stderr);
      assert.ok((await dispatchInvoke(h, 'containers.mkdir', { id, path: '/data/made' })).ok);
      const again = await dispatchInvoke(h, 'containers.mkdir', { id, path: '/data/made' });
      assert.equal(again.ok, false);
      if (!again.ok) assert.equal(again.error.message, '/data/made already exists');
      assert.equal(daemon.docker(['exec', 'unit-files', 'test', '-d', '/data/made']).code, 0);
      const del = await dispatchInvoke(h, 'containers.deletePath', { id, path: '/data/sub' });
      assert.ok(del.ok, JSON.stringify(del));
      assert.notEqual(daemon.docker(['exec', 'unit-files', 'test', '-e', '/data/sub']).code, 0);
      const root = await dispatchInvoke(h, 'containers.deletePath', { id, path: '/' });
      assert.equal(root.ok, false);
      const missing = await dispatchInvoke(h, 'containers.deletePath', { id, path: '/data/nope' });
      assert.equal(missing.ok, false);
      if (!missing.ok) assert.equal(missing.error.kind, 'not_found');
    });

    test('a stopped container: upload and new folder work, delete says it must run', async () => {
      const made = await dispatchInvoke(h, 'containers.run', {
        image: 'busybox',
        name: 'unit-stopped',
        cmd: ['true'],
      });
      assert.ok(made.ok, JSON.stringify(made));
      const stopped = made.value.id;
      await eventually(
        async () => daemon.docker(['inspect', '-f', '{{.State.Status}}', stopped]).stdout.trim() === 'exited',
      );
      assert.ok((await dispatchInvoke(h, 'containers.mkdir', { id: stopped, path: '/made' })).ok);
      const up = await dispatchInvoke(h, 'containers.upload', { id: stopped, path: '/made' });
      assert.ok(up.ok);
      assert.ok((await sendUpload(h, up.value, await tarOf([{ name: 'f', type: 'file', data: 'x' }]))).ok);
      const listed = await dispatchInvoke(h, 'containers.files', { id: stopped, path: '/made' });
      assert.ok(listed.ok);
      assert.deepEqual(
        listed.value.entries.map((e) => e.name),
        ['f'],
      );
      const del = await dispatchInvoke(h, 'containers.deletePath', { id: stopped, path: '/made/f' });
      assert.equal(del.ok, false);
      if (!del.ok) {
        assert.equal(del.error.kind, 'conflict');
        assert.match(
          del.error.message,
          /^unit-stopped is stopped: a container's files can be deleted only while it runs/,
        );
      }
      daemon.docker(['rm', '-f', 'unit-stopped']);
    });

    test('containers.stats streams a sample a second with CPU, memory and rates', async () => {
      const samples: ContainerStatsSample[] = [];
      const stop = dispatchStream(h, 'containers.stats', { id }, (m) => {
        if (m.type === 'event') samples.push(m.event);
      });
      await eventually(() => samples.length >= 3, 15_000, 'three samples');
      stop();
      const last = samples.at(-1)!;
      assert.ok(last.memoryUsage > 0, JSON.stringify(last));
      assert.ok(last.memoryLimit >= last.memoryUsage);
      assert.ok(last.onlineCpus >= 1);
      assert.ok(last.pids >= 1);
      assert.ok(
        samples.some((s) => s.cpuPercent > 0),
        `the busy loop shows CPU use (${samples.map((s) => s.cpuPercent)})`,
      );
      assert.ok(samples[1].time > samples[0].time);
    });
  });
}
