import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { infoOf, makeNode, makePod, requesting } from './fixtures.ts';
import { podInfo } from './framework.ts';
import { defaultFramework } from './plugins/index.ts';

const fw = defaultFramework(() => undefined);
const at = (pod: KubeObject, priority: number, started: string, labels: Record<string, string> = {}) => ({
  ...pod,
  metadata: { ...pod.metadata, labels },
  spec: { ...pod.spec, priority },
  status: { startTime: started },
});
const cpuPod = (name: string, cpu: string, priority: number, started = '2026-01-01T00:00:00Z', labels = {}) =>
  at(makePod(name, { containers: [requesting(cpu)] }), priority, started, labels);
const victimsOf = (r: ReturnType<typeof fw.schedule>) =>
  r.node === undefined ? r.preemption?.victims.map((v) => v.pod.metadata?.name) : undefined;

test('the fewest, least important pods of lower priority go; pods of equal or higher priority stay', () => {
  const node = infoOf(makeNode('n', { cpu: '4' }), [
    cpuPod('low-a', '1', 10, '2026-01-01T00:00:01Z'),
    cpuPod('low-b', '1', 10, '2026-01-01T00:00:02Z'),
    cpuPod('lowest', '1', 1),
    cpuPod('peer', '1', 100),
  ]);
  const r = fw.schedule(podInfo(cpuPod('urgent', '2', 100)), [node]);
  assert.equal(r.node, undefined);
  assert.deepEqual(
    victimsOf(r),
    ['low-b', 'lowest'],
    'the later-started of two equals is taken, and the lowest',
  );
  assert.equal(r.node === undefined && r.preemption?.node, 'n');
  // With a nominated node the failure is only what the filters said.
  assert.equal(r.node === undefined && r.message, '0/1 nodes are available: 1 Insufficient cpu.');
});

test('a PodDisruptionBudget that allows no disruption keeps its pod when another victim will do', () => {
  const node = infoOf(makeNode('n', { cpu: '2' }), [
    cpuPod('guarded', '1', 0, '2026-01-01T00:00:02Z', { app: 'db' }),
    cpuPod('free', '1', 0, '2026-01-01T00:00:01Z', { app: 'web' }),
  ]);
  const pdb = {
    metadata: { name: 'db', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'db' } } },
    status: { disruptionsAllowed: 0 },
  };
  const pod = podInfo(cpuPod('urgent', '1', 5));
  assert.deepEqual(victimsOf(fw.schedule(pod, [node], { pdbs: [pdb] })), ['free']);
  // Without the budget, the later-started pod is the cheaper loss.
  assert.deepEqual(victimsOf(fw.schedule(pod, [node])), ['guarded']);
  // When only the guarded pod frees enough room, the budget is overridden (counted as a violation).
  const big = podInfo(cpuPod('bigger', '2', 5));
  const r = fw.schedule(big, [node], { pdbs: [pdb] });
  assert.deepEqual(victimsOf(r), ['free', 'guarded'], 'most important (earliest started) first');
  assert.equal(r.node === undefined && r.preemption?.pdbViolations, 1);
});

test('when removing every lower pod is not enough, or nothing is lower, preemption says so in its words', () => {
  const node = infoOf(makeNode('n', { cpu: '2' }), [cpuPod('low', '1', 0), cpuPod('high', '1', 50)]);
  const tooBig = fw.schedule(podInfo(cpuPod('p', '2', 10)), [node]);
  assert.equal(
    tooBig.node === undefined && tooBig.message,
    '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.',
  );
  const equal = fw.schedule(podInfo(cpuPod('p', '1500m', 0)), [node]);
  assert.equal(
    equal.node === undefined && equal.message,
    '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
  );
  const waiting = at(makePod('p', { containers: [requesting('1500m')] }), 10, '2026-01-01T00:00:00Z');
  waiting.status = { ...waiting.status, nominatedNodeName: 'n' } as never;
  const terminating = cpuPod('low', '1', 0);
  terminating.metadata = { ...terminating.metadata, deletionTimestamp: '2026-01-01T00:01:00Z' };
  const r = fw.schedule(podInfo(waiting), [
    infoOf(makeNode('n', { cpu: '2' }), [terminating, cpuPod('high', '1', 50)]),
  ]);
  assert.equal(
    r.node === undefined && r.message,
    '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to a terminating pod on the nominated node.',
  );
});
