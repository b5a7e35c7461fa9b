import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exitCodeOf, healthOf, toSummary } from './container-summary.ts';

test('health comes from the Health field, else from the status words of dockerd and berthd', () => {
  assert.equal(healthOf({ Status: 'Up 3 minutes (unhealthy)' }), 'unhealthy');
  assert.equal(healthOf({ Status: 'Up 3 minutes (healthy)' }), 'healthy');
  assert.equal(healthOf({ Status: 'Up Less than a second (health: starting)' }), 'starting');
  assert.equal(healthOf({ Status: 'Up 3 minutes (Paused)' }), undefined);
  assert.equal(healthOf({ Status: 'Up 3 minutes', Health: { Status: 'unhealthy' } }), 'unhealthy');
  assert.equal(healthOf({ Status: 'Up 3 minutes', Health: { Status: 'none' } }), undefined);
});

test('the exit code of an exited or restarting container', () => {
  assert.equal(exitCodeOf('Exited (137) 2 minutes ago'), 137);
  assert.equal(exitCodeOf('Restarting (1) 3 seconds ago'), 1);
  assert.equal(exitCodeOf('Exited'), undefined);
  assert.equal(exitCodeOf('Up 2 seconds'), undefined);
});

test('a compose container carries its project, service and working dir', () => {
  const s = toSummary({
    Id: 'abc',
    Names: ['/shop_web_1'],
    Image: 'busybox',
    State: 'exited',
    Status: 'Exited (2) 1 second ago',
    Created: 1,
    Labels: {
      'com.docker.compose.project': 'shop',
      'com.docker.compose.service': 'web',
      'com.docker.compose.project.working_dir': '/src/shop',
    },
  });
  assert.deepEqual(
    { ...s },
    {
      id: 'abc',
      name: 'shop_web_1',
      image: 'busybox',
      state: 'exited',
      status: 'Exited (2) 1 second ago',
      created: 1,
      ports: [],
      composeProject: 'shop',
      exitCode: 2,
      composeService: 'web',
      composeWorkingDir: '/src/shop',
    },
  );
});
