// discovery.k8s.io/v1: EndpointSlice.
import { f, kind, type SchemaPackage } from './dsl.ts';

export const discoveryPackage: SchemaPackage = {
  name: 'io.k8s.api.discovery.v1',
  types: {
    EndpointSlice: kind(
      'discovery.k8s.io',
      'v1',
      'EndpointSlice',
      'A slice of the endpoints behind a service.',
      {
        addressType: f('string', 'IPv4, IPv6 or FQDN.', { required: true }),
        endpoints: f('[]Endpoint', 'The endpoints.', { atomic: true, required: true }),
        ports: f('[]object', 'The ports every endpoint serves.', { atomic: true }),
      },
    ),
    Endpoint: {
      desc: 'One endpoint.',
      fields: {
        addresses: f('[]string', 'Its addresses.', { set: true, required: true }),
        conditions: f('object', 'ready, serving, terminating.'),
        hostname: f('string', 'Its host name.'),
        targetRef: f('ObjectReference', 'The pod behind it.'),
        nodeName: f('string', 'Its node.'),
        zone: f('string', 'Its zone.'),
        hints: f('object', 'Topology hints.'),
        deprecatedTopology: f('{}string', 'Deprecated topology labels.'),
      },
    },
  },
};
