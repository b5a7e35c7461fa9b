// The actions on objects, done as kubectl does them: delete (each name on its own, background
// propagation), scale (the scale subresource), `rollout restart` (the pod template's restartedAt
// annotation) and `create job --from=cronjob/NAME` (the jobTemplate, marked manual, owned by the CronJob).
import { randomBytes } from 'node:crypto';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';
import type { KubeContexts } from './contexts.ts';
import { kubeCall } from './problems.ts';
import { collectionPath, isKubeKind, kubeResources, objectPath } from './resources.ts';
import type { RawObject } from './rows.ts';

const mergePatch = 'application/merge-patch+json';

/** Go's RFC 3339 (seconds, no fraction), as kubectl writes restartedAt. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The manual Job `kubectl create job --from=cronjob/<name>` makes from a CronJob. */
export function jobFromCronJob(cron: RawObject, jobName: string): RawObject {
  const template = cron.spec?.jobTemplate ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName,
      namespace: cron.metadata.namespace,
      annotations: {
        'cronjob.kubernetes.io/instantiate': 'manual',
        ...(template.metadata?.annotations ?? {}),
      },
      ...(template.metadata?.labels ? { labels: template.metadata.labels } : {}),
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          name: cron.metadata.name ?? '',
          uid: cron.metadata.uid ?? '',
          controller: true,
        },
      ],
    },
    spec: template.spec ?? {},
  };
}

/** `<cronjob>-manual-<5 letters>`, within the 63 characters a Job's pods' labels allow. */
export function manualJobName(cron: string, random = randomBytes(5)): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const suffix = [...random].map((b) => alphabet[b % alphabet.length]).join('');
  return `${cron.slice(0, 63 - '-manual-'.length - suffix.length)}-manual-${suffix}`;
}

type ActionChannels = 'kube.delete' | 'kube.scale' | 'kube.restart' | 'kube.triggerCronJob';

export function workloadActionHandlers(
  k: KubeContexts,
  now = Date.now,
): Pick<InvokeHandlers, ActionChannels> {
  return {
    'kube.delete': ({ context, kind, namespace, names }) =>
      kubeCall(async () => {
        if (!isKubeKind(kind))
          throw new HandlerError('invalid_argument', 'kube.kind', `unknown kind ${kind}`);
        const client = await k.client(context);
        const r = kubeResources[kind];
        const results = await Promise.all(
          names.map(async (name) => {
            try {
              await client.request('DELETE', objectPath(r, namespace, name), {
                body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
              });
              return { name };
            } catch (err) {
              return { name, message: (err as Error).message };
            }
          }),
        );
        return {
          deleted: results.filter((x) => x.message === undefined).map((x) => x.name),
          failed: results.flatMap((x) =>
            x.message === undefined ? [] : [{ name: x.name, message: x.message }],
          ),
        };
      }),
    'kube.scale': ({ context, kind, namespace, name, replicas }) =>
      kubeCall(async () => {
        if (!Number.isInteger(replicas) || replicas < 0) {
          throw new HandlerError(
            'invalid_argument',
            'kube.replicas',
            `replicas must be a whole number ≥ 0, not ${replicas}`,
          );
        }
        const client = await k.client(context);
        await client.request('PATCH', `${objectPath(kubeResources[kind], namespace, name)}/scale`, {
          body: { spec: { replicas } },
          contentType: mergePatch,
        });
        return undefined;
      }),
    'kube.restart': ({ context, kind, namespace, name }) =>
      kubeCall(async () => {
        const client = await k.client(context);
        const path = objectPath(kubeResources[kind], namespace, name);
        const o = await client.request<RawObject>('GET', path);
        if (o.spec?.paused) {
          throw new HandlerError(
            'conflict',
            'kube.paused',
            `can't restart paused ${kind.replace(/s$/, '')} ${name} (run rollout resume first)`,
          );
        }
        await client.request('PATCH', path, {
          body: {
            spec: {
              template: {
                metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': rfc3339(now()) } },
              },
            },
          },
          contentType: mergePatch,
        });
        return undefined;
      }),
    'kube.triggerCronJob': ({ context, namespace, name }) =>
      kubeCall(async () => {
        const client = await k.client(context);
        const cron = await client.request<RawObject>(
          'GET',
          objectPath(kubeResources.cronjobs, namespace, name),
        );
        const job = jobFromCronJob(cron, manualJobName(name));
        const created = await client.request<RawObject>(
          'POST',
          collectionPath(kubeResources.jobs, namespace),
          { body: job },
        );
        return { job: created.metadata.name ?? job.metadata.name ?? '' };
      }),
  };
}
