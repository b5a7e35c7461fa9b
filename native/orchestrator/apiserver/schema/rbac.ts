// rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding.
import { f, kind, type SchemaPackage } from './dsl.ts';

const bindingFields = {
  subjects: f('[]Subject', 'Who the role applies to.', { atomic: true }),
  roleRef: f('RoleRef', 'The role granted; it cannot change once set.', { required: true }),
};

export const rbacPackage: SchemaPackage = {
  name: 'io.k8s.api.rbac.v1',
  types: {
    Role: kind(
      'rbac.authorization.k8s.io',
      'v1',
      'Role',
      'A namespaced set of rules that a RoleBinding grants as a unit.',
      { rules: f('[]PolicyRule', 'What the role allows.', { atomic: true }) },
    ),
    ClusterRole: kind(
      'rbac.authorization.k8s.io',
      'v1',
      'ClusterRole',
      'A cluster-wide set of rules that a RoleBinding or ClusterRoleBinding grants as a unit.',
      {
        rules: f('[]PolicyRule', 'What the role allows.', { atomic: true }),
        aggregationRule: f('AggregationRule', 'How the rules are gathered from other cluster roles.'),
      },
    ),
    RoleBinding: kind(
      'rbac.authorization.k8s.io',
      'v1',
      'RoleBinding',
      'Grants a Role or ClusterRole to subjects within one namespace.',
      bindingFields,
    ),
    ClusterRoleBinding: kind(
      'rbac.authorization.k8s.io',
      'v1',
      'ClusterRoleBinding',
      'Grants a ClusterRole to subjects in the whole cluster.',
      bindingFields,
    ),
    PolicyRule: {
      desc: 'Verbs allowed on resources (or on non-resource URLs).',
      fields: {
        verbs: f('[]string', 'The verbs allowed; * for all.', { required: true, atomic: true }),
        apiGroups: f('[]string', 'The API groups of the resources; "" is the core group.', { atomic: true }),
        resources: f('[]string', 'The resources; * for all.', { atomic: true }),
        resourceNames: f('[]string', 'Only these names, when set.', { atomic: true }),
        nonResourceURLs: f('[]string', 'Paths outside the resources, such as /healthz.', { atomic: true }),
      },
    },
    Subject: {
      desc: 'A user, group or service account a binding applies to.',
      atomic: true,
      fields: {
        kind: f('string', 'User, Group or ServiceAccount.', { required: true }),
        apiGroup: f('string', 'rbac.authorization.k8s.io for users and groups, "" for service accounts.'),
        name: f('string', 'The name of the subject.', { required: true }),
        namespace: f('string', 'The namespace of a service account.'),
      },
    },
    RoleRef: {
      desc: 'The role a binding grants.',
      atomic: true,
      fields: {
        apiGroup: f('string', 'The group of the role: rbac.authorization.k8s.io.', { required: true }),
        kind: f('string', 'Role or ClusterRole.', { required: true }),
        name: f('string', 'The name of the role.', { required: true }),
      },
    },
    AggregationRule: {
      desc: 'Selects the cluster roles whose rules a cluster role gathers.',
      fields: {
        clusterRoleSelectors: f('[]LabelSelector', 'Cluster roles matching any of these.', { atomic: true }),
      },
    },
  },
};
