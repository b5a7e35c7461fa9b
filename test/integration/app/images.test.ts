// Image handlers: pull, push, tag, history, layers and prune against a real berthd and Debian's
// docker-registry on 127.0.0.1. (References and progress: electron/main/image-transfers.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  ContractError,
  EventChannel,
  EventParams,
  TransferProgress,
} from '../../../electron/contract/index.ts';
import {
  createEngineClient,
  createHandlers,
  dispatchInvoke,
  dispatchStream,
  type Handlers,
} from '../../../electron/main/index.ts';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../../conformance/harness.ts';
import { type Registry, startRegistry } from '../../conformance/registry.ts';

describe('image handlers against berthd and a registry', () => {
  let daemon: Daemon;
  let reg: Registry;
  let h: Handlers;
  let ref: string;

  /** Runs a stream to its end: its events and its error. */
  const transfer = <C extends EventChannel>(channel: C, params: EventParams<C>) =>
    new Promise<{ events: TransferProgress[]; error?: ContractError }>((resolve) => {
      const events: TransferProgress[] = [];
      dispatchStream(h, channel, params, (m) => {
        if (m.type === 'event') events.push(m.event as TransferProgress);
        else resolve({ events, error: m.error });
      });
    });
  const tags = async () => {
    const r = await dispatchInvoke(h, 'images.list', undefined);
    assert.ok(r.ok);
    return r.value.flatMap((i) => i.tags);
  };

  before(async () => {
    reg = await startRegistry();
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    h = createHandlers(createEngineClient(daemon.host));
    ref = `${reg.host}/unit/busybox:1`;
  });
  after(async () => {
    if (daemon) await stopDaemon(daemon);
    await reg?.stop();
  });

  test('tag, then push with per-layer progress', async () => {
    const bad = await dispatchInvoke(h, 'images.tag', { id: 'busybox', ref: 'Not Valid' });
    assert.equal(bad.ok, false);
    const r = await dispatchInvoke(h, 'images.tag', { id: 'busybox:latest', ref });
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok((await tags()).includes(ref));
    const push = await transfer('images.push', { ref });
    assert.equal(push.error, undefined, JSON.stringify(push));
    assert.ok(
      push.events.some((e) => e.layer && e.status === 'Pushed'),
      JSON.stringify(push.events),
    );
    assert.ok(push.events.some((e) => !e.layer && /digest: sha256:/.test(e.status)));
  });

  test('pull from the registry into an engine without the image: downloads with bytes, completes', async () => {
    for (const t of [ref, 'busybox:latest'])
      assert.ok((await dispatchInvoke(h, 'images.remove', { id: t })).ok);
    assert.deepEqual(await tags(), []);
    const pull = await transfer('images.pull', { ref });
    assert.equal(pull.error, undefined, JSON.stringify(pull));
    const layer = pull.events.find((e) => e.layer)?.layer;
    assert.ok(layer);
    const statuses = pull.events.filter((e) => e.layer === layer).map((e) => e.status);
    assert.ok(statuses.includes('Pulling fs layer'), statuses.join());
    assert.equal(statuses.at(-1), 'Pull complete');
    assert.ok(pull.events.some((e) => e.layer && e.total && e.current !== undefined));
    assert.ok(pull.events.some((e) => e.status === `Status: Downloaded newer image for ${ref}`));
    assert.ok((await tags()).includes(ref));
  });

  test('a pull of a missing image ends with a not_found error', async () => {
    const pull = await transfer('images.pull', { ref: `${reg.host}/unit/nothing:here` });
    assert.equal(pull.error?.kind, 'not_found', JSON.stringify(pull));
    const bad = await transfer('images.pull', { ref: 'UPPER/case' });
    assert.equal(bad.error?.code, 'image.bad_ref');
  });

  test('history: each step with its command and size; layers: the files each one adds', async () => {
    const hist = await dispatchInvoke(h, 'images.history', { id: ref });
    assert.ok(hist.ok, JSON.stringify(hist));
    assert.ok(hist.value.length >= 1);
    assert.ok(hist.value[0].tags.includes(ref));
    assert.ok(hist.value.some((s) => s.size > 0 && s.createdBy.length > 0));
    const layers = await dispatchInvoke(h, 'images.layers', { id: ref });
    assert.ok(layers.ok, JSON.stringify(layers));
    assert.ok(
      layers.value[0].added.some((f) => /busybox$/.test(f)),
      JSON.stringify(layers.value[0].added),
    );
    assert.ok(layers.value[0].size > 0);
    const missing = await dispatchInvoke(h, 'images.layers', { id: 'no-such-image' });
    assert.equal(missing.ok, false);
    if (!missing.ok) assert.equal(missing.error.kind, 'not_found');
  });

  test('list names the containers using each image; run defaults; disk usage', async () => {
    const built = daemon.docker(['build', '-q', '-t', 'unit/exposed:1', '-'], {
      input: `FROM ${ref}\nEXPOSE 80 53/udp\nENTRYPOINT ["httpd"]\nCMD ["-f", "-p", "80"]\n`,
    });
    assert.equal(built.code, 0, built.stderr);
    assert.equal(daemon.docker(['create', '--name', 'unit-idle', 'unit/exposed:1']).code, 0);
    assert.equal(daemon.docker(['run', '-d', '--name', 'unit-busy', 'unit/exposed:1']).code, 0);
    const list = await dispatchInvoke(h, 'images.list', undefined);
    assert.ok(list.ok);
    const img = list.value.find((i) => i.tags.includes('unit/exposed:1'));
    assert.deepEqual(img?.usedBy.map((u) => [u.name, u.running]).sort(), [
      ['unit-busy', true],
      ['unit-idle', false],
    ]);
    assert.deepEqual(list.value.find((i) => i.tags.includes(ref))?.usedBy, []);
    const defaults = await dispatchInvoke(h, 'images.runDefaults', { id: 'unit/exposed:1' });
    assert.deepEqual(defaults, {
      ok: true,
      value: { exposedPorts: ['53/udp', '80/tcp'], entrypoint: ['httpd'], cmd: ['-f', '-p', '80'] },
    });
    const missing = await dispatchInvoke(h, 'images.runDefaults', { id: 'no/such:image' });
    assert.equal(missing.ok ? 'ok' : missing.error.kind, 'not_found');
    const du = await dispatchInvoke(h, 'images.diskUsage', undefined);
    assert.ok(du.ok && du.value.size > 0, JSON.stringify(du));
    daemon.docker(['rm', '-f', 'unit-idle', 'unit-busy']);
    daemon.docker(['rmi', 'unit/exposed:1']);
  });

  test('prune removes a dangling image and answers what it removed', async () => {
    assert.equal(daemon.docker(['run', '--name', 'unit-commit', ref, 'touch', '/x']).code, 0);
    const id = daemon.docker(['commit', 'unit-commit']).stdout.trim();
    assert.match(id, /^sha256:/);
    daemon.docker(['rm', 'unit-commit']);
    const r = await dispatchInvoke(h, 'images.prune', {});
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok(r.value.deleted.includes(id), JSON.stringify(r.value));
    assert.ok((await tags()).includes(ref), 'tagged images stay');
  });
});
