// createHandlers answers exactly the contract's channels: every channel the preload and the web-mode
// server let through has a handler, and no handler waits on a channel the UI cannot name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventChannels, invokeChannels } from '../contract/index.ts';
import { createEngineClient, createHandlers } from './index.ts';

test('the handlers registered are the contract’s channels, no more, no fewer', async () => {
  const h = createHandlers(createEngineClient('unix:///tmp/berth-index-test-no-such.sock'));
  try {
    assert.deepEqual(Object.keys(h.invoke).sort(), [...invokeChannels].sort());
    assert.deepEqual(Object.keys(h.streams).sort(), [...eventChannels].sort());
  } finally {
    await h.dispose?.();
  }
});
