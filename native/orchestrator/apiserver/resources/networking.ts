// networking.k8s.io/v1: Ingress, IngressClass and NetworkPolicy, stored, validated with Kubernetes'
// messages and printed as kubectl prints them, so that the manifests and charts carrying them apply.
// Berth's cluster ships no ingress controller and no policy-enforcing network plugin — as kind and
// Docker Desktop's cluster do not: an Ingress stays without an address until a controller the user
// installs serves it, and policies are recorded, not enforced.

import type { KubeObject, ResourceDef } from '../registry.ts';
import { labelSelectorString } from '../selectors.ts';
import type { FieldError } from '../status.ts';
import { ageColumn, column, nameColumn } from '../table.ts';
import {
  invalidValue,
  isSubdomain,
  nameProblem,
  notSupported,
  required,
  subdomainMsg,
} from '../validation.ts';
import { asList, asObj } from './podspec.ts';

const networking = { group: 'networking.k8s.io', version: 'v1' } as const;
const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];
const protocols = ['SCTP', 'TCP', 'UDP'];

function validateBackend(b: Record<string, unknown>, at: string): FieldError[] {
  const errs: FieldError[] = [];
  const service = b.service === undefined ? undefined : asObj(b.service);
  if (service && b.resource) return [invalidValue(at, '', 'cannot set both resource and service backends')];
  if (!service && !b.resource) return [invalidValue(at, '', 'resource or service backend is required')];
  if (service) {
    const nameIssue = service.name ? nameProblem(String(service.name), 'label1035') : undefined;
    if (!service.name) errs.push(required(`${at}.service.name`));
    else if (nameIssue) errs.push(invalidValue(`${at}.service.name`, service.name, nameIssue));
    const port = asObj(service.port);
    if (port.name && port.number)
      errs.push(invalidValue(`${at}.service.port`, port.name, 'cannot set both port name & port number'));
    else if (port.number !== undefined) {
      const n = Number(port.number);
      if (!Number.isInteger(n) || n < 1 || n > 65535)
        errs.push(
          invalidValue(`${at}.service.port.number`, port.number, 'must be between 1 and 65535, inclusive'),
        );
    } else if (!port.name)
      errs.push(invalidValue(`${at}.service.port`, '', 'port name or number is required'));
  }
  return errs;
}

/** A rule's host: a DNS subdomain, or one leading `*.` label before one. */
function hostProblem(host: string): string | undefined {
  const rest = host.startsWith('*.') ? host.slice(2) : host;
  if (rest.includes('*'))
    return "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  return isSubdomain(rest) ? undefined : subdomainMsg;
}

function validateIngress(o: KubeObject): FieldError[] {
  const spec = asObj(o.spec);
  const errs: FieldError[] = [];
  const rules = asList(spec.rules);
  if (!spec.defaultBackend && rules.length === 0)
    errs.push(invalidValue('spec', spec, 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errs.push(...validateBackend(asObj(spec.defaultBackend), 'spec.defaultBackend'));
  if (spec.ingressClassName !== undefined && !isSubdomain(String(spec.ingressClassName)))
    errs.push(invalidValue('spec.ingressClassName', spec.ingressClassName, subdomainMsg));
  rules.forEach((r, i) => {
    const at = `spec.rules[${i}]`;
    if (r.host) {
      const p = hostProblem(String(r.host));
      if (p) errs.push(invalidValue(`${at}.host`, r.host, p));
    }
    if (r.http === undefined) return;
    const paths = asList(asObj(r.http).paths);
    if (paths.length === 0) errs.push(required(`${at}.http.paths`));
    paths.forEach((p, j) => {
      const pat = `${at}.http.paths[${j}]`;
      if (p.pathType === undefined)
        errs.push({ ...required(`${pat}.pathType`), detail: 'pathType must be specified' });
      else if (!pathTypes.includes(String(p.pathType)))
        errs.push(notSupported(`${pat}.pathType`, p.pathType, pathTypes));
      else if (p.pathType !== 'ImplementationSpecific' && !String(p.path ?? '').startsWith('/'))
        errs.push(invalidValue(`${pat}.path`, p.path ?? '', 'must be an absolute path'));
      errs.push(...validateBackend(asObj(p.backend), `${pat}.backend`));
    });
  });
  asList(spec.tls).forEach((t, i) => {
    asList(t.hosts).forEach((h, j) => {
      const p = hostProblem(String(h));
      if (p) errs.push(invalidValue(`spec.tls[${i}].hosts[${j}]`, h, p));
    });
  });
  return errs;
}

/** What kubectl prints for an Ingress's hosts: up to three, then how many more. */
function ingressHosts(o: KubeObject): string {
  const rules = asList(asObj(o.spec).rules);
  const hosts = rules
    .map((r) => String(r.host ?? ''))
    .filter(Boolean)
    .slice(0, 3);
  if (hosts.length === 0) return '*';
  return rules.length > 3 ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
}

function ingressAddress(o: KubeObject, wide: boolean): string {
  const points = asList(asObj(asObj(o.status).loadBalancer).ingress)
    .map((p) => String(p.ip || p.hostname || ''))
    .filter(Boolean)
    .join(',');
  return !wide && points.length > 16 ? `${points.slice(0, 13)}...` : points;
}

export const ingressDef: ResourceDef = {
  ...networking,
  kind: 'Ingress',
  plural: 'ingresses',
  singular: 'ingress',
  namespaced: true,
  shortNames: ['ing'],
  subresources: { status: true },
  tracksGeneration: true,
  table: [
    nameColumn,
    column(
      'Class',
      (o) => String(asObj(o.spec).ingressClassName ?? '<none>'),
      'The IngressClass of the Ingress.',
    ),
    column('Hosts', ingressHosts, 'The hosts it routes.'),
    column('Address', (o) => ingressAddress(o, false), 'Where the load balancer serves it.'),
    column(
      'Ports',
      (o) => (asList(asObj(o.spec).tls).length ? '80, 443' : '80'),
      'The ports it is served on.',
    ),
    ageColumn,
  ],
  strategy: { validate: validateIngress },
};

export const ingressClassDef: ResourceDef = {
  ...networking,
  kind: 'IngressClass',
  plural: 'ingressclasses',
  singular: 'ingressclass',
  namespaced: false,
  table: [
    nameColumn,
    column('Controller', (o) => String(asObj(o.spec).controller ?? ''), 'The controller serving the class.'),
    column(
      'Parameters',
      (o) => {
        const p = asObj(o.spec).parameters;
        if (!p) return '<none>';
        const ref = asObj(p);
        return `${ref.kind}${ref.apiGroup ? `.${ref.apiGroup}` : ''}/${ref.name}`;
      },
      'The object configuring the class.',
    ),
    ageColumn,
  ],
  strategy: {
    validate: (o, old) => {
      const spec = asObj(o.spec);
      const errs: FieldError[] = [];
      if (!spec.controller) errs.push(required('spec.controller'));
      if (old && asObj(old.spec).controller !== spec.controller)
        errs.push(invalidValue('spec.controller', spec.controller ?? '', 'field is immutable'));
      return errs;
    },
  },
};

function validatePolicy(o: KubeObject): FieldError[] {
  const spec = asObj(o.spec);
  const errs: FieldError[] = [];
  (Array.isArray(spec.policyTypes) ? (spec.policyTypes as unknown[]) : []).forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress')
      errs.push(notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
  });
  if (asList(spec.policyTypes).length > 2)
    errs.push(
      invalidValue('spec.policyTypes', spec.policyTypes, 'may not specify more than two policyTypes'),
    );
  for (const [dir, peers] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    asList(spec[dir]).forEach((rule, i) => {
      asList(rule.ports).forEach((p, j) => {
        if (p.protocol !== undefined && !protocols.includes(String(p.protocol)))
          errs.push(notSupported(`spec.${dir}[${i}].ports[${j}].protocol`, p.protocol, protocols));
        if (p.endPort !== undefined && (typeof p.port !== 'number' || Number(p.endPort) < p.port))
          errs.push(
            invalidValue(
              `spec.${dir}[${i}].ports[${j}].endPort`,
              p.endPort,
              typeof p.port === 'number'
                ? 'must be greater than or equal to `port`'
                : 'may not be specified when `port` is non-numeric',
            ),
          );
      });
      asList(rule[peers]).forEach((peer, j) => {
        const at = `spec.${dir}[${i}].${peers}[${j}]`;
        const kinds = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((k) => peer[k] !== undefined);
        if (kinds.length === 0)
          errs.push({ field: at, type: 'FieldValueRequired', detail: 'must specify a peer' });
        else if (peer.ipBlock !== undefined && kinds.length > 1)
          errs.push({
            field: at,
            type: 'FieldValueForbidden',
            detail: 'may not specify more than 1 peer type',
          });
        if (peer.ipBlock !== undefined && !asObj(peer.ipBlock).cidr)
          errs.push(required(`${at}.ipBlock.cidr`));
      });
    });
  }
  return errs;
}

export const networkPolicyDef: ResourceDef = {
  ...networking,
  kind: 'NetworkPolicy',
  plural: 'networkpolicies',
  singular: 'networkpolicy',
  namespaced: true,
  shortNames: ['netpol'],
  tracksGeneration: true,
  table: [
    nameColumn,
    column(
      'Pod-Selector',
      (o) => labelSelectorString(asObj(asObj(o.spec).podSelector)) || '<none>',
      'The pods the policy applies to.',
    ),
    ageColumn,
  ],
  strategy: {
    // SetDefaults_NetworkPolicy: ingress always, egress when there are egress rules; TCP for ports.
    defaults: (o) => {
      const spec = asObj(o.spec);
      o.spec = spec;
      spec.podSelector ??= {};
      if (asList(spec.policyTypes).length === 0)
        spec.policyTypes = asList(spec.egress).length ? ['Ingress', 'Egress'] : ['Ingress'];
      for (const dir of ['ingress', 'egress'])
        for (const rule of asList(spec[dir])) for (const p of asList(rule.ports)) p.protocol ??= 'TCP';
    },
    validate: validatePolicy,
  },
};

export const networkingDefs = [ingressClassDef, ingressDef, networkPolicyDef];
