// metrics.k8s.io/v1beta1: NodeMetrics and PodMetrics, as metrics-server serves them.
import { f, kind, type SchemaPackage } from './dsl.ts';

export const metricsPackage: SchemaPackage = {
  name: 'io.k8s.metrics.pkg.apis.metrics.v1beta1',
  types: {
    NodeMetrics: kind('metrics.k8s.io', 'v1beta1', 'NodeMetrics', 'The CPU and memory a node uses.', {
      timestamp: f('Time', 'The end of the interval the usage covers.'),
      window: f('string', 'The length of that interval.'),
      usage: f('{}Quantity', 'cpu (cores) and memory (working set).'),
    }),
    PodMetrics: kind(
      'metrics.k8s.io',
      'v1beta1',
      'PodMetrics',
      "The CPU and memory a pod's containers use.",
      {
        timestamp: f('Time', 'The end of the interval the usage covers.'),
        window: f('string', 'The length of that interval.'),
        containers: f('[]ContainerMetrics', 'One entry per running container.', { atomic: true }),
      },
    ),
    ContainerMetrics: {
      desc: 'The CPU and memory of one container.',
      fields: {
        name: f('string', 'The container.', { required: true }),
        usage: f('{}Quantity', 'cpu (cores) and memory (working set).'),
      },
    },
  },
};
