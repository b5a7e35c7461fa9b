// policy/v1: PodDisruptionBudget.
import { f, kind, type SchemaPackage } from './dsl.ts';

export const policyPackage: SchemaPackage = {
  name: 'io.k8s.api.policy.v1',
  types: {
    PodDisruptionBudget: kind(
      'policy',
      'v1',
      'PodDisruptionBudget',
      'How many of a set of pods voluntary disruptions (evictions) may take down at once.',
      {
        spec: f('PodDisruptionBudgetSpec', 'The budget wanted.'),
        status: f('PodDisruptionBudgetStatus', 'The budget as the disruption controller last saw it.'),
      },
    ),
    PodDisruptionBudgetSpec: {
      desc: 'The pods a budget covers and how many of them must stay available.',
      fields: {
        minAvailable: f(
          'IntOrString',
          'Pods that must still be available after an eviction: a number or a percentage. Exclusive with maxUnavailable.',
        ),
        selector: f(
          'LabelSelector',
          'The pods the budget covers; an empty selector ({}) covers every pod in the namespace.',
        ),
        maxUnavailable: f(
          'IntOrString',
          'Pods that may be unavailable after an eviction: a number or a percentage. Exclusive with minAvailable.',
        ),
        unhealthyPodEvictionPolicy: f(
          'string',
          'When pods that are not Ready may be evicted: IfHealthyBudget (only while the budget is met) or AlwaysAllow.',
          { enum: ['AlwaysAllow', 'IfHealthyBudget'] },
        ),
      },
    },
    PodDisruptionBudgetStatus: {
      desc: 'What the disruption controller computed for a budget.',
      fields: {
        observedGeneration: f('int64', 'The generation of the spec the status was computed for.'),
        disruptedPods: f(
          '{}Time',
          'Pods evicted that the controller has not yet seen go, with when the eviction was granted.',
        ),
        disruptionsAllowed: f('int32', 'Evictions allowed now.', { required: true }),
        currentHealthy: f('int32', 'Ready pods now.', { required: true }),
        desiredHealthy: f('int32', 'Ready pods wanted at least.', { required: true }),
        expectedPods: f('int32', 'Pods the budget counts in all.', { required: true }),
        conditions: f('[]Condition', 'DisruptionAllowed: whether an eviction may be granted now.', {
          keys: ['type'],
        }),
      },
    },
  },
};
