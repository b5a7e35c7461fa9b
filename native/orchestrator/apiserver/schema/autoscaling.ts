// autoscaling/v1: Scale, the kind of the scale subresource.
import { f, kind, type SchemaPackage } from './dsl.ts';

export const autoscalingPackage: SchemaPackage = {
  name: 'io.k8s.api.autoscaling.v1',
  types: {
    Scale: kind('autoscaling', 'v1', 'Scale', 'The replica count of a scalable resource.', {
      spec: f('ScaleSpec', 'The replicas wanted.'),
      status: f('ScaleStatus', 'The replicas there are.'),
    }),
    ScaleSpec: { desc: 'The spec of a scale.', fields: { replicas: f('int32', 'Replicas wanted.') } },
    ScaleStatus: {
      desc: 'The state of a scale.',
      fields: {
        replicas: f('int32', 'Replicas there are.', { required: true }),
        selector: f('string', 'The label selector of the pods, as a string.'),
      },
    },
  },
};
