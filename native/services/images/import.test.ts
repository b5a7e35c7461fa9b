import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { tarOf } from '../../../test/fixtures/images.ts';
import { applyChanges } from './changes.ts';
import { newService } from './test-helpers.ts';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});

test('--change lines in Dockerfile syntax build the runtime config', () => {
  const c = applyChanges({}, [
    'CMD ["/bin/app", "--flag"]',
    'ENTRYPOINT echo hi',
    'ENV A=1 B="two words"',
    'ENV C three',
    'EXPOSE 80 53/udp',
    'LABEL org.x=y "quoted key"=v',
    'USER app',
    'WORKDIR /srv',
    'VOLUME ["/data", "/logs"]',
    'STOPSIGNAL SIGINT',
    'ONBUILD RUN make',
  ]);
  assert.deepEqual(c.Cmd, ['/bin/app', '--flag']);
  assert.deepEqual(c.Entrypoint, ['/bin/sh', '-c', 'echo hi']);
  assert.deepEqual(c.Env, ['A=1', 'B=two words', 'C=three']);
  assert.deepEqual(c.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.equal(c.Labels?.['org.x'], 'y');
  assert.equal(c.User, 'app');
  assert.equal(c.WorkingDir, '/srv');
  assert.deepEqual(c.Volumes, { '/data': {}, '/logs': {} });
  assert.equal(c.StopSignal, 'SIGINT');
  assert.deepEqual(c.OnBuild, ['RUN make']);
  assert.throws(() => applyChanges({}, ['RUN rm -rf /']), /run is not a valid change command/);
});

test('import makes a one-layer image from a gzip tar with changes and a message', async () => {
  const t = await newService();
  roots.push(t.root);
  const layer = await tarOf([
    { name: 'bin/', type: 'directory' },
    { name: 'bin/app', data: '#!/bin/sh\necho app\n', mode: 0o755 },
  ]);
  const id = await t.svc.import(Readable.from([gzipSync(layer)]), {
    repo: 'imported',
    tag: '1',
    changes: ['CMD ["/bin/app"]', 'ENV MODE=test'],
    message: 'from a tarball',
  });
  assert.match(id, /^sha256:[a-f0-9]{64}$/);
  const img = (await t.svc.inspect('imported:1')) as {
    Id: string;
    Comment: string;
    Config: { Cmd: string[]; Env: string[] };
    RootFS: { Layers: string[] };
  };
  assert.equal(img.Id, id);
  assert.equal(img.Comment, 'from a tarball');
  assert.deepEqual(img.Config.Cmd, ['/bin/app']);
  assert.deepEqual(img.Config.Env, ['MODE=test']);
  const { createHash } = await import('node:crypto');
  assert.deepEqual(img.RootFS.Layers, [`sha256:${createHash('sha256').update(layer).digest('hex')}`]);
  const resolved = await t.svc.resolve(id);
  assert.equal((await fs.stat(path.join(resolved?.layerDirs[0] as string, 'bin/app'))).mode & 0o777, 0o755);
  assert.deepEqual(resolved?.config.history?.[0].comment, 'from a tarball');
  assert.deepEqual(
    t.events.map((e) => [e.Action, e.Actor.Attributes.name]),
    [['import', 'imported:1']],
  );
  const plain = await t.svc.import(Readable.from([layer]), {});
  assert.notEqual(plain, id, 'a different created time and no changes');
  assert.equal(
    (await t.svc.inspect(plain)) && ((await t.svc.inspect(plain)) as { Comment: string }).Comment,
    'Imported from -',
  );
  await assert.rejects(
    t.svc.import(Readable.from([layer]), { changes: ['FROM x'] }),
    /not a valid change command/,
  );
});
