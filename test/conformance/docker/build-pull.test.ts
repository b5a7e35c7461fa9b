import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../harness.ts';
import { type Registry, startRegistry } from '../registry.ts';

describe(`docker build pulls its base image (${process.env.BERTH_TARGET ?? 'berthd'})`, () => {
  let reg: Registry;
  let src: Daemon;
  let dst: Daemon;
  let base: string;
  before(async () => {
    reg = await startRegistry();
    src = await startDaemon();
    await loadBusybox(src);
    base = `${reg.host}/base/box:1`;
    src.docker(['tag', 'busybox', base]);
    const push = src.docker(['push', base]);
    assert.equal(push.code, 0, push.stderr);
    dst = await startDaemon();
  });
  after(async () => {
    await stopDaemon(src);
    await stopDaemon(dst);
    await reg.stop();
  });

  test('a missing FROM image is pulled; --pull pulls again', (t) => {
    const dir = mkdtempSync('/tmp/ctx-');
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${base}\nRUN echo pulled > /p\nCMD ["cat", "/p"]\n`);
    const b = dst.docker(['build', '-t', 'onpulled:1', dir]);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /Pulling from base\/box/);
    assert.equal(dst.docker(['run', '--rm', 'onpulled:1']).stdout, 'pulled\n');
    const again = dst.docker(['build', '--pull', '-t', 'onpulled:1', dir]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Pulling from base\/box|Image is up to date/);
  });
});
