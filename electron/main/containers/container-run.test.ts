// The run handler's checks, before the engine sees a request.
// (containers.run against a real berthd: test/integration/app/container-run.test.ts.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HandlerError } from '../ipc/errors.ts';
import { portBindings, validateRun } from './container-run.ts';

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
