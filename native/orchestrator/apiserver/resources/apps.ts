// apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet and ControllerRevision. Their controllers
// live under controllers/; here they are stored, defaulted, validated, printed and scaled.
import { child, type KubeObject, type ResourceDef, type ScaleSubresource, sameJson } from '../registry.ts';
import { labelSelectorString } from '../selectors.ts';
import type { FieldError } from '../status.ts';
import { ageColumn, column, nameColumn } from '../table.ts';
import { invalidValue, nonNegative, required } from '../validation.ts';
import { asObj, defaultTemplate, templateColumns, validateSelector, validateTemplate } from './podspec.ts';

const apps = { group: 'apps', version: 'v1' } as const;

const num = (v: unknown) => Number(v ?? 0);
const spec = (o: KubeObject) => asObj(o.spec);
const status = (o: KubeObject) => asObj(o.status);

const scale: ScaleSubresource = {
  specReplicasPath: 'spec.replicas',
  statusReplicasPath: 'status.replicas',
  labelSelectorPath: 'spec.selector',
};

const selectorColumn = column(
  'Selector',
  (o) => labelSelectorString(asObj(spec(o).selector)) || '<none>',
  'The labels of the pods it manages.',
  { wide: true },
);

function validateWorkload(
  o: KubeObject,
  old: KubeObject | undefined,
  opts: { replicas: boolean },
): FieldError[] {
  const s = spec(o);
  const errs: FieldError[] = [];
  if (opts.replicas) errs.push(...nonNegative('spec.replicas', s.replicas));
  errs.push(...validateSelector(s.selector, 'spec.selector'));
  errs.push(...validateTemplate(s.template, s.selector, 'spec.template', ['Always']));
  if (old && !sameJson(asObj(old.spec).selector, s.selector))
    errs.push(invalidValue('spec.selector', s.selector, 'field is immutable'));
  return errs;
}

function defaultWorkload(o: KubeObject, replicas: boolean): Record<string, unknown> {
  const s = child(o, 'spec');
  if (replicas) s.replicas ??= 1;
  s.revisionHistoryLimit ??= 10;
  defaultTemplate(s.template);
  return s;
}

export const deploymentDef: ResourceDef = {
  ...apps,
  kind: 'Deployment',
  plural: 'deployments',
  singular: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  tracksGeneration: true,
  subresources: { status: true, scale },
  table: [
    nameColumn,
    column(
      'Ready',
      (o) => `${num(status(o).readyReplicas)}/${num(spec(o).replicas)}`,
      'Ready pods of those wanted.',
    ),
    column('Up-to-date', (o) => num(status(o).updatedReplicas), 'Pods that run the newest template.', {
      type: 'integer',
    }),
    column('Available', (o) => num(status(o).availableReplicas), 'Pods available to users.', {
      type: 'integer',
    }),
    ageColumn,
    ...templateColumns(),
    selectorColumn,
  ],
  strategy: {
    defaults: (o) => {
      const s = defaultWorkload(o, true);
      s.progressDeadlineSeconds ??= 600;
      const strategy = child(s, 'strategy');
      strategy.type ??= 'RollingUpdate';
      if (strategy.type === 'RollingUpdate') {
        const ru = child(strategy, 'rollingUpdate');
        ru.maxSurge ??= '25%';
        ru.maxUnavailable ??= '25%';
      }
    },
    validate: (o, old) => {
      const errs = validateWorkload(o, old, { replicas: true });
      const type = asObj(spec(o).strategy).type;
      if (type !== undefined && type !== 'RollingUpdate' && type !== 'Recreate')
        errs.push({
          field: 'spec.strategy.type',
          type: 'FieldValueNotSupported',
          value: type,
          detail: 'supported values: "Recreate", "RollingUpdate"',
        });
      return errs;
    },
    initialStatus: () => ({}),
  },
};

export const replicaSetDef: ResourceDef = {
  ...apps,
  kind: 'ReplicaSet',
  plural: 'replicasets',
  singular: 'replicaset',
  namespaced: true,
  fieldSelectors: { 'status.replicas': (o) => String(num(status(o).replicas)) },
  shortNames: ['rs'],
  categories: ['all'],
  tracksGeneration: true,
  subresources: { status: true, scale },
  table: [
    nameColumn,
    column('Desired', (o) => num(spec(o).replicas), 'Pods wanted.', { type: 'integer' }),
    column('Current', (o) => num(status(o).replicas), 'Pods there are.', { type: 'integer' }),
    column('Ready', (o) => num(status(o).readyReplicas), 'Pods that are ready.', { type: 'integer' }),
    ageColumn,
    ...templateColumns(),
    selectorColumn,
  ],
  strategy: {
    defaults: (o) => {
      const s = child(o, 'spec');
      s.replicas ??= 1;
      defaultTemplate(s.template);
    },
    validate: (o, old) => validateWorkload(o, old, { replicas: true }),
    initialStatus: () => ({ replicas: 0 }),
  },
};

export const statefulSetDef: ResourceDef = {
  ...apps,
  kind: 'StatefulSet',
  plural: 'statefulsets',
  singular: 'statefulset',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  tracksGeneration: true,
  subresources: { status: true, scale },
  table: [
    nameColumn,
    column(
      'Ready',
      (o) => `${num(status(o).readyReplicas)}/${num(spec(o).replicas)}`,
      'Ready pods of those wanted.',
    ),
    ageColumn,
    ...templateColumns(),
  ],
  strategy: {
    defaults: (o) => {
      const s = defaultWorkload(o, true);
      s.podManagementPolicy ??= 'OrderedReady';
      const us = child(s, 'updateStrategy');
      us.type ??= 'RollingUpdate';
      if (us.type === 'RollingUpdate') child(us, 'rollingUpdate').partition ??= 0;
      s.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
    },
    // A mount may name a volumeClaimTemplate: each pod gets that volume from its own claim.
    validate: (o, old) => {
      const claims = new Set(
        (Array.isArray(spec(o).volumeClaimTemplates)
          ? (spec(o).volumeClaimTemplates as Record<string, unknown>[])
          : []
        ).map((t) => String((t.metadata as Record<string, unknown> | undefined)?.name)),
      );
      return validateWorkload(o, old, { replicas: true }).filter(
        (e) =>
          !(
            e.type === 'FieldValueNotFound' &&
            /\.volumeMounts\[\d+\]\.name$/.test(e.field) &&
            claims.has(String(e.value))
          ),
      );
    },
    initialStatus: () => ({ replicas: 0, availableReplicas: 0 }),
  },
};

export const daemonSetDef: ResourceDef = {
  ...apps,
  kind: 'DaemonSet',
  plural: 'daemonsets',
  singular: 'daemonset',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  tracksGeneration: true,
  subresources: { status: true },
  table: [
    nameColumn,
    column('Desired', (o) => num(status(o).desiredNumberScheduled), 'Nodes that should run the pod.', {
      type: 'integer',
    }),
    column('Current', (o) => num(status(o).currentNumberScheduled), 'Nodes that run the pod.', {
      type: 'integer',
    }),
    column('Ready', (o) => num(status(o).numberReady), 'Nodes whose pod is ready.', { type: 'integer' }),
    column(
      'Up-to-date',
      (o) => num(status(o).updatedNumberScheduled),
      'Nodes that run the newest template.',
      { type: 'integer' },
    ),
    column('Available', (o) => num(status(o).numberAvailable), 'Nodes whose pod is available.', {
      type: 'integer',
    }),
    column(
      'Node Selector',
      (o) => {
        const sel = Object.entries(asObj(asObj(asObj(spec(o).template).spec).nodeSelector));
        return sel.length ? sel.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
      },
      'The nodes the pods may run on.',
    ),
    ageColumn,
    ...templateColumns(),
    selectorColumn,
  ],
  strategy: {
    defaults: (o) => {
      const s = defaultWorkload(o, false);
      const us = child(s, 'updateStrategy');
      us.type ??= 'RollingUpdate';
      if (us.type === 'RollingUpdate') {
        const ru = child(us, 'rollingUpdate');
        ru.maxUnavailable ??= 1;
        ru.maxSurge ??= 0;
      }
    },
    validate: (o, old) => validateWorkload(o, old, { replicas: false }),
    initialStatus: () => ({
      currentNumberScheduled: 0,
      desiredNumberScheduled: 0,
      numberMisscheduled: 0,
      numberReady: 0,
    }),
  },
};

/** `statefulset.apps/web`: the controller column of a ControllerRevision, as kube-apiserver prints it. */
function controllerOf(o: KubeObject): string {
  const ref = o.metadata?.ownerReferences?.find((r) => r.controller);
  if (!ref) return '<none>';
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

/**
 * A snapshot of a StatefulSet's or DaemonSet's template (`data`, the strategic merge patch that puts it
 * back) and its place in the owner's history (`revision`): what `kubectl rollout history` lists and
 * `kubectl rollout undo` applies. The data never changes once written (Kubernetes' validation);
 * the revision may, as a controller renumbers a template that comes back.
 */
export const controllerRevisionDef: ResourceDef = {
  ...apps,
  kind: 'ControllerRevision',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  namespaced: true,
  table: [
    nameColumn,
    column('Controller', controllerOf, 'Controller of the object'),
    column('Revision', (o) => num((o as { revision?: unknown }).revision), 'Revision of the state.', {
      type: 'integer',
    }),
    ageColumn,
  ],
  strategy: {
    validate: (o, old) => {
      const r = o as KubeObject & { data?: unknown; revision?: unknown };
      const errs: FieldError[] = [];
      if (r.data === undefined || r.data === null) errs.push(required('data'));
      if (r.revision === undefined || r.revision === null) errs.push(required('revision'));
      else errs.push(...nonNegative('revision', r.revision));
      if (old && !sameJson((old as { data?: unknown }).data, r.data))
        errs.push(invalidValue('data', r.data, 'field is immutable'));
      return errs;
    },
  },
};

export const appsDefs = [deploymentDef, replicaSetDef, statefulSetDef, daemonSetDef, controllerRevisionDef];
