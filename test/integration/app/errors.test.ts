// toContractError with the errors dockerode really throws, from a real berthd: the engine's own message,
// as the docker CLI prints it after "Error response from daemon: ", without dockerode's "(HTTP code …)".
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createEngineClient, type EngineClient } from '../../../electron/main/engine/engine-client.ts';
import { toContractError } from '../../../electron/main/ipc/errors.ts';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../../conformance/harness.ts';

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected an error');
}

describe('toContractError with dockerode errors from berthd', () => {
  let daemon: Daemon;
  let client: EngineClient;
  before(async () => {
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    client = createEngineClient(daemon.host);
  });
  after(async () => {
    daemon?.docker(['rm', '-f', 'err-dup', 'err-busy']);
    if (daemon) await stopDaemon(daemon);
  });

  /** What the docker CLI says about the same request. */
  const cliMessage = (args: string[]) => {
    const r = daemon.docker(args);
    assert.notEqual(r.code, 0);
    const m = /Error response from daemon: (.*)/.exec(r.stderr);
    assert.ok(m, r.stderr);
    return m[1].trim();
  };

  test('409: a name in use', async () => {
    assert.equal(daemon.docker(['create', '--name', 'err-dup', 'busybox', 'true']).code, 0);
    const raw = (await thrown(client.docker.createContainer({ name: 'err-dup', Image: 'busybox' }))) as Error;
    assert.match(raw.message, /^\(HTTP code 409\)/, 'dockerode words it so');
    const e = toContractError(raw);
    assert.deepEqual(
      { kind: e.kind, code: e.code, message: e.message },
      {
        kind: 'conflict',
        code: 'http.409',
        message: cliMessage(['create', '--name', 'err-dup', 'busybox', 'true']),
      },
    );
    assert.doesNotMatch(e.message, /HTTP code|unexpected -/);
  });

  test('409: removing a running container', async () => {
    assert.equal(daemon.docker(['run', '-d', '--name', 'err-busy', 'busybox', 'sleep', '300']).code, 0);
    const e = toContractError(await thrown(client.docker.getContainer('err-busy').remove()));
    assert.equal(e.kind, 'conflict');
    assert.equal(e.message, cliMessage(['rm', 'err-busy']));
  });

  test('404: no such container, on a plain request and on a stream (where dockerode keeps no body)', async () => {
    const plain = toContractError(await thrown(client.docker.getContainer('err-none').inspect()));
    assert.deepEqual(
      { kind: plain.kind, message: plain.message },
      { kind: 'not_found', message: cliMessage(['inspect', '--type', 'container', 'err-none']) },
    );
    const stream = toContractError(
      await thrown(client.docker.getContainer('err-none').stats({ stream: true }) as Promise<Readable>),
    );
    assert.equal(stream.kind, 'not_found');
    assert.equal(stream.message, plain.message);
  });
});
