// networking.k8s.io/v1: Ingress, IngressClass, NetworkPolicy.
import { f, kind, type SchemaPackage } from './dsl.ts';

const group = 'networking.k8s.io';

export const networkingPackage: SchemaPackage = {
  name: 'io.k8s.api.networking.v1',
  types: {
    Ingress: kind(group, 'v1', 'Ingress', 'Rules that route outside HTTP traffic to services.', {
      spec: f('IngressSpec', 'The routes wanted.'),
      status: f('IngressStatus', 'Where the load balancer serves them.'),
    }),
    IngressSpec: {
      desc: 'The spec of an Ingress.',
      fields: {
        ingressClassName: f('string', 'The IngressClass whose controller serves it.'),
        defaultBackend: f('IngressBackend', 'Where requests that match no rule go.'),
        tls: f('[]IngressTLS', 'TLS for hosts, from secrets.', { atomic: true }),
        rules: f('[]IngressRule', 'Host and path routes.', { atomic: true }),
      },
    },
    IngressTLS: {
      desc: 'TLS for some hosts.',
      fields: {
        hosts: f('[]string', 'The hosts of the certificate.', { atomic: true }),
        secretName: f('string', 'The secret with the certificate and key.'),
      },
    },
    IngressRule: {
      desc: 'The routes of one host.',
      fields: {
        host: f('string', 'The host name (a leading *. for a wildcard); every host when empty.'),
        http: f('HTTPIngressRuleValue', 'The HTTP paths.'),
      },
    },
    HTTPIngressRuleValue: {
      desc: 'HTTP paths to backends.',
      fields: { paths: f('[]HTTPIngressPath', 'The paths.', { required: true, atomic: true }) },
    },
    HTTPIngressPath: {
      desc: 'A path and its backend.',
      fields: {
        path: f('string', 'The path, starting with /.'),
        pathType: f('string', 'How the path matches.', {
          required: true,
          enum: ['Exact', 'ImplementationSpecific', 'Prefix'],
        }),
        backend: f('IngressBackend', 'Where matching requests go.', { required: true }),
      },
    },
    IngressBackend: {
      desc: 'A service port, or another resource, that serves requests.',
      fields: {
        service: f('IngressServiceBackend', 'A service of the namespace.'),
        resource: f('TypedLocalObjectReference', 'Another object of the namespace.'),
      },
    },
    IngressServiceBackend: {
      desc: 'A service and one of its ports.',
      fields: {
        name: f('string', 'The service.', { required: true }),
        port: f('ServiceBackendPort', 'The port, by name or number.'),
      },
    },
    ServiceBackendPort: {
      desc: 'A service port by name or number.',
      atomic: true,
      fields: { name: f('string', 'The port name.'), number: f('int32', 'The port number.') },
    },
    TypedLocalObjectReference: {
      desc: 'An object of the same namespace, by group, kind and name.',
      atomic: true,
      fields: {
        apiGroup: f('string', 'Its group; the core group when empty.'),
        kind: f('string', 'Its kind.', { required: true }),
        name: f('string', 'Its name.', { required: true }),
      },
    },
    IngressStatus: {
      desc: 'The state of an Ingress.',
      fields: { loadBalancer: f('IngressLoadBalancerStatus', 'Where it is served.') },
    },
    IngressLoadBalancerStatus: {
      desc: 'The addresses of the load balancer.',
      fields: { ingress: f('[]IngressLoadBalancerIngress', 'The addresses.', { atomic: true }) },
    },
    IngressLoadBalancerIngress: {
      desc: 'One address of the load balancer.',
      fields: {
        ip: f('string', 'An IP address.'),
        hostname: f('string', 'A DNS name.'),
        ports: f('[]IngressPortStatus', 'Its ports.', { atomic: true }),
      },
    },
    IngressPortStatus: {
      desc: 'A port of the load balancer and its error.',
      fields: {
        port: f('int32', 'The port.', { required: true }),
        protocol: f('string', 'TCP, UDP or SCTP.', { required: true }),
        error: f('string', 'What went wrong with it.'),
      },
    },
    IngressClass: kind(group, 'v1', 'IngressClass', 'A kind of Ingress and the controller serving it.', {
      spec: f('IngressClassSpec', 'The controller and its parameters.'),
    }),
    IngressClassSpec: {
      desc: 'The spec of an IngressClass.',
      fields: {
        controller: f('string', 'The controller, as a domain-prefixed path.'),
        parameters: f('IngressClassParametersReference', 'An object with its configuration.'),
      },
    },
    IngressClassParametersReference: {
      desc: 'The object holding a class configuration.',
      fields: {
        apiGroup: f('string', 'Its group.'),
        kind: f('string', 'Its kind.', { required: true }),
        name: f('string', 'Its name.', { required: true }),
        scope: f('string', 'Cluster or Namespace.'),
        namespace: f('string', 'Its namespace, for scope Namespace.'),
      },
    },
    NetworkPolicy: kind(
      group,
      'v1',
      'NetworkPolicy',
      'What traffic the selected pods may send and receive.',
      {
        spec: f('NetworkPolicySpec', 'The pods and the traffic allowed.'),
      },
    ),
    NetworkPolicySpec: {
      desc: 'The spec of a NetworkPolicy.',
      fields: {
        podSelector: f('LabelSelector', 'The pods it applies to; every pod of the namespace when empty.'),
        ingress: f('[]NetworkPolicyIngressRule', 'Traffic allowed in.', { atomic: true }),
        egress: f('[]NetworkPolicyEgressRule', 'Traffic allowed out.', { atomic: true }),
        policyTypes: f('[]string', 'Ingress, Egress or both.', { atomic: true }),
      },
    },
    NetworkPolicyIngressRule: {
      desc: 'Traffic allowed in: from these peers, to these ports.',
      fields: {
        ports: f('[]NetworkPolicyPort', 'The ports.', { atomic: true }),
        from: f('[]NetworkPolicyPeer', 'The sources.', { atomic: true }),
      },
    },
    NetworkPolicyEgressRule: {
      desc: 'Traffic allowed out: to these peers, on these ports.',
      fields: {
        ports: f('[]NetworkPolicyPort', 'The ports.', { atomic: true }),
        to: f('[]NetworkPolicyPeer', 'The destinations.', { atomic: true }),
      },
    },
    NetworkPolicyPort: {
      desc: 'A port or range of ports.',
      fields: {
        protocol: f('string', 'TCP (the default), UDP or SCTP.'),
        port: f('IntOrString', 'The port, by number or name.'),
        endPort: f('int32', 'The last port of a range.'),
      },
    },
    NetworkPolicyPeer: {
      desc: 'Pods, namespaces or an address block.',
      fields: {
        podSelector: f('LabelSelector', 'Pods.'),
        namespaceSelector: f('LabelSelector', 'Namespaces.'),
        ipBlock: f('IPBlock', 'An address block.'),
      },
    },
    IPBlock: {
      desc: 'A CIDR and what it leaves out.',
      fields: {
        cidr: f('string', 'The block.', { required: true }),
        except: f('[]string', 'Blocks left out.', { atomic: true }),
      },
    },
  },
};
