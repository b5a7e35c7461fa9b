// The channel lists the transports check requests against are derived from the typed maps: what the
// types let the UI call, the preload and the web-mode server let through. The `@ts-expect-error` lines
// are the proof at type level: typechecking fails if a list may lack a channel its map has, or hold
// one it has not (the directive itself is an error when the line below it compiles).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ChannelList,
  eventChannels,
  invokeChannels,
  isEventChannel,
  isInvokeChannel,
  type VolumesInvoke,
  volumesChannels,
} from './index.ts';

interface TwoChannels {
  'demo.one': { req: undefined; res: undefined };
  'demo.two': { req: { id: string }; res: string };
}

test('a list without one of its map’s channels, or with one more, does not typecheck', () => {
  // @ts-expect-error 'demo.two' is missing
  const missing: ChannelList<TwoChannels> = { 'demo.one': true };
  // @ts-expect-error 'demo.three' is not a channel of the map
  const extra: ChannelList<TwoChannels> = { 'demo.one': true, 'demo.two': true, 'demo.three': true };
  // @ts-expect-error a channel cannot be listed as absent
  const off: ChannelList<TwoChannels> = { 'demo.one': true, 'demo.two': false };
  const whole: ChannelList<TwoChannels> = { 'demo.one': true, 'demo.two': true };
  assert.deepEqual([missing, extra, off, whole].map(Object.keys), [
    ['demo.one'],
    ['demo.one', 'demo.two', 'demo.three'],
    ['demo.one', 'demo.two'],
    ['demo.one', 'demo.two'],
  ]);
});

test('the assembled lists hold every domain’s channels, each once', () => {
  const volumes = Object.keys(volumesChannels) as (keyof VolumesInvoke)[];
  assert.ok(volumes.length > 0);
  for (const c of volumes) assert.ok(invokeChannels.includes(c), c);
  assert.equal(new Set(invokeChannels).size, invokeChannels.length);
  assert.equal(new Set(eventChannels).size, eventChannels.length);
  for (const c of invokeChannels) assert.ok(isInvokeChannel(c) && !isEventChannel(c), c);
  for (const c of eventChannels) assert.ok(isEventChannel(c), c);
});

test('a name outside the maps is refused at run time (what an untyped caller could send)', () => {
  for (const c of ['volumes.nope', 'toString', '__proto__', 'constructor', '']) {
    assert.equal(isInvokeChannel(c), false, c);
    assert.equal(isEventChannel(c), false, c);
  }
});
