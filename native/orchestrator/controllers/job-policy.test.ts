import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { formatIndexes, matchFailurePolicy, parseIndexes, replacementDueAt } from './job-policy.ts';

test('completed indexes are written as ascending runs and read back', () => {
  assert.equal(formatIndexes([4, 0, 2, 1, 8, 7, 4]), '0-2,4,7-8');
  assert.equal(formatIndexes([]), '');
  assert.deepEqual([...parseIndexes('0-2,4,7-8', 8)].sort(), [0, 1, 2, 4, 7]);
  assert.deepEqual([...parseIndexes(undefined, 3)], []);
});

const failedPod = (codes: Record<string, number>, conditions: { type: string; status: string }[] = []) =>
  ({
    metadata: { name: 'p', namespace: 'ns' },
    status: {
      phase: 'Failed',
      conditions,
      containerStatuses: Object.entries(codes).map(([name, exitCode]) => ({
        name,
        state: { terminated: { exitCode, finishedAt: '2026-01-01T00:00:00Z' } },
      })),
    },
  }) as KubeObject;

test('podFailurePolicy: the first rule that matches decides; exit code 0 never matches', () => {
  const policy = {
    rules: [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
      { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1, 2] } },
    ],
  };
  assert.deepEqual(matchFailurePolicy(policy, failedPod({ main: 42 })), {
    action: 'FailJob',
    message: 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1',
  });
  assert.equal(matchFailurePolicy(policy, failedPod({ sidecar: 42 }))?.action, 'Count', 'another container');
  assert.equal(matchFailurePolicy(policy, failedPod({ main: 1 })), undefined);
  assert.equal(matchFailurePolicy(policy, failedPod({ main: 0, other: 0 })), undefined);
  assert.deepEqual(
    matchFailurePolicy(policy, failedPod({ main: 42 }, [{ type: 'DisruptionTarget', status: 'True' }])),
    {
      action: 'Ignore',
      message: 'Pod ns/p has condition DisruptionTarget matching Ignore rule at index 0',
    },
  );
  assert.equal(matchFailurePolicy(undefined, failedPod({ main: 42 })), undefined);
});

test('a replacement waits 10 s after one failure, doubling per failure since the last success, at most 6 min', () => {
  const at = (iso: string) =>
    ({
      metadata: {},
      status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: iso }] },
    }) as KubeObject;
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(replacementDueAt([], []), 0);
  assert.equal(replacementDueAt([at('2026-01-01T00:00:00Z')], []), t0 + 10_000);
  assert.equal(
    replacementDueAt([at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:05Z')], []),
    t0 + 5_000 + 20_000,
  );
  const many = Array.from({ length: 12 }, () => at('2026-01-01T00:00:00Z'));
  assert.equal(replacementDueAt(many, []), t0 + 360_000);
  // A success resets the count: only the failure after it counts.
  assert.equal(
    replacementDueAt([at('2026-01-01T00:00:00Z'), at('2026-01-01T00:01:00Z')], [at('2026-01-01T00:00:30Z')]),
    t0 + 60_000 + 10_000,
  );
});
