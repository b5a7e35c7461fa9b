// Image handlers: the reference parser and progress mapping, then pull, push, tag, history, layers and
// prune against a real berthd and Debian's docker-registry on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  ContractError,
  EventChannel,
  EventParams,
  TransferProgress,
} from '../../../electron/contract/index.ts';
import { HandlerError } from '../../../electron/main/errors.ts';
import { parseImageRef, toTransferProgress } from '../../../electron/main/image-transfers.ts';
import {
  createEngineClient,
  createHandlers,
  dispatchInvoke,
  dispatchStream,
  type Handlers,
} from '../../../electron/main/index.ts';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../../conformance/harness.ts';
import { type Registry, startRegistry } from '../../conformance/registry.ts';

describe('image references and progress', () => {
  test('parseImageRef splits registry, path, tag and digest', () => {
    assert.deepEqual(parseImageRef('busybox'), { repository: 'busybox' });
    assert.deepEqual(parseImageRef(' busybox:1.36 '), { repository: 'busybox', tag: '1.36' });
    assert.deepEqual(parseImageRef('127.0.0.1:5000/e2e/busybox'), {
      repository: '127.0.0.1:5000/e2e/busybox',
    });
    assert.deepEqual(parseImageRef('localhost:5000/a/b:t'), { repository: 'localhost:5000/a/b', tag: 't' });
    assert.deepEqual(parseImageRef(`busybox@sha256:${'a'.repeat(64)}`), {
      repository: 'busybox',
      digest: `sha256:${'a'.repeat(64)}`,
    });
    assert.deepEqual(parseImageRef('My.Registry:5000/x'), { repository: 'My.Registry:5000/x' });
    for (const bad of ['', 'Busybox', 'a b', 'busybox:', 'busybox:-x', 'x@sha256:zz', 'a//b']) {
      assert.throws(() => parseImageRef(bad), HandlerError, bad);
    }
  });

  test('toTransferProgress: layer lines, image lines, and errors', () => {
    assert.deepEqual(
      toTransferProgress('pull', {
        status: 'Downloading',
        id: '0123456789ab',
        progressDetail: { current: 5, total: 10 },
      }),
      { status: 'Downloading', layer: '0123456789ab', current: 5, total: 10 },
    );
    assert.deepEqual(
      toTransferProgress('pull', { status: 'Pull complete', id: '0123456789ab', progressDetail: {} }),
      {
        status: 'Pull complete',
        layer: '0123456789ab',
      },
    );
    assert.deepEqual(toTransferProgress('pull', { status: 'Pulling from busybox', id: 'latest' }), {
      status: 'latest: Pulling from busybox',
    });
    assert.equal(toTransferProgress('push', {}), undefined, 'aux messages show nothing');
    assert.throws(
      () =>
        toTransferProgress('pull', {
          errorDetail: { message: 'manifest unknown' },
          error: 'manifest unknown',
        }),
      (e: HandlerError) => e.kind === 'not_found' && e.code === 'image.pull_failed',
    );
    // A registry that wants a login, in dockerd's and berthd's words: forbidden, so the UI offers one.
    for (const error of [
      'unauthorized: authentication required',
      'no basic auth credentials',
      'denied: requested access to the resource is denied',
      'Head "http://127.0.0.1:5000/v2/x/manifests/1": no basic auth credentials',
    ]) {
      assert.throws(
        () => toTransferProgress('push', { error }),
        (e: HandlerError) => e.kind === 'forbidden',
        error,
      );
    }
  });
});

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
