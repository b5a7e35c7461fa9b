// scheduling.k8s.io/v1: PriorityClass.
import { f, kind, type SchemaPackage } from './dsl.ts';

export const schedulingPackage: SchemaPackage = {
  name: 'io.k8s.api.scheduling.v1',
  types: {
    PriorityClass: kind('scheduling.k8s.io', 'v1', 'PriorityClass', 'A name for a pod priority value.', {
      value: f('int32', 'The priority of the pods that name this class.', { required: true }),
      globalDefault: f('boolean', 'Whether pods that name no class get this one.'),
      description: f('string', 'When to use this class.'),
      preemptionPolicy: f('string', 'PreemptLowerPriority (the default) or Never.'),
    }),
  },
};
