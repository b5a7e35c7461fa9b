// The volume file handlers against berthd (its own routes) and dockerd (a helper container).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import {
  createEngineClient,
  createHandlers,
  dispatchInvoke,
  type Handlers,
} from '../../../electron/main/index.ts';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../../conformance/harness.ts';
import { readDownload, sendUpload, tarNames, tarOf } from './transfer-test-helpers.ts';

const hasDockerd = spawnSync('dockerd', ['--version']).status === 0;
/** A 1×1 PNG. */
const png =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

for (const kind of ['berthd', 'dockerd'] as const) {
  describe(`volume files against ${kind}`, {
    skip: kind === 'dockerd' && !hasDockerd && 'no dockerd',
  }, () => {
    let daemon: Daemon;
    let h: Handlers;
    const ok = (args: string[]) => {
      const r = daemon.docker(args);
      assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    /** What a container sees in a volume: every path, then every file's text. */
    const seen = (volume: string) =>
      ok([
        'run',
        '--rm',
        '-v',
        `${volume}:/v`,
        'busybox',
        'sh',
        '-c',
        'cd /v && find . | sort && for f in $(find . -type f | sort); do echo "$f: $(cat $f)"; done',
      ]);
    const invoke = async <T>(
      r: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>,
    ) => {
      const x = await r;
      assert.ok(x.ok, JSON.stringify(x));
      return x.value;
    };

    before(async () => {
      daemon = await startDaemon(kind);
      await loadBusybox(daemon);
      h = createHandlers(createEngineClient(daemon.host));
      ok([
        'run',
        '--rm',
        '-v',
        'vf-data:/v',
        'busybox',
        'sh',
        '-c',
        `echo hi > /v/hello.txt && mkdir /v/sub && echo deep > /v/sub/deep.txt && printf 'a\\0b' > /v/bin.dat && ` +
          `echo ${png} | base64 -d > /v/dot.png && ln -s /etc/passwd /v/esc`,
      ]);
    });
    after(async () => {
      if (daemon) await stopDaemon(daemon);
    });

    test('list, preview (text, picture, binary) and download', async () => {
      const root = await invoke(dispatchInvoke(h, 'volumes.files', { name: 'vf-data', path: '/' }));
      assert.deepEqual(root.map((e) => `${e.name} ${e.type}`).sort(), [
        'bin.dat file',
        'dot.png file',
        'esc symlink',
        'hello.txt file',
        'sub dir',
      ]);
      const text = await invoke(
        dispatchInvoke(h, 'volumes.preview', { name: 'vf-data', path: '/hello.txt' }),
      );
      assert.deepEqual(text, { name: 'hello.txt', size: 3, kind: 'text', text: 'hi\n', truncated: false });
      const pic = await invoke(dispatchInvoke(h, 'volumes.preview', { name: 'vf-data', path: 'dot.png' }));
      assert.deepEqual([pic.kind, pic.mime, pic.base64], ['image', 'image/png', png]);
      const bin = await invoke(dispatchInvoke(h, 'volumes.preview', { name: 'vf-data', path: '/bin.dat' }));
      assert.equal(bin.kind, 'binary');
      const ticket = await invoke(
        dispatchInvoke(h, 'volumes.download', { name: 'vf-data', path: '/sub/deep.txt' }),
      );
      assert.equal(ticket.name, 'deep.txt');
      assert.equal((await readDownload(h, ticket)).toString(), 'deep\n');
      const folder = await dispatchInvoke(h, 'volumes.download', { name: 'vf-data', path: '/sub' });
      assert.equal(folder.ok, false);
      if (!folder.ok) assert.match(folder.error.message, /not a regular file/);
      const missing = await dispatchInvoke(h, 'volumes.preview', { name: 'vf-data', path: '/nope' });
      assert.equal(missing.ok, false);
      if (!missing.ok) assert.equal(missing.error.kind, 'not_found');
      const gone = await dispatchInvoke(h, 'volumes.files', { name: 'no-such-volume', path: '/' });
      assert.equal(gone.ok, false);
      if (!gone.ok) assert.equal(gone.error.kind, 'not_found');
    });

    test('upload a tar into a folder, make a folder, delete', async () => {
      const up = await invoke(dispatchInvoke(h, 'volumes.upload', { name: 'vf-data', path: '/sub' }));
      const tar = await tarOf([
        { name: 'a.txt', type: 'file', data: 'uploaded\n' },
        { name: 'dir/b.txt', type: 'file', data: 'bee\n' },
      ]);
      const done = await sendUpload(h, up, tar, 100);
      assert.ok(done.ok, JSON.stringify(done));
      assert.match(
        seen('vf-data'),
        /\.\/sub\/a\.txt: uploaded\n\.\/sub\/deep\.txt: deep\n\.\/sub\/dir\/b\.txt: bee/,
      );
      await invoke(dispatchInvoke(h, 'volumes.mkdir', { name: 'vf-data', path: '/sub/made' }));
      const again = await dispatchInvoke(h, 'volumes.mkdir', { name: 'vf-data', path: '/sub/made' });
      assert.equal(again.ok, false);
      if (!again.ok) assert.equal(again.error.kind, 'conflict');
      assert.match(seen('vf-data'), /\.\/sub\/made\n/);
      await invoke(dispatchInvoke(h, 'volumes.deletePath', { name: 'vf-data', path: '/sub/dir' }));
      await invoke(dispatchInvoke(h, 'volumes.deletePath', { name: 'vf-data', path: '/sub/made' }));
      assert.doesNotMatch(seen('vf-data'), /sub\/dir|sub\/made/);
      const root = await dispatchInvoke(h, 'volumes.deletePath', { name: 'vf-data', path: '/' });
      assert.equal(root.ok, false);
      if (!root.ok) assert.match(root.error.message, /root folder of a volume cannot be deleted/);
      const outside = await dispatchInvoke(h, 'volumes.deletePath', {
        name: 'vf-data',
        path: '/../../etc/passwd',
      });
      assert.equal(outside.ok, false);
      if (!outside.ok) assert.equal(outside.error.kind, 'not_found');
      await invoke(dispatchInvoke(h, 'volumes.deletePath', { name: 'vf-data', path: '/sub/a.txt' }));
    });

    test('export to a tar, import it into a new volume, clone: the contents match', async () => {
      const ticket = await invoke(dispatchInvoke(h, 'volumes.export', { name: 'vf-data' }));
      assert.equal(ticket.name, 'vf-data.tar');
      const tar = await readDownload(h, ticket);
      assert.deepEqual(
        (await tarNames(tar)).filter((n) => !n.startsWith('./dot') && !n.startsWith('./bin')),
        ['./', './esc', './hello.txt=hi', './sub/', './sub/deep.txt=deep'],
      );
      const into = await invoke(dispatchInvoke(h, 'volumes.import', { name: 'vf-imported' }));
      const done = await sendUpload(h, into, tar);
      assert.ok(done.ok, JSON.stringify(done));
      assert.equal(seen('vf-imported'), seen('vf-data'));
      const full = await dispatchInvoke(h, 'volumes.import', { name: 'vf-data' });
      assert.equal(full.ok, false);
      if (!full.ok)
        assert.match(full.error.message, /vf-data is not empty: import into a new or an empty volume/);
      // A failed import leaves nothing behind: the volume it made goes again.
      const bad = await invoke(dispatchInvoke(h, 'volumes.import', { name: 'vf-bad' }));
      const failed = await sendUpload(h, bad, Buffer.from('this is not a tar, not even close'.repeat(40)));
      assert.equal(failed.ok, false);
      assert.doesNotMatch(ok(['volume', 'ls', '-q']), /vf-bad/);
      const clone = await invoke(dispatchInvoke(h, 'volumes.clone', { name: 'vf-data', target: 'vf-clone' }));
      assert.equal(clone.name, 'vf-clone');
      assert.equal(seen('vf-clone'), seen('vf-data'));
      const taken = await dispatchInvoke(h, 'volumes.clone', { name: 'vf-data', target: 'vf-clone' });
      assert.equal(taken.ok, false);
      if (!taken.ok) assert.equal(taken.error.kind, 'conflict');
      const badName = await dispatchInvoke(h, 'volumes.clone', { name: 'vf-data', target: '-x' });
      assert.equal(badName.ok, false);
      if (!badName.ok) assert.equal(badName.error.code, 'volume.bad_name');
      // No helper containers stay behind.
      assert.equal(ok(['ps', '-aq']).trim(), '');
      ok(['volume', 'rm', 'vf-data', 'vf-imported', 'vf-clone']);
    });
  });
}

describe('volume files on another engine without any image', { skip: !hasDockerd && 'no dockerd' }, () => {
  let daemon: Daemon;
  before(async () => {
    daemon = await startDaemon('dockerd');
  });
  after(async () => {
    if (daemon) await stopDaemon(daemon);
  });

  test("say that they need Berth's engine or an image for a helper", async () => {
    const h = createHandlers(createEngineClient(daemon.host));
    assert.ok((await dispatchInvoke(h, 'volumes.create', { name: 'bare' })).ok);
    for (const r of [
      await dispatchInvoke(h, 'volumes.files', { name: 'bare', path: '/' }),
      await dispatchInvoke(h, 'volumes.export', { name: 'bare' }),
      await dispatchInvoke(h, 'volumes.clone', { name: 'bare', target: 'bare2' }),
    ]) {
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.error.kind, 'unsupported');
        assert.match(r.error.message, /needs Berth's engine \(berthd\), or an image on this engine/);
      }
    }
    assert.equal(
      daemon.docker(['volume', 'ls', '-q']).stdout.trim(),
      'bare',
      'the failed clone left nothing',
    );
  });
});
