// rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding — stored, validated
// and printed as Kubernetes does, so that the manifests and charts that carry them apply and read back.
// The authorizer (authz/rbac.ts) decides every HTTP request from them.
import type { KubeObject, ResourceDef } from '../registry.ts';
import type { FieldError } from '../status.ts';
import { ageColumn, column, joinOrNone, nameColumn } from '../table.ts';
import { invalidValue, notSupported, required } from '../validation.ts';
import { asList, asObj } from './podspec.ts';

const group = 'rbac.authorization.k8s.io';

const goStrings = (xs: unknown[]) => `[]string{${xs.map((x) => JSON.stringify(String(x))).join(', ')}}`;
const rbac = { group, version: 'v1' } as const;

/** Kubernetes' rule checks (pkg/apis/rbac/validation): what every rule needs, and what cannot mix. */
function validateRules(o: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  asList(o.rules).forEach((r, i) => {
    const at = `rules[${i}]`;
    const urls = asList(r.nonResourceURLs);
    if (asList(r.verbs).length === 0)
      errs.push({ ...required(`${at}.verbs`), detail: 'verbs must contain at least one value' });
    if (urls.length) {
      const bad = (detail: string) => ({
        ...invalidValue(`${at}.nonResourceURLs`, urls, detail),
        goValue: goStrings(urls),
      });
      if (namespaced) errs.push(bad('namespaced rules cannot apply to non-resource URLs'));
      if (asList(r.apiGroups).length || asList(r.resources).length)
        errs.push(bad('rules cannot apply to both regular resources and non-resource URLs'));
      return;
    }
    if (asList(r.apiGroups).length === 0)
      errs.push({
        ...required(`${at}.apiGroups`),
        detail: 'resource rules must supply at least one api group',
      });
    if (asList(r.resources).length === 0)
      errs.push({
        ...required(`${at}.resources`),
        detail: 'resource rules must supply at least one resource',
      });
  });
  return errs;
}

/** A user's or group's subject names the RBAC group when it leaves it out (SetDefaults_Subject). */
function defaultSubjects(o: KubeObject) {
  for (const s of asList(o.subjects))
    if (s.apiGroup === undefined || s.apiGroup === '')
      if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = group;
}

function validateBinding(o: KubeObject, old: KubeObject | undefined, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = asObj(o.roleRef);
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (ref.apiGroup !== group) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [group]));
  if (!kinds.includes(String(ref.kind ?? ''))) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required('roleRef.name'));
  const was = asObj(old?.roleRef);
  if (old && (was.apiGroup !== ref.apiGroup || was.kind !== ref.kind || was.name !== ref.name))
    errs.push({
      ...invalidValue('roleRef', ref, 'cannot change roleRef'),
      goValue: `rbac.RoleRef{APIGroup:${JSON.stringify(String(ref.apiGroup ?? ''))}, Kind:${JSON.stringify(String(ref.kind ?? ''))}, Name:${JSON.stringify(String(ref.name ?? ''))}}`,
    });
  asList(o.subjects).forEach((s, i) => {
    const at = `subjects[${i}]`;
    if (!s.name) errs.push(required(`${at}.name`));
    switch (s.kind) {
      case 'ServiceAccount':
        if (s.apiGroup) errs.push(notSupported(`${at}.apiGroup`, s.apiGroup, ['']));
        if (!namespaced && !s.namespace) errs.push(required(`${at}.namespace`));
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== group) errs.push(notSupported(`${at}.apiGroup`, s.apiGroup ?? '', [group]));
        break;
      default:
        errs.push(notSupported(`${at}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  return errs;
}

/** The columns kubectl prints for roles: when it was made, as a date. */
const createdAt = column(
  'Created At',
  (o) => String(o.metadata?.creationTimestamp ?? ''),
  'The time the role was created.',
  { type: 'date' },
);

const subjectsOf = (kind: string) => (o: KubeObject) =>
  joinOrNone(
    asList(o.subjects)
      .filter((s) => s.kind === kind)
      .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : String(s.name))),
  );

const bindingTable = [
  nameColumn,
  column(
    'Role',
    (o) => `${asObj(o.roleRef).kind ?? ''}/${asObj(o.roleRef).name ?? ''}`,
    'The role the binding grants.',
  ),
  ageColumn,
  column('Users', subjectsOf('User'), 'The users the binding applies to.', { wide: true }),
  column('Groups', subjectsOf('Group'), 'The groups the binding applies to.', { wide: true }),
  column('ServiceAccounts', subjectsOf('ServiceAccount'), 'The service accounts the binding applies to.', {
    wide: true,
  }),
];

export const roleDef: ResourceDef = {
  ...rbac,
  kind: 'Role',
  plural: 'roles',
  singular: 'role',
  namespaced: true,
  nameRule: 'pathSegment',
  table: [nameColumn, createdAt],
  strategy: { validate: (o) => validateRules(o, true) },
};

export const clusterRoleDef: ResourceDef = {
  ...rbac,
  kind: 'ClusterRole',
  plural: 'clusterroles',
  singular: 'clusterrole',
  namespaced: false,
  nameRule: 'pathSegment',
  table: [nameColumn, createdAt],
  strategy: { validate: (o) => validateRules(o, false) },
};

export const roleBindingDef: ResourceDef = {
  ...rbac,
  kind: 'RoleBinding',
  plural: 'rolebindings',
  singular: 'rolebinding',
  namespaced: true,
  nameRule: 'pathSegment',
  table: bindingTable,
  strategy: { defaults: defaultSubjects, validate: (o, old) => validateBinding(o, old, true) },
};

export const clusterRoleBindingDef: ResourceDef = {
  ...rbac,
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  namespaced: false,
  nameRule: 'pathSegment',
  table: bindingTable,
  strategy: { defaults: defaultSubjects, validate: (o, old) => validateBinding(o, old, false) },
};

export const rbacDefs = [clusterRoleBindingDef, clusterRoleDef, roleBindingDef, roleDef];
