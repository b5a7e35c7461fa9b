// scheduling.k8s.io/v1 PriorityClass, with the two system classes every cluster has (made at
// bootstrap). The Priority admission plugin (admission.ts) gives each pod the value of its class.
// Berth's scheduler does not preempt: with one node and no preemption, priority orders nothing yet,
// but the manifests and charts that name classes apply and read as on any cluster.
import type { ResourceDef } from '../registry.ts';
import type { FieldError } from '../status.ts';
import { ageColumn, column, nameColumn } from '../table.ts';
import { notSupported } from '../validation.ts';

/** The classes Kubernetes defines itself; other names may not start with `system-`. */
export const systemPriorityClasses: Record<string, number> = {
  'system-node-critical': 2_000_001_000,
  'system-cluster-critical': 2_000_000_000,
};
const highestUserDefinable = 1_000_000_000;
const policies = ['Never', 'PreemptLowerPriority'];

export const priorityClassDef: ResourceDef = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  plural: 'priorityclasses',
  singular: 'priorityclass',
  namespaced: false,
  shortNames: ['pc'],
  table: [
    nameColumn,
    column('Value', (o) => Number(o.value ?? 0), 'The priority of the pods that name it.', {
      type: 'integer',
    }),
    column('Global-Default', (o) => o.globalDefault === true, 'Whether pods naming no class get it.', {
      type: 'boolean',
    }),
    ageColumn,
    column(
      'PreemptionPolicy',
      (o) => String(o.preemptionPolicy ?? ''),
      'Whether its pods may preempt others.',
    ),
  ],
  strategy: {
    defaults: (o) => {
      o.preemptionPolicy ??= 'PreemptLowerPriority';
    },
    validate: (o, old) => {
      const errs: FieldError[] = [];
      const name = o.metadata?.name ?? '';
      const value = Number(o.value ?? 0);
      if (name.startsWith('system-')) {
        const known = systemPriorityClasses[name];
        if (known === undefined || known !== value || o.globalDefault === true)
          errs.push({
            field: 'metadata.name',
            type: 'FieldValueForbidden',
            detail: `priority class names with 'system-' prefix are reserved for system use only. error: ${known === undefined ? `${name} is not a known system priority class` : `value of ${name} PriorityClass must be ${known}`}`,
          });
      } else if (value > highestUserDefinable)
        errs.push({
          field: 'value',
          type: 'FieldValueForbidden',
          detail: `maximum allowed value of a user defined priority is ${highestUserDefinable}`,
        });
      if (!policies.includes(String(o.preemptionPolicy)))
        errs.push(notSupported('preemptionPolicy', o.preemptionPolicy, policies));
      if (old && Number(old.value ?? 0) !== value)
        errs.push({
          field: 'value',
          type: 'FieldValueForbidden',
          detail: 'may not be changed in an update.',
        });
      if (old && old.preemptionPolicy !== o.preemptionPolicy)
        errs.push({
          field: 'preemptionPolicy',
          type: 'FieldValueInvalid',
          value: o.preemptionPolicy,
          detail: 'field is immutable',
        });
      return errs;
    },
  },
};
