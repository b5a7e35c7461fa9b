import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngineClient, createHandlers, dispatchInvoke } from '../index.ts';
import { appShellHandlers } from './app-shell.ts';

test('app.openExternal hands http(s) URLs to the shell and refuses other schemes', async () => {
  const opened: string[] = [];
  const h = createHandlers(createEngineClient('unix:///tmp/berth-no-engine.sock'), {
    openExternal: async (url) => {
      opened.push(url);
    },
  });
  assert.ok((await dispatchInvoke(h, 'app.openExternal', { url: 'http://localhost:8080' })).ok);
  assert.deepEqual(opened, ['http://localhost:8080/']);
  for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'not a url']) {
    const r = await dispatchInvoke(h, 'app.openExternal', { url });
    assert.ok(!r.ok && r.error.code === 'app.bad_url', url);
  }
  assert.equal(opened.length, 1);
});

test('app.openExternal without a shell (web mode) is unsupported', async () => {
  await assert.rejects(appShellHandlers()['app.openExternal']({ url: 'http://localhost:1' }), {
    kind: 'unsupported',
  });
});
