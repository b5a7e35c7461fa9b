// The run handler: its checks alone, then against a real berthd (ports answered over 127.0.0.1).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { portBindings, validateRun } from '../../../electron/main/container-run.ts';
import { HandlerError } from '../../../electron/main/errors.ts';
import {
  createEngineClient,
  createHandlers,
  dispatchInvoke,
  type Handlers,
} from '../../../electron/main/index.ts';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../../conformance/harness.ts';

const code = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    return err instanceof HandlerError ? `${err.code}: ${err.message}` : String(err);
  }
  return 'ok';
};

describe('run requests', () => {
  test('one container port on two host ports: both bindings kept, in order', () => {
    const ports = [
      { containerPort: 80, hostPort: 8080 },
      { containerPort: 80, hostPort: 8081 },
      { containerPort: 53, protocol: 'udp' as const },
    ];
    assert.equal(
      code(() => validateRun({ image: 'busybox', ports })),
      'ok',
    );
    assert.deepEqual(portBindings(ports), {
      exposed: { '80/tcp': {}, '53/udp': {} },
      bindings: {
        '80/tcp': [
          { HostIp: '', HostPort: '8080' },
          { HostIp: '', HostPort: '8081' },
        ],
        '53/udp': [{ HostIp: '', HostPort: '' }],
      },
    });
  });

  test('a mapping listed twice, or one host port for two container ports, is refused in words', () => {
    assert.equal(
      code(() =>
        validateRun({
          image: 'busybox',
          ports: [
            { containerPort: 80, hostPort: 8080 },
            { containerPort: 80, hostPort: 8080, protocol: 'tcp' },
          ],
        }),
      ),
      'run.duplicate_port: the port mapping 8080:80/tcp is listed twice',
    );
    assert.match(
      code(() =>
        validateRun({
          image: 'busybox',
          ports: [
            { containerPort: 80, hostPort: 8080 },
            { containerPort: 81, hostPort: 8080 },
          ],
        }),
      ),
      /^run.duplicate_host_port: host port 8080\/tcp is mapped to both container port 80 and 81/,
    );
    assert.equal(
      code(() =>
        validateRun({
          image: 'busybox',
          ports: [
            { containerPort: 53, hostPort: 5353, protocol: 'udp' },
            { containerPort: 53, hostPort: 5353, protocol: 'tcp' },
          ],
        }),
      ),
      'ok',
      'the same number over tcp and udp is two ports',
    );
  });

  test('restart policies: the four names, retries with on-failure only', () => {
    for (const name of ['no', 'on-failure', 'always', 'unless-stopped'] as const)
      assert.equal(
        code(() => validateRun({ image: 'busybox', restart: { name } })),
        'ok',
      );
    assert.equal(
      code(() => validateRun({ image: 'busybox', restart: { name: 'on-failure', maxRetries: 3 } })),
      'ok',
    );
    assert.match(
      code(() => validateRun({ image: 'busybox', restart: { name: 'always', maxRetries: 3 } })),
      /^run.bad_restart: maximum retries apply to on-failure only/,
    );
    assert.match(
      code(() => validateRun({ image: 'busybox', restart: { name: 'sometimes' as 'no' } })),
      /^run.bad_restart: invalid restart policy "sometimes"/,
    );
  });
});

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
