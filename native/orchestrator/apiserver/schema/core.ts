// core/v1: every kind other than pods.

import { podTypes } from './core-pod.ts';
import { f, kind, type SchemaPackage } from './dsl.ts';

const k = (name: string, desc: string, fields: Parameters<typeof kind>[4]) =>
  kind('', 'v1', name, desc, fields);

export const corePackage: SchemaPackage = {
  name: 'io.k8s.api.core.v1',
  types: {
    ...podTypes,
    Namespace: k('Namespace', 'A scope for names; most objects live in one.', {
      spec: f('NamespaceSpec', 'What must happen before the namespace goes.'),
      status: f('NamespaceStatus', 'Whether the namespace is Active or Terminating.'),
    }),
    NamespaceSpec: {
      desc: 'The spec of a namespace.',
      fields: { finalizers: f('[]string', 'Steps run before the namespace is removed.', { atomic: true }) },
    },
    NamespaceStatus: {
      desc: 'The state of a namespace.',
      fields: {
        phase: f('string', 'Active or Terminating.'),
        conditions: f('[]object', 'What blocks its removal.', { keys: ['type'] }),
      },
    },
    Node: k('Node', 'A machine that runs pods.', {
      spec: f('NodeSpec', 'How the node takes pods.'),
      status: f('NodeStatus', 'The state of the node; written by its kubelet.'),
    }),
    NodeSpec: {
      desc: 'The spec of a node.',
      fields: {
        podCIDR: f('string', 'Pod addresses assigned to the node.'),
        podCIDRs: f('[]string', 'Pod address ranges assigned to the node.', { set: true }),
        providerID: f('string', 'The id of the node at its provider.'),
        unschedulable: f('boolean', 'Keep new pods off the node.'),
        taints: f('[]Taint', 'Taints that repel pods that do not tolerate them.', { atomic: true }),
      },
    },
    Taint: {
      desc: 'A mark on a node that repels pods.',
      fields: {
        key: f('string', 'The key.', { required: true }),
        value: f('string', 'The value.'),
        effect: f('string', 'NoSchedule, PreferNoSchedule or NoExecute.', { required: true }),
        timeAdded: f('Time', 'When a NoExecute taint was added.'),
      },
    },
    NodeStatus: {
      desc: 'The state of a node.',
      fields: {
        capacity: f('{}Quantity', 'Resources of the node.'),
        allocatable: f('{}Quantity', 'Resources left for pods.'),
        phase: f('string', 'Deprecated.'),
        conditions: f('[]object', 'Ready, MemoryPressure, DiskPressure…', { keys: ['type'] }),
        addresses: f('[]NodeAddress', 'Addresses of the node.', { keys: ['type'] }),
        daemonEndpoints: f('object', 'Where the kubelet listens.'),
        nodeInfo: f('object', 'Versions: kubelet, kernel, OS, container runtime.'),
        images: f('[]object', 'Images on the node.', { atomic: true }),
        volumesInUse: f('[]string', 'Volumes in use.', { atomic: true }),
        volumesAttached: f('[]object', 'Volumes attached.', { atomic: true }),
        config: f('object', 'Dynamic kubelet configuration.'),
        runtimeHandlers: f('[]object', 'Runtime handlers available.', { atomic: true }),
        features: f('object', 'Features the node supports.'),
      },
    },
    NodeAddress: {
      desc: 'An address of a node.',
      fields: {
        type: f('string', 'Hostname, InternalIP or ExternalIP.', { required: true }),
        address: f('string', 'The address.', { required: true }),
      },
    },
    Service: k('Service', 'A stable name and virtual address in front of a set of pods.', {
      spec: f('ServiceSpec', 'How the service is exposed and which pods it sends to.'),
      status: f('ServiceStatus', 'The load balancer of the service.'),
    }),
    ServiceSpec: {
      desc: 'The spec of a service.',
      fields: {
        ports: f('[]ServicePort', 'The ports of the service.', { keys: ['port', 'protocol'] }),
        selector: f('{}string', 'Labels of the pods the service sends to.'),
        clusterIP: f('string', 'The virtual address; None makes a headless service.'),
        clusterIPs: f('[]string', 'The virtual addresses, one per family.', { atomic: true }),
        type: f('string', 'How the service is exposed.', {
          enum: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
        }),
        externalIPs: f('[]string', 'Extra addresses the service answers on.', { atomic: true }),
        sessionAffinity: f('string', 'ClientIP keeps a client on one pod.'),
        loadBalancerIP: f('string', 'Deprecated.'),
        loadBalancerSourceRanges: f('[]string', 'Client ranges allowed through the load balancer.', {
          atomic: true,
        }),
        externalName: f('string', 'The name an ExternalName service aliases.'),
        externalTrafficPolicy: f('string', 'Cluster or Local.'),
        healthCheckNodePort: f('int32', 'Health check port for Local traffic policy.'),
        publishNotReadyAddresses: f('boolean', 'Include pods that are not ready.'),
        sessionAffinityConfig: f('object', 'Settings of the session affinity.'),
        ipFamilies: f('[]string', 'IPv4 and/or IPv6.', { atomic: true }),
        ipFamilyPolicy: f('string', 'SingleStack, PreferDualStack or RequireDualStack.'),
        allocateLoadBalancerNodePorts: f('boolean', 'Whether node ports are allocated for a load balancer.'),
        loadBalancerClass: f('string', 'The load balancer implementation.'),
        internalTrafficPolicy: f('string', 'Cluster or Local.'),
        trafficDistribution: f('string', 'Preference for how traffic is spread.'),
      },
    },
    ServicePort: {
      desc: 'A port of a service.',
      fields: {
        name: f('string', 'The name; required when there are several ports.'),
        protocol: f('string', 'TCP, UDP or SCTP.', { default: 'TCP' }),
        appProtocol: f('string', 'The application protocol.'),
        port: f('int32', 'The port of the service.', { required: true }),
        targetPort: f('IntOrString', 'The port of the pods, by number or name.'),
        nodePort: f('int32', 'The port on every node (NodePort, LoadBalancer).'),
      },
    },
    ServiceStatus: {
      desc: 'The state of a service.',
      fields: {
        loadBalancer: f('object', 'Ingress points of the load balancer.'),
        conditions: f('[]Condition', 'Conditions of the service.', { keys: ['type'] }),
      },
    },
    Endpoints: k('Endpoints', 'The addresses behind a service (superseded by EndpointSlices).', {
      subsets: f('[]EndpointSubset', 'Addresses and the ports they serve.', { atomic: true }),
    }),
    EndpointSubset: {
      desc: 'Addresses sharing a set of ports.',
      fields: {
        addresses: f('[]object', 'Ready addresses.', { atomic: true }),
        notReadyAddresses: f('[]object', 'Addresses not ready.', { atomic: true }),
        ports: f('[]object', 'The ports.', { atomic: true }),
      },
    },
    ConfigMap: k('ConfigMap', 'Configuration data as key-value pairs.', {
      data: f('{}string', 'UTF-8 values.'),
      binaryData: f('{}byte', 'Binary values, base64 in JSON.'),
      immutable: f('boolean', 'When true the data can no longer change.'),
    }),
    Secret: k('Secret', 'Sensitive data as key-value pairs.', {
      data: f('{}byte', 'Values, base64 in JSON.'),
      stringData: f('{}string', 'Plain values merged into data on write; never read back.'),
      type: f('string', 'What the secret holds: Opaque, kubernetes.io/tls, kubernetes.io/dockerconfigjson…'),
      immutable: f('boolean', 'When true the data can no longer change.'),
    }),
    ServiceAccount: k('ServiceAccount', 'An identity for processes in pods.', {
      secrets: f('[]ObjectReference', 'Secrets of the account.', { keys: ['name'] }),
      imagePullSecrets: f('[]LocalObjectReference', 'Registry credentials for its pods.', { atomic: true }),
      automountServiceAccountToken: f('boolean', 'Whether pods mount its token by default.'),
    }),
    ObjectReference: {
      desc: 'A reference to an object.',
      fields: {
        kind: f('string', 'Kind of the object.'),
        namespace: f('string', 'Namespace of the object.'),
        name: f('string', 'Name of the object.'),
        uid: f('string', 'UID of the object.'),
        apiVersion: f('string', 'API version of the object.'),
        resourceVersion: f('string', 'The version referred to.'),
        fieldPath: f('string', 'A part of the object, such as spec.containers{web}.'),
      },
    },
    PersistentVolume: k(
      'PersistentVolume',
      'A piece of storage in the cluster, made for a claim or by hand.',
      {
        spec: f('PersistentVolumeSpec', 'The storage and how it may be used.'),
        status: f('PersistentVolumeStatus', 'Whether the volume is Available, Bound, Released or Failed.'),
      },
    ),
    PersistentVolumeSpec: {
      desc: 'The spec of a persistent volume.',
      fields: {
        capacity: f('{}Quantity', 'storage: the size of the volume.'),
        accessModes: f('[]string', 'ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.', {
          atomic: true,
        }),
        claimRef: f('ObjectReference', 'The claim bound to the volume.'),
        persistentVolumeReclaimPolicy: f(
          'string',
          'Retain, Recycle or Delete: what happens when the claim goes.',
        ),
        storageClassName: f('string', 'The storage class the volume belongs to.'),
        volumeMode: f('string', 'Filesystem or Block.'),
        mountOptions: f('[]string', 'Mount options.', { atomic: true }),
        nodeAffinity: f('object', 'The nodes the volume can be used from.'),
        hostPath: f('object', 'A path on the node.'),
        local: f('object', 'A local path on the node (path, fsType).'),
        csi: f('object', 'A volume of a CSI driver.'),
        nfs: f('object', 'An NFS export.'),
        volumeAttributesClassName: f('string', 'The volume attributes class.'),
      },
    },
    PersistentVolumeStatus: {
      desc: 'The state of a persistent volume.',
      fields: {
        phase: f('string', 'Pending, Available, Bound, Released or Failed.'),
        message: f('string', 'Why the volume is in its phase.'),
        reason: f('string', 'A short reason for the phase.'),
        lastPhaseTransitionTime: f('Time', 'When the phase last changed.'),
      },
    },
    PersistentVolumeClaim: k('PersistentVolumeClaim', 'A request for storage.', {
      spec: f('PersistentVolumeClaimSpec', 'The storage wanted.'),
      status: f('PersistentVolumeClaimStatus', 'The state of the claim.'),
    }),
    PersistentVolumeClaimSpec: {
      desc: 'The spec of a claim.',
      fields: {
        accessModes: f('[]string', 'ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.', {
          atomic: true,
        }),
        selector: f('LabelSelector', 'Labels of volumes that may bind.'),
        resources: f('object', 'requests.storage: the size wanted.'),
        volumeName: f('string', 'The volume bound to the claim.'),
        storageClassName: f('string', 'The storage class.'),
        volumeMode: f('string', 'Filesystem or Block.'),
        dataSource: f('object', 'Data to populate the volume from.'),
        dataSourceRef: f('object', 'Data to populate the volume from.'),
        volumeAttributesClassName: f('string', 'The volume attributes class.'),
      },
    },
    PersistentVolumeClaimStatus: {
      desc: 'The state of a claim.',
      fields: {
        phase: f('string', 'Pending, Bound or Lost.'),
        accessModes: f('[]string', 'The access modes of the bound volume.', { atomic: true }),
        capacity: f('{}Quantity', 'The capacity of the bound volume.'),
        conditions: f('[]object', 'Conditions of the claim.', { keys: ['type'] }),
      },
    },
    Event: k('Event', 'A report of something that happened to an object.', {
      involvedObject: f('ObjectReference', 'The object it is about.', { required: true }),
      reason: f('string', 'Why, in one CamelCase word.'),
      message: f('string', 'What happened, for humans.'),
      source: f('EventSource', 'The reporting component.'),
      firstTimestamp: f('Time', 'When it was first seen.'),
      lastTimestamp: f('Time', 'When it was last seen.'),
      count: f('int32', 'How often it happened.'),
      type: f('string', 'Normal or Warning.'),
      eventTime: f('MicroTime', 'When it first happened.'),
      series: f('EventSeries', 'Repetitions of the event.'),
      action: f('string', 'What was done.'),
      related: f('ObjectReference', 'A second object involved.'),
      reportingComponent: f('string', 'The reporting controller.'),
      reportingInstance: f('string', 'The instance of that controller.'),
    }),
    EventSource: {
      desc: 'Who reported an event.',
      fields: { component: f('string', 'The component.'), host: f('string', 'The node.') },
    },
    EventSeries: {
      desc: 'Repetitions of an event.',
      fields: { count: f('int32', 'How often so far.'), lastObservedTime: f('MicroTime', 'When last seen.') },
    },
  },
};
