// authorization.k8s.io/v1 and authentication.k8s.io/v1: the reviews, kinds that are created to ask a
// question (may this user do that? what may I do? who am I?) and answered in their status.
import { f, kind, type SchemaPackage } from './dsl.ts';

const authz = 'authorization.k8s.io';
const subjectFields = {
  user: f('string', 'The user to check.'),
  groups: f('[]string', 'The groups of the user to check.', { atomic: true }),
  uid: f('string', 'The UID of the user to check.'),
  extra: f('{}[]string', 'Extra attributes of the user to check.'),
};
const attributeFields = {
  resourceAttributes: f('ResourceAttributes', 'A resource request to check.'),
  nonResourceAttributes: f('NonResourceAttributes', 'A non-resource request to check.'),
};
const statusField = { status: f('SubjectAccessReviewStatus', 'The answer, filled by the server.') };

export const authorizationPackage: SchemaPackage = {
  name: 'io.k8s.api.authorization.v1',
  types: {
    SelfSubjectAccessReview: kind(
      authz,
      'v1',
      'SelfSubjectAccessReview',
      'Asks whether the requesting user may perform an action.',
      { spec: f('SelfSubjectAccessReviewSpec', 'The action to check.', { required: true }), ...statusField },
    ),
    SubjectAccessReview: kind(
      authz,
      'v1',
      'SubjectAccessReview',
      'Asks whether a given user or group may perform an action.',
      {
        spec: f('SubjectAccessReviewSpec', 'The user and action to check.', { required: true }),
        ...statusField,
      },
    ),
    LocalSubjectAccessReview: kind(
      authz,
      'v1',
      'LocalSubjectAccessReview',
      'Asks whether a given user or group may perform an action in a namespace.',
      {
        spec: f('SubjectAccessReviewSpec', 'The user and action to check.', { required: true }),
        ...statusField,
      },
    ),
    SelfSubjectRulesReview: kind(
      authz,
      'v1',
      'SelfSubjectRulesReview',
      'Lists what the requesting user may do in a namespace.',
      {
        spec: f('SelfSubjectRulesReviewSpec', 'The namespace to list the rules of.', { required: true }),
        status: f('SubjectRulesReviewStatus', 'The rules, filled by the server.'),
      },
    ),
    SelfSubjectAccessReviewSpec: { desc: 'The action to check.', fields: attributeFields },
    SubjectAccessReviewSpec: {
      desc: 'The user and action to check.',
      fields: { ...attributeFields, ...subjectFields },
    },
    SelfSubjectRulesReviewSpec: {
      desc: 'The namespace to list the rules of.',
      fields: { namespace: f('string', 'The namespace.') },
    },
    ResourceAttributes: {
      desc: 'A request for a resource, as the authorizer sees it.',
      fields: {
        namespace: f('string', 'The namespace of the request; "" for all namespaces or cluster scope.'),
        verb: f('string', 'get, list, watch, create, update, patch, delete, deletecollection or *.'),
        group: f('string', 'The API group; * for all.'),
        version: f('string', 'The API version; * for all.'),
        resource: f('string', 'The resource; * for all.'),
        subresource: f('string', 'The subresource; "" for none.'),
        name: f('string', 'The name of the object; "" for all.'),
      },
    },
    NonResourceAttributes: {
      desc: 'A request for a path outside the resources.',
      fields: { path: f('string', 'The URL path.'), verb: f('string', 'The lowercased HTTP method.') },
    },
    SubjectAccessReviewStatus: {
      desc: 'Whether the action is allowed.',
      fields: {
        allowed: f('boolean', 'Whether the action is allowed.', { required: true }),
        denied: f('boolean', 'Whether the action is explicitly denied.'),
        reason: f('string', 'Why.'),
        evaluationError: f('string', 'What went wrong while deciding, if anything.'),
      },
    },
    SubjectRulesReviewStatus: {
      desc: 'What the user may do.',
      fields: {
        resourceRules: f('[]ResourceRule', 'The resource rules.', { required: true, atomic: true }),
        nonResourceRules: f('[]NonResourceRule', 'The non-resource rules.', { required: true, atomic: true }),
        incomplete: f('boolean', 'Whether some rules could not be listed.', { required: true }),
        evaluationError: f('string', 'What went wrong while listing, if anything.'),
      },
    },
    ResourceRule: {
      desc: 'Verbs allowed on resources.',
      fields: {
        verbs: f('[]string', 'The verbs.', { required: true, atomic: true }),
        apiGroups: f('[]string', 'The API groups.', { atomic: true }),
        resources: f('[]string', 'The resources.', { atomic: true }),
        resourceNames: f('[]string', 'Only these names, when set.', { atomic: true }),
      },
    },
    NonResourceRule: {
      desc: 'Verbs allowed on paths.',
      fields: {
        verbs: f('[]string', 'The verbs.', { required: true, atomic: true }),
        nonResourceURLs: f('[]string', 'The paths.', { atomic: true }),
      },
    },
  },
};

export const authenticationPackage: SchemaPackage = {
  name: 'io.k8s.api.authentication.v1',
  types: {
    SelfSubjectReview: kind(
      'authentication.k8s.io',
      'v1',
      'SelfSubjectReview',
      'Asks who the requesting user is.',
      { status: f('SelfSubjectReviewStatus', 'The user, filled by the server.') },
    ),
    SelfSubjectReviewStatus: {
      desc: 'Who the user is.',
      fields: { userInfo: f('UserInfo', 'The user as the server authenticated it.') },
    },
    UserInfo: {
      desc: 'A user as authentication found it.',
      fields: {
        username: f('string', 'The name of the user.'),
        uid: f('string', 'A unique value for the user.'),
        groups: f('[]string', 'The groups of the user.', { atomic: true }),
        extra: f('{}[]string', 'What else the authenticator knows.'),
      },
    },
  },
};
