import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { hostSys } from './sys.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'berth-sys-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('hostSys gives a command its environment, working directory and fd 3', async () => {
  const out = path.join(root, 'fd3');
  const r = await hostSys.run('/bin/sh', ['-c', 'echo "$A|$HOME|$(pwd)"; echo three >&3'], {
    env: { A: 'a b', PATH: '/usr/bin:/bin' },
    cwd: root,
    fd3: out,
    detached: true,
  });
  assert.deepEqual(r, { code: 0, stdout: `a b||${root}\n`, stderr: '' });
  assert.equal(readFileSync(out, 'utf8'), 'three\n');
});
