// The RBAC authorizer, as kube-apiserver's (plugin/pkg/auth/authorizer/rbac): a request is allowed
// when a ClusterRoleBinding, or a RoleBinding in the request's namespace, binds a subject that is the
// user (by name, by one of its groups, or as a service account) to a role with a rule that covers
// the request. Members of system:masters are allowed everything before RBAC is asked, as
// kube-apiserver's privileged-group authorizer does.
//
// Roles and bindings are read from the watch cache and indexed once per change to any of them, so a
// request costs a walk over the bindings, never a store read. A denial is checked once more after the
// cache has caught up with the store, so that a client that has just been granted something (kubectl
// create rolebinding, then kubectl get) is not refused by a cache a few writes behind.
import type { UserInfo } from '../authn.ts';
import type { ApiContext } from '../context.ts';
import type { Attributes } from './attributes.ts';

const rbacPrefix = '/registry/rbac.authorization.k8s.io/';
export const privilegedGroup = 'system:masters';

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind?: string;
  apiGroup?: string;
  name?: string;
  namespace?: string;
}

interface Binding {
  name: string;
  /** Empty for a ClusterRoleBinding. */
  namespace: string;
  roleRef: { kind: string; name: string };
  subjects: Subject[];
}

export interface Decision {
  allowed: boolean;
  /** Why: `RBAC: allowed by …` when allowed; when denied, the roles bindings name that do not exist. */
  reason: string;
}

const has = (xs: string[] | undefined, x: string) => !!xs && (xs.includes('*') || xs.includes(x));

/** Whether a rule covers the request (rbac/v1 RuleAllows). */
export function ruleAllows(a: Attributes, rule: PolicyRule): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.isResource) return nonResourceURLMatches(rule.nonResourceURLs, a.path);
  if (!has(rule.apiGroups, a.apiGroup)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (!resourceMatches(rule.resources, combined, a.subresource)) return false;
  return !rule.resourceNames?.length || rule.resourceNames.includes(a.name);
}

/** `*`, the resource itself, `pods/log` for a subresource, or `*\/log` for that subresource of any. */
function resourceMatches(resources: string[] | undefined, combined: string, subresource: string) {
  for (const r of resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

/** A URL itself, or a prefix ending in `*`. */
function nonResourceURLMatches(urls: string[] | undefined, path: string) {
  for (const u of urls ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))) return true;
  }
  return false;
}

export const serviceAccountUser = (namespace: string, name: string) =>
  `system:serviceaccount:${namespace}:${name}`;

/** Whether a binding's subject is the user (a service account without a namespace: the binding's). */
export function subjectMatches(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.name === s.name;
    case 'Group':
      return user.groups.includes(String(s.name));
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return !!ns && user.name === serviceAccountUser(ns, String(s.name));
    }
    default:
      return false;
  }
}

function describeSubject(s: Subject, bindingNamespace: string) {
  if (s.kind === 'ServiceAccount')
    return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

function describeBinding(b: Binding, s: Subject) {
  const which = b.namespace
    ? `RoleBinding ${JSON.stringify(`${b.name}/${b.namespace}`)}`
    : `ClusterRoleBinding ${JSON.stringify(b.name)}`;
  return `${which} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(s, b.namespace)}`;
}

/** Roles and bindings, indexed for the walk a request makes. */
class PolicyIndex {
  readonly clusterRoles = new Map<string, PolicyRule[]>();
  /** namespace/name → rules. */
  readonly roles = new Map<string, PolicyRule[]>();
  readonly clusterRoleBindings: Binding[] = [];
  readonly roleBindings = new Map<string, Binding[]>();

  constructor(objects: unknown[]) {
    for (const value of objects) {
      const o = value as {
        kind?: string;
        metadata?: { name?: string; namespace?: string };
        rules?: PolicyRule[];
        roleRef?: { kind?: string; name?: string };
        subjects?: Subject[];
      };
      const name = o.metadata?.name ?? '';
      const namespace = o.metadata?.namespace ?? '';
      if (o.kind === 'ClusterRole') this.clusterRoles.set(name, o.rules ?? []);
      else if (o.kind === 'Role') this.roles.set(`${namespace}/${name}`, o.rules ?? []);
      else if (o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding') {
        const b: Binding = {
          name,
          namespace: o.kind === 'RoleBinding' ? namespace : '',
          roleRef: { kind: o.roleRef?.kind ?? '', name: o.roleRef?.name ?? '' },
          subjects: o.subjects ?? [],
        };
        if (!b.namespace) this.clusterRoleBindings.push(b);
        else this.roleBindings.set(b.namespace, [...(this.roleBindings.get(b.namespace) ?? []), b]);
      }
    }
  }

  /** The role a binding grants; a missing role is an error, as RBAC reports it. */
  rulesOf(b: Binding): PolicyRule[] | string {
    if (b.roleRef.kind === 'ClusterRole')
      return (
        this.clusterRoles.get(b.roleRef.name) ??
        `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(b.roleRef.name)} not found`
      );
    if (b.roleRef.kind === 'Role' && b.namespace)
      return (
        this.roles.get(`${b.namespace}/${b.roleRef.name}`) ??
        `role.rbac.authorization.k8s.io ${JSON.stringify(b.roleRef.name)} not found`
      );
    return `unsupported role reference kind: ${JSON.stringify(b.roleRef.kind)}`;
  }

  /**
   * Visits the rules that apply to the user in the namespace (every ClusterRoleBinding's, then the
   * namespace's RoleBindings'), with the binding and subject they came through; stops when `visit`
   * returns false. Returns the errors met on the way.
   */
  visit(
    user: UserInfo,
    namespace: string,
    visit: (rule: PolicyRule, describe: () => string) => boolean,
  ): string[] {
    const errors: string[] = [];
    const bindings = [
      ...this.clusterRoleBindings,
      ...(namespace ? (this.roleBindings.get(namespace) ?? []) : []),
    ];
    for (const b of bindings) {
      const s = b.subjects.find((x) => subjectMatches(user, x, b.namespace));
      if (!s) continue;
      const rules = this.rulesOf(b);
      if (typeof rules === 'string') {
        errors.push(rules);
        continue;
      }
      for (const r of rules) if (!visit(r, () => describeBinding(b, s))) return errors;
    }
    return errors;
  }
}

/** Kubernetes' aggregate of errors: one as it is, more in brackets. */
const aggregate = (errors: string[]) => (errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);

export class RbacAuthorizer {
  private index: PolicyIndex | undefined;
  private followed: unknown;

  constructor(private readonly ctx: Pick<ApiContext, 'store' | 'cache'>) {}

  /** The index of the cache's current roles and bindings, rebuilt after they changed. */
  private async policy(): Promise<PolicyIndex> {
    const cache = this.ctx.cache;
    if (cache && this.followed !== cache) {
      this.followed = cache;
      this.index = undefined;
      cache.onChange(rbacPrefix, () => {
        if (this.followed === cache) this.index = undefined;
      });
    }
    if (this.index) return this.index;
    const snapshot = cache?.snapshot(rbacPrefix);
    if (snapshot) {
      this.index = new PolicyIndex(snapshot.map((s) => s.value));
      return this.index;
    }
    // No cache (disabled, or not filled yet): the four kinds from the store.
    const page = await this.ctx.store.list(rbacPrefix);
    return new PolicyIndex(page.items.map((s) => s.value));
  }

  private decide(policy: PolicyIndex, a: Attributes): Decision {
    let reason = '';
    const errors = policy.visit(a.user, a.namespace, (rule, describe) => {
      if (!ruleAllows(a, rule)) return true;
      reason = `RBAC: allowed by ${describe()}`;
      return false;
    });
    if (reason) return { allowed: true, reason };
    return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : '' };
  }

  async authorize(a: Attributes): Promise<Decision> {
    if (a.user.groups.includes(privilegedGroup)) return { allowed: true, reason: '' };
    const first = this.decide(await this.policy(), a);
    if (first.allowed || !this.ctx.cache || !(await this.ctx.cache.sync())) return first;
    return this.decide(await this.policy(), a);
  }

  /** Every rule that applies to the user in the namespace (SelfSubjectRulesReview). */
  async rulesFor(user: UserInfo, namespace: string): Promise<{ rules: PolicyRule[]; errors: string[] }> {
    if (this.ctx.cache) await this.ctx.cache.sync();
    const rules: PolicyRule[] = [];
    if (user.groups.includes(privilegedGroup))
      rules.push(
        { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
        { verbs: ['*'], nonResourceURLs: ['*'] },
      );
    const errors = (await this.policy()).visit(user, namespace, (rule) => {
      rules.push(rule);
      return true;
    });
    return { rules, errors };
  }
}

export { aggregate as aggregateErrors };
