// The run handler against a real berthd (ports answered over 127.0.0.1). (Its checks alone:
// electron/main/container-run.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createEngineClient,
  createHandlers,
  dispatchInvoke,
  type Handlers,
} from '../../../electron/main/index.ts';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../../conformance/harness.ts';

describe('containers.run against berthd', () => {
  let daemon: Daemon;
  let h: Handlers;
  const run = (req: Parameters<Handlers['invoke']['containers.run']>[0]) =>
    dispatchInvoke(h, 'containers.run', req);
  const inspect = (name: string) => {
    const r = daemon.docker(['inspect', name]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as Record<string, unknown>[])[0] as {
      Config: { Entrypoint: string[] | null; Cmd: string[] | null };
      HostConfig: {
        NetworkMode: string;
        RestartPolicy: { Name: string; MaximumRetryCount: number };
        PortBindings: Record<string, { HostPort: string }[]>;
      };
    };
  };

  before(async () => {
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    h = createHandlers(createEngineClient(daemon.host));
  });
  after(async () => {
    if (daemon) {
      daemon.docker(['rm', '-f', 'unit-two-ports', 'unit-policy']);
      daemon.docker(['network', 'rm', 'unit-run-net']);
      await stopDaemon(daemon);
    }
  });

  test('a missing image is told apart, so that the UI can pull it first', async () => {
    const r = await run({ image: 'no-such-image:nope' });
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, 'run.image_not_found');
      assert.equal(r.error.message, "Unable to find image 'no-such-image:nope' locally");
    }
  });

  test('-p 8080:80 -p 8081:80: both host ports answer', async () => {
    const a = 21000 + Math.floor(Math.random() * 20000);
    const b = a + 1;
    const r = await run({
      image: 'busybox',
      name: 'unit-two-ports',
      cmd: ['sh', '-c', 'mkdir -p /www && echo hello-from-httpd > /www/index.html && httpd -f -p 80 -h /www'],
      ports: [
        { containerPort: 80, hostPort: a },
        { containerPort: 80, hostPort: b },
      ],
    });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(inspect('unit-two-ports').HostConfig.PortBindings['80/tcp'], [
      { HostIp: '', HostPort: String(a) },
      { HostIp: '', HostPort: String(b) },
    ]);
    for (const port of [a, b]) {
      await eventually(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/`).catch(() => null);
          return res?.ok && (await res.text()) === 'hello-from-httpd\n';
        },
        15_000,
        `port ${port} answers`,
      );
    }
  });

  test('restart policy, network and entrypoint land in the container', async () => {
    assert.equal(daemon.docker(['network', 'create', 'unit-run-net']).code, 0);
    const r = await run({
      image: 'busybox',
      name: 'unit-policy',
      entrypoint: ['sh', '-c'],
      cmd: ['sleep 300'],
      network: 'unit-run-net',
      restart: { name: 'on-failure', maxRetries: 4 },
    });
    assert.ok(r.ok, JSON.stringify(r));
    const c = inspect('unit-policy');
    assert.deepEqual(c.Config.Entrypoint, ['sh', '-c']);
    assert.deepEqual(c.Config.Cmd, ['sleep 300']);
    assert.equal(c.HostConfig.NetworkMode, 'unit-run-net');
    assert.deepEqual(c.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 4 });
    const nets = daemon.docker(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'unit-policy']);
    assert.ok(Object.keys(JSON.parse(nets.stdout) as object).includes('unit-run-net'), nets.stdout);
  });
});
