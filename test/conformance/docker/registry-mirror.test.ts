import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../harness.ts';
import { type Registry, startRegistry } from '../registry.ts';

// Both engines accept dockerd's --registry-mirror flag; the mirror is a local docker-registry, so a Docker
// Hub name is served from it without any traffic leaving the machine.
describe(`--registry-mirror serves Docker Hub names (${process.env.BERTH_TARGET ?? 'berthd'})`, () => {
  let reg: Registry;
  let src: Daemon;
  let dst: Daemon;
  before(async () => {
    reg = await startRegistry();
    src = await startDaemon();
    await loadBusybox(src);
    src.docker(['tag', 'busybox', `${reg.host}/library/mirrored:1`]);
    const push = src.docker(['push', `${reg.host}/library/mirrored:1`]);
    assert.equal(push.code, 0, push.stderr);
    dst = await startDaemon(undefined, ['--registry-mirror', `http://${reg.host}`]);
  });
  after(async () => {
    await stopDaemon(src);
    await stopDaemon(dst);
    await reg.stop();
  });

  test('docker pull of a Hub name comes from the mirror', () => {
    const pull = dst.docker(['pull', 'mirrored:1']);
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(dst.docker(['run', '--rm', 'mirrored:1', 'echo', 'from-mirror']).stdout, 'from-mirror\n');
  });
});
