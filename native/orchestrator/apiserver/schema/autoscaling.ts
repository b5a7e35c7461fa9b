// autoscaling/v1: Scale (the kind of the scale subresource) and HorizontalPodAutoscaler as v1 has it;
// autoscaling/v2: HorizontalPodAutoscaler with metrics, behaviour and conditions (the stored form).
import { f, kind, type SchemaPackage } from './dsl.ts';

const ref = {
  desc: 'The object a HorizontalPodAutoscaler scales.',
  fields: {
    kind: f('string', 'Its kind.', { required: true }),
    name: f('string', 'Its name.', { required: true }),
    apiVersion: f('string', 'Its API version.'),
  },
};

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
    HorizontalPodAutoscaler: kind(
      'autoscaling',
      'v1',
      'HorizontalPodAutoscaler',
      "Scales a workload's replicas to keep its pods' CPU use near a target.",
      {
        spec: f('HorizontalPodAutoscalerSpec', 'The target, the bounds and the CPU wanted.'),
        status: f('HorizontalPodAutoscalerStatus', 'What the autoscaler last saw and did.'),
      },
    ),
    HorizontalPodAutoscalerSpec: {
      desc: 'The spec of a v1 HorizontalPodAutoscaler.',
      fields: {
        scaleTargetRef: f('CrossVersionObjectReference', 'The object scaled.', { required: true }),
        minReplicas: f('int32', 'The fewest replicas (default 1).'),
        maxReplicas: f('int32', 'The most replicas.', { required: true }),
        targetCPUUtilizationPercentage: f('int32', 'The average CPU use wanted, in percent of requests.'),
      },
    },
    HorizontalPodAutoscalerStatus: {
      desc: 'The state of a v1 HorizontalPodAutoscaler.',
      fields: {
        observedGeneration: f('int64', 'The generation last acted on.'),
        lastScaleTime: f('Time', 'When it last changed the replicas.'),
        currentReplicas: f('int32', 'Replicas there are.', { required: true }),
        desiredReplicas: f('int32', 'Replicas wanted.', { required: true }),
        currentCPUUtilizationPercentage: f('int32', 'The average CPU use, in percent of requests.'),
      },
    },
    CrossVersionObjectReference: ref,
  },
};

const target = f('MetricTarget', 'The value wanted.', { required: true });
const condition = {
  desc: 'A condition of a HorizontalPodAutoscaler.',
  fields: {
    type: f('string', 'AbleToScale, ScalingActive or ScalingLimited.', { required: true }),
    status: f('string', 'True, False or Unknown.', { required: true }),
    lastTransitionTime: f('Time', 'When the status last changed.'),
    reason: f('string', 'Why, in a word.'),
    message: f('string', 'Why, in a sentence.'),
  },
};

export const autoscalingV2Package: SchemaPackage = {
  name: 'io.k8s.api.autoscaling.v2',
  types: {
    HorizontalPodAutoscaler: kind(
      'autoscaling',
      'v2',
      'HorizontalPodAutoscaler',
      "Scales a workload's replicas to keep its metrics near their targets.",
      {
        spec: f('HorizontalPodAutoscalerSpec', 'The target, the bounds, the metrics and the behaviour.'),
        status: f('HorizontalPodAutoscalerStatus', 'What the autoscaler last saw and did.'),
      },
    ),
    HorizontalPodAutoscalerSpec: {
      desc: 'The spec of a HorizontalPodAutoscaler.',
      fields: {
        scaleTargetRef: f('CrossVersionObjectReference', 'The object scaled.', { required: true }),
        minReplicas: f('int32', 'The fewest replicas (default 1).'),
        maxReplicas: f('int32', 'The most replicas.', { required: true }),
        metrics: f('[]MetricSpec', 'What to scale on (default: 80% CPU).', { atomic: true }),
        behavior: f('HorizontalPodAutoscalerBehavior', 'How fast to scale up and down.'),
      },
    },
    CrossVersionObjectReference: ref,
    MetricSpec: {
      desc: 'One metric and its target.',
      fields: {
        type: f('string', 'Resource, ContainerResource, Pods, Object or External.', { required: true }),
        resource: f('ResourceMetricSource', 'CPU or memory of the pods.'),
        containerResource: f('ContainerResourceMetricSource', 'CPU or memory of one container of the pods.'),
        pods: f('PodsMetricSource', 'A custom metric of each pod.'),
        object: f('ObjectMetricSource', 'A custom metric of one object.'),
        external: f('ExternalMetricSource', 'A metric from outside the cluster.'),
      },
    },
    ResourceMetricSource: {
      desc: 'CPU or memory of the pods.',
      fields: { name: f('string', 'cpu or memory.', { required: true }), target },
    },
    ContainerResourceMetricSource: {
      desc: 'CPU or memory of one container of the pods.',
      fields: {
        name: f('string', 'cpu or memory.', { required: true }),
        container: f('string', 'The container.', { required: true }),
        target,
      },
    },
    PodsMetricSource: {
      desc: 'A custom metric of each pod.',
      fields: { metric: f('MetricIdentifier', 'The metric.', { required: true }), target },
    },
    ObjectMetricSource: {
      desc: 'A custom metric of one object.',
      fields: {
        describedObject: f('CrossVersionObjectReference', 'The object.', { required: true }),
        metric: f('MetricIdentifier', 'The metric.', { required: true }),
        target,
      },
    },
    ExternalMetricSource: {
      desc: 'A metric from outside the cluster.',
      fields: { metric: f('MetricIdentifier', 'The metric.', { required: true }), target },
    },
    MetricIdentifier: {
      desc: 'A metric by name and selector.',
      fields: {
        name: f('string', 'Its name.', { required: true }),
        selector: f('LabelSelector', 'Its labels.'),
      },
    },
    MetricTarget: {
      desc: 'The value a metric should have.',
      fields: {
        type: f('string', 'Utilization, Value or AverageValue.', { required: true }),
        value: f('Quantity', 'The value.'),
        averageValue: f('Quantity', 'The value per pod.'),
        averageUtilization: f('int32', 'Percent of the pods requests.'),
      },
    },
    HorizontalPodAutoscalerBehavior: {
      desc: 'How fast to scale up and down.',
      fields: {
        scaleUp: f('HPAScalingRules', 'Rules for scaling up.'),
        scaleDown: f('HPAScalingRules', 'Rules for scaling down.'),
      },
    },
    HPAScalingRules: {
      desc: 'Rules for one direction.',
      fields: {
        stabilizationWindowSeconds: f('int32', 'Past recommendations considered.'),
        selectPolicy: f('string', 'Max, Min or Disabled.'),
        policies: f('[]HPAScalingPolicy', 'How much may change per period.', { atomic: true }),
        tolerance: f('Quantity', 'Changes of the metric below this ratio are ignored.'),
      },
    },
    HPAScalingPolicy: {
      desc: 'A change allowed per period.',
      fields: {
        type: f('string', 'Pods or Percent.', { required: true }),
        value: f('int32', 'How much.', { required: true }),
        periodSeconds: f('int32', 'Per how many seconds.', { required: true }),
      },
    },
    HorizontalPodAutoscalerStatus: {
      desc: 'What the autoscaler last saw and did.',
      fields: {
        observedGeneration: f('int64', 'The generation last acted on.'),
        lastScaleTime: f('Time', 'When it last changed the replicas.'),
        currentReplicas: f('int32', 'Replicas there are.'),
        desiredReplicas: f('int32', 'Replicas wanted.', { required: true }),
        currentMetrics: f('[]MetricStatus', 'The metrics last read.', { atomic: true }),
        conditions: f('[]HorizontalPodAutoscalerCondition', 'Whether it can scale and is scaling.', {
          keys: ['type'],
        }),
      },
    },
    HorizontalPodAutoscalerCondition: condition,
    MetricStatus: {
      desc: 'A metric as last read.',
      fields: {
        type: f('string', 'Resource, ContainerResource, Pods, Object or External.', { required: true }),
        resource: f('ResourceMetricStatus', 'CPU or memory of the pods.'),
        containerResource: f('ContainerResourceMetricStatus', 'Of one container.'),
        pods: f('PodsMetricStatus', 'A custom metric of each pod.'),
        object: f('ObjectMetricStatus', 'A custom metric of one object.'),
        external: f('ExternalMetricStatus', 'A metric from outside.'),
      },
    },
    ResourceMetricStatus: {
      desc: 'CPU or memory of the pods, as read.',
      fields: {
        name: f('string', 'cpu or memory.', { required: true }),
        current: f('MetricValueStatus', 'The value.', { required: true }),
      },
    },
    ContainerResourceMetricStatus: {
      desc: 'CPU or memory of one container, as read.',
      fields: {
        name: f('string', 'cpu or memory.', { required: true }),
        container: f('string', 'The container.', { required: true }),
        current: f('MetricValueStatus', 'The value.', { required: true }),
      },
    },
    PodsMetricStatus: {
      desc: 'A custom pod metric, as read.',
      fields: {
        metric: f('MetricIdentifier', 'The metric.', { required: true }),
        current: f('MetricValueStatus', 'The value.', { required: true }),
      },
    },
    ObjectMetricStatus: {
      desc: 'A custom object metric, as read.',
      fields: {
        metric: f('MetricIdentifier', 'The metric.', { required: true }),
        current: f('MetricValueStatus', 'The value.', { required: true }),
        describedObject: f('CrossVersionObjectReference', 'The object.', { required: true }),
      },
    },
    ExternalMetricStatus: {
      desc: 'An outside metric, as read.',
      fields: {
        metric: f('MetricIdentifier', 'The metric.', { required: true }),
        current: f('MetricValueStatus', 'The value.', { required: true }),
      },
    },
    MetricValueStatus: {
      desc: 'A metric value.',
      fields: {
        value: f('Quantity', 'The value.'),
        averageValue: f('Quantity', 'The value per pod.'),
        averageUtilization: f('int32', 'Percent of the pods requests.'),
      },
    },
  },
};
