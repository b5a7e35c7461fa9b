import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Daemon, loadBusybox, startDaemon, stopDaemon, target } from '../harness.ts';

/** crun refuses hybrid hierarchies whose unified part has controllers; say so instead of failing. */
function crunUnavailable(): string | false {
  if (target === 'dockerd') return 'berthd-only: selects the OCI runtime';
  if (!existsSync('/usr/bin/crun')) return 'crun is not installed';
  const unified = '/sys/fs/cgroup/unified/cgroup.controllers';
  if (existsSync(unified) && readFileSync(unified, 'utf8').trim() !== '') {
    return 'crun refuses hybrid cgroup hierarchies with controllers in the unified part (this host); runc covers it';
  }
  return false;
}

const skip = crunUnavailable();

describe('berthd --runtime crun', () => {
  let d: Daemon;
  before(async () => {
    if (skip) return;
    d = await startDaemon('berthd', ['--runtime', 'crun']);
    await loadBusybox(d);
  });
  after(async () => {
    if (!skip) await stopDaemon(d);
  });

  test('runs containers, execs, and reports crun as the runtime', { skip }, () => {
    assert.equal(JSON.parse(d.docker(['info', '--format', '{{json .DefaultRuntime}}']).stdout), 'crun');
    const r = d.docker(['run', '--rm', '-m', '32m', 'busybox', 'sh', '-c', 'echo crun; exit 2']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, 'crun\n');
    d.docker(['run', '-d', '--name', 'cr', 'busybox', 'sleep', '60']);
    assert.equal(d.docker(['exec', 'cr', 'echo', 'in']).stdout, 'in\n');
    assert.equal(d.docker(['rm', '-f', 'cr']).code, 0);
  });
});
