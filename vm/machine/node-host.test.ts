import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { nodeHost } from './node-host.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-node-host-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('gunzipFile streams a gzip file into place; a file that is not gzip fails and leaves nothing', async () => {
  const host = nodeHost();
  const elf = randomBytes(3 * 1024 * 1024);
  writeFileSync(path.join(dir, 'vmlinux.gz'), gzipSync(elf));
  await host.gunzipFile(path.join(dir, 'vmlinux.gz'), path.join(dir, 'm', 'vmlinux'));
  assert.deepEqual(readFileSync(path.join(dir, 'm', 'vmlinux')), elf);
  assert.deepEqual(readdirSync(path.join(dir, 'm')), ['vmlinux'], 'no temporary file is left');

  writeFileSync(path.join(dir, 'bad.gz'), 'not gzip');
  await assert.rejects(host.gunzipFile(path.join(dir, 'bad.gz'), path.join(dir, 'n', 'vmlinux')), /header/);
  assert.deepEqual(readdirSync(path.join(dir, 'n')), []);
});
