// apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision.
import { f, kind, type SchemaPackage } from './dsl.ts';

const workloadStatus = {
  observedGeneration: f('int64', 'The generation the controller last acted on.'),
  replicas: f('int32', 'Pods there are.'),
  readyReplicas: f('int32', 'Pods that are ready.'),
  availableReplicas: f('int32', 'Pods ready for at least minReadySeconds.'),
  conditions: f('[]object', 'Conditions of the workload.', { keys: ['type'] }),
};

export const appsPackage: SchemaPackage = {
  name: 'io.k8s.api.apps.v1',
  types: {
    Deployment: kind(
      'apps',
      'v1',
      'Deployment',
      'Declarative updates of a set of identical pods through ReplicaSets.',
      {
        spec: f('DeploymentSpec', 'The pods wanted and how to roll out changes.'),
        status: f('DeploymentStatus', 'The progress of the rollout.'),
      },
    ),
    DeploymentSpec: {
      desc: 'The spec of a deployment.',
      fields: {
        replicas: f('int32', 'Pods wanted.'),
        selector: f('LabelSelector', 'Labels of the pods it manages; must match the template.', {
          required: true,
        }),
        template: f('PodTemplateSpec', 'The pods it makes.', { required: true }),
        strategy: f('DeploymentStrategy', 'How old pods are replaced.', { patch: 'retainKeys' }),
        minReadySeconds: f('int32', 'Seconds a ready pod must last to count as available.'),
        revisionHistoryLimit: f('int32', 'Old ReplicaSets kept for rollback.'),
        paused: f('boolean', 'Hold rollouts.'),
        progressDeadlineSeconds: f(
          'int32',
          'Seconds without progress before the rollout is reported failed.',
        ),
      },
    },
    DeploymentStrategy: {
      desc: 'How a deployment replaces pods.',
      fields: {
        type: f('string', 'RollingUpdate or Recreate.'),
        rollingUpdate: f('object', 'maxSurge and maxUnavailable (numbers or percentages).'),
      },
    },
    DeploymentStatus: {
      desc: 'The state of a deployment.',
      fields: {
        ...workloadStatus,
        updatedReplicas: f('int32', 'Pods of the newest template.'),
        unavailableReplicas: f('int32', 'Pods still needed for full availability.'),
        collisionCount: f('int32', 'Hash collisions of the template.'),
      },
    },
    ReplicaSet: kind('apps', 'v1', 'ReplicaSet', 'Keeps a number of identical pods running.', {
      spec: f('ReplicaSetSpec', 'The pods wanted.'),
      status: f('ReplicaSetStatus', 'The pods there are.'),
    }),
    ReplicaSetSpec: {
      desc: 'The spec of a replica set.',
      fields: {
        replicas: f('int32', 'Pods wanted.'),
        minReadySeconds: f('int32', 'Seconds a ready pod must last to count as available.'),
        selector: f('LabelSelector', 'Labels of the pods it manages.', { required: true }),
        template: f('PodTemplateSpec', 'The pods it makes.'),
      },
    },
    ReplicaSetStatus: {
      desc: 'The state of a replica set.',
      fields: {
        ...workloadStatus,
        fullyLabeledReplicas: f('int32', 'Pods whose labels match the template.'),
      },
    },
    StatefulSet: kind(
      'apps',
      'v1',
      'StatefulSet',
      'Pods with stable names and storage, started and updated in order.',
      {
        spec: f('StatefulSetSpec', 'The pods wanted.'),
        status: f('StatefulSetStatus', 'The pods there are.'),
      },
    ),
    StatefulSetSpec: {
      desc: 'The spec of a stateful set.',
      fields: {
        replicas: f('int32', 'Pods wanted.'),
        selector: f('LabelSelector', 'Labels of the pods it manages.', { required: true }),
        template: f('PodTemplateSpec', 'The pods it makes.', { required: true }),
        volumeClaimTemplates: f('[]object', 'Claims made for each pod.', { atomic: true }),
        serviceName: f('string', 'The headless service that names the pods.'),
        podManagementPolicy: f('string', 'OrderedReady or Parallel.'),
        updateStrategy: f('object', 'RollingUpdate (with a partition) or OnDelete.'),
        revisionHistoryLimit: f('int32', 'Revisions kept.'),
        minReadySeconds: f('int32', 'Seconds a ready pod must last to count as available.'),
        persistentVolumeClaimRetentionPolicy: f('object', 'What happens to claims when pods go.'),
        ordinals: f('object', 'The first ordinal.'),
      },
    },
    StatefulSetStatus: {
      desc: 'The state of a stateful set.',
      fields: {
        ...workloadStatus,
        currentReplicas: f('int32', 'Pods of the current revision.'),
        updatedReplicas: f('int32', 'Pods of the update revision.'),
        currentRevision: f('string', 'The current revision.'),
        updateRevision: f('string', 'The revision being rolled out.'),
        collisionCount: f('int32', 'Hash collisions of the template.'),
      },
    },
    ControllerRevision: kind(
      'apps',
      'v1',
      'ControllerRevision',
      'An immutable snapshot of state data. StatefulSets and DaemonSets keep their template history in them, for rollout history and undo.',
      {
        data: f('object', 'The state: the strategic merge patch that restores the template.'),
        revision: f('int64', 'The revision this state is, among those of its owner.', { required: true }),
      },
    ),
    DaemonSet: kind('apps', 'v1', 'DaemonSet', 'One pod on every (selected) node.', {
      spec: f('DaemonSetSpec', 'The pod to run and where.'),
      status: f('DaemonSetStatus', 'Where it runs.'),
    }),
    DaemonSetSpec: {
      desc: 'The spec of a daemon set.',
      fields: {
        selector: f('LabelSelector', 'Labels of the pods it manages.', { required: true }),
        template: f('PodTemplateSpec', 'The pod it runs.', { required: true }),
        updateStrategy: f('object', 'RollingUpdate or OnDelete.'),
        minReadySeconds: f('int32', 'Seconds a ready pod must last to count as available.'),
        revisionHistoryLimit: f('int32', 'Revisions kept.'),
      },
    },
    DaemonSetStatus: {
      desc: 'The state of a daemon set.',
      fields: {
        currentNumberScheduled: f('int32', 'Nodes that run the pod.'),
        numberMisscheduled: f('int32', 'Nodes that run it but should not.'),
        desiredNumberScheduled: f('int32', 'Nodes that should run it.'),
        numberReady: f('int32', 'Nodes whose pod is ready.'),
        observedGeneration: f('int64', 'The generation last acted on.'),
        updatedNumberScheduled: f('int32', 'Nodes with the newest pod.'),
        numberAvailable: f('int32', 'Nodes whose pod is available.'),
        numberUnavailable: f('int32', 'Nodes whose pod is not available.'),
        collisionCount: f('int32', 'Hash collisions of the template.'),
        conditions: f('[]object', 'Conditions.', { keys: ['type'] }),
      },
    },
  },
};
