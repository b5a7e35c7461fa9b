import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Channel,
  decodeChannel,
  encodeChannel,
  errorChannelPayload,
  parseResize,
  portPrefix,
  protocolNamed,
  remoteCommandProtocols,
} from './channels.ts';

const proto = (name: string) => protocolNamed(remoteCommandProtocols, name)!;

test('channel messages: the channel in the first byte, or as a digit before base64', () => {
  const cases: { protocol: string; channel: number; data: string; wire: Buffer | string; binary: boolean }[] =
    [
      {
        protocol: 'v5.channel.k8s.io',
        channel: 1,
        data: 'hi',
        wire: Buffer.from([1, 0x68, 0x69]),
        binary: true,
      },
      { protocol: 'v4.channel.k8s.io', channel: 3, data: '', wire: Buffer.from([3]), binary: true },
      { protocol: 'channel.k8s.io', channel: 2, data: 'x', wire: Buffer.from([2, 0x78]), binary: true },
      { protocol: 'v4.base64.channel.k8s.io', channel: 1, data: 'hi', wire: '1aGk=', binary: false },
      { protocol: 'base64.channel.k8s.io', channel: 0, data: '\u00ff', wire: '0w78=', binary: false },
    ];
  for (const c of cases) {
    const p = proto(c.protocol);
    const [wire, binary] = encodeChannel(p, c.channel, Buffer.from(c.data));
    assert.deepEqual(wire, c.wire, c.protocol);
    assert.equal(binary, c.binary, c.protocol);
    const back = decodeChannel(p, typeof wire === 'string' ? Buffer.from(wire) : wire, binary);
    assert.deepEqual(back, { channel: c.channel, data: Buffer.from(c.data) }, c.protocol);
  }
  assert.equal(decodeChannel(proto('v5.channel.k8s.io'), Buffer.alloc(0), true), undefined);
  assert.deepEqual(decodeChannel(proto('v5.channel.k8s.io'), Buffer.from([255, 0]), true), {
    channel: Channel.close,
    data: Buffer.from([Channel.stdin]),
  });
});

test('the error channel: a Status from v4 on (exit codes as kubelet writes them), text before', () => {
  const json = (p: string, r: Parameters<typeof errorChannelPayload>[1]) =>
    JSON.parse(errorChannelPayload(proto(p), r)!.toString());
  assert.deepEqual(json('v5.channel.k8s.io', { exitCode: 0 }), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
  });
  const failed = json('v4.channel.k8s.io', { exitCode: 3 });
  assert.equal(failed.status, 'Failure');
  assert.equal(failed.reason, 'NonZeroExitCode');
  assert.deepEqual(failed.details.causes, [{ reason: 'ExitCode', message: '3' }]);
  const error = json('v5.channel.k8s.io', { error: 'exec: "x": executable file not found in $PATH' });
  assert.equal(error.reason, 'InternalError');
  assert.equal(error.code, 500);
  assert.match(error.message, /executable file not found/);
  // Before v4 the channel is a message, and nothing at all on success.
  assert.equal(errorChannelPayload(proto('channel.k8s.io'), { exitCode: 0 }), undefined);
  assert.match(String(errorChannelPayload(proto('channel.k8s.io'), { exitCode: 2 })), /exit code 2/);
});

test('resize messages and port prefixes', () => {
  assert.deepEqual(parseResize(Buffer.from('{"Width":120,"Height":40}')), { width: 120, height: 40 });
  // client-node's keys are lower-case; Go's decoder takes either.
  assert.deepEqual(parseResize(Buffer.from('{"width":100,"height":30}')), { width: 100, height: 30 });
  for (const bad of ['', '{', '{"Width":-1,"Height":2}', '{"Width":"a","Height":2}', 'null'])
    assert.equal(parseResize(Buffer.from(bad)), undefined, bad);
  assert.deepEqual(portPrefix(8080), Buffer.from([0x90, 0x1f]));
});
