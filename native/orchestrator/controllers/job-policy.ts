// What the Job controller decides about single pods, as kube-controller-manager's job controller
// does: which completion index a pod holds (Indexed Jobs) and how indexes are written in status
// ("0-2,4"), what a Job's podFailurePolicy says of a failed pod (FailJob, Ignore, Count), and how long
// a replacement waits after failures (10 s doubling per failure since the last success, at most 6 min).
import type { KubeObject } from '../apiserver/registry.ts';
import { asList, asObj, status } from './common.ts';

export const completionIndexKey = 'batch.kubernetes.io/job-completion-index';

/** The completion index a pod of an Indexed Job holds, or undefined when it has none in range. */
export function indexOf(pod: KubeObject, completions: number): number | undefined {
  const v = pod.metadata?.annotations?.[completionIndexKey] ?? pod.metadata?.labels?.[completionIndexKey];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n < completions ? n : undefined;
}

/** Indexes as status.completedIndexes writes them: ascending, runs joined ("0-2,4,7-8"). */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    out.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/** The indexes a completedIndexes string holds (those below `completions`). */
export function parseIndexes(text: unknown, completions: number): Set<number> {
  const out = new Set<number>();
  if (typeof text !== 'string') return out;
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = Math.min(Number(m[2] ?? m[1]), completions - 1);
    for (let i = from; i <= to; i++) out.add(i);
  }
  return out;
}

export type FailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

/** A rule of the policy that a failed pod matched, and the message FailJob writes. */
export interface PolicyMatch {
  action: FailureAction;
  message: string;
}

/**
 * The first podFailurePolicy rule a failed pod matches (matchPodFailurePolicy): onExitCodes looks at
 * the containers (of `containerName` when given) that ended with a non-zero code; onPodConditions at
 * the pod's conditions (status True unless the rule says otherwise). undefined: no rule matched.
 */
export function matchFailurePolicy(policy: unknown, pod: KubeObject): PolicyMatch | undefined {
  const name = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  for (const [i, rule] of asList(asObj(policy).rules).entries()) {
    const action = String(rule.action) as FailureAction;
    const codes = asObj(rule.onExitCodes);
    if (rule.onExitCodes) {
      const values = asList(codes.values as unknown).map(Number);
      const only = codes.containerName as string | undefined;
      const ended = [...asList(status(pod).initContainerStatuses), ...asList(status(pod).containerStatuses)]
        .filter((c) => !only || c.name === only)
        .map((c) => ({ name: String(c.name), code: asObj(asObj(c.state).terminated).exitCode }))
        .filter((c): c is { name: string; code: number } => typeof c.code === 'number' && c.code !== 0);
      const hit = ended.find((c) => (codes.operator === 'NotIn') !== values.includes(c.code));
      if (hit)
        return {
          action,
          message: `Container ${hit.name} for pod ${name} failed with exit code ${hit.code} matching ${action} rule at index ${i}`,
        };
      continue;
    }
    for (const want of asList(rule.onPodConditions)) {
      const has = asList(status(pod).conditions).some(
        (c) => c.type === want.type && c.status === (want.status ?? 'True'),
      );
      if (has)
        return {
          action,
          message: `Pod ${name} has condition ${want.type} matching ${action} rule at index ${i}`,
        };
    }
  }
  return undefined;
}

/** When a pod finished: its containers' latest finish, else its latest condition change. */
export function finishedAt(pod: KubeObject): number {
  let at = Number.NaN;
  const later = (t: unknown) => {
    const ms = Date.parse(String(t ?? ''));
    if (!Number.isNaN(ms) && !(ms <= at)) at = ms;
  };
  for (const c of asList(status(pod).containerStatuses)) later(asObj(asObj(c.state).terminated).finishedAt);
  if (Number.isNaN(at)) for (const c of asList(status(pod).conditions)) later(c.lastTransitionTime);
  if (Number.isNaN(at)) later(pod.metadata?.creationTimestamp);
  return Number.isNaN(at) ? 0 : at;
}

const backoffBaseMs = 10_000;
const backoffMaxMs = 360_000;

/**
 * When the next pod may start after failures (getRemainingTime over the backoff record): the
 * failures counted since the last success, each doubling the wait from 10 s, from the last failure.
 * 0: now.
 */
export function replacementDueAt(counted: KubeObject[], succeeded: KubeObject[]): number {
  const lastSuccess = Math.max(0, ...succeeded.map(finishedAt));
  const since = counted.map(finishedAt).filter((t) => t >= lastSuccess);
  if (!since.length) return 0;
  const delay = Math.min(backoffMaxMs, backoffBaseMs * 2 ** (since.length - 1));
  return Math.max(...since) + delay;
}
