// The reviews: authorization.k8s.io/v1 SelfSubjectAccessReview (`kubectl auth can-i`),
// SelfSubjectRulesReview (`kubectl auth can-i --list`) and SubjectAccessReview (an admin asking for
// someone else), and authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`). They are
// created, never stored: the answer is the request with its status filled from the same authorizer
// that guards every request.
import type { UserInfo } from '../authn.ts';
import type { ApiContext, Scope } from '../context.ts';
import type { KubeObject, ResourceDef } from '../registry.ts';
import { asObj } from '../resources/podspec.ts';
import { badRequest, type FieldError, invalid } from '../status.ts';
import { nameColumn } from '../table.ts';
import { invalidValue } from '../validation.ts';
import { type Attributes, pathAttributes } from './attributes.ts';
import { aggregateErrors, type PolicyRule, RbacAuthorizer } from './rbac.ts';

type Obj = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

const authorizationGroup = 'authorization.k8s.io';

/** The authorizer the API server runs; one over the context's store when it runs none (tests). */
const authorizerOf = (ctx: ApiContext) => ctx.authorizer ?? new RbacAuthorizer(ctx);

/** The attributes a review's spec asks about (ResourceAttributesFrom / NonResourceAttributesFrom). */
function attributesOf(user: UserInfo, spec: Obj): Attributes {
  const r = spec.resourceAttributes;
  if (r && typeof r === 'object') {
    const a = asObj(r);
    return {
      user,
      verb: str(a.verb),
      isResource: true,
      apiGroup: str(a.group),
      apiVersion: str(a.version),
      resource: str(a.resource),
      subresource: str(a.subresource),
      namespace: str(a.namespace),
      name: str(a.name),
      path: '',
    };
  }
  const n = asObj(spec.nonResourceAttributes);
  return pathAttributes(user, str(n.verb), str(n.path));
}

/** Exactly one of resourceAttributes and nonResourceAttributes (ValidateSelfSubjectAccessReviewSpec). */
function attributeErrors(spec: Obj): FieldError[] {
  const hasResource = spec.resourceAttributes != null;
  const hasPath = spec.nonResourceAttributes != null;
  if (hasResource && hasPath)
    return [
      invalidValue(
        'spec.nonResourceAttributes',
        spec.nonResourceAttributes,
        'cannot be specified in combination with resourceAttributes',
      ),
    ];
  if (!hasResource && !hasPath)
    return [
      {
        ...invalidValue(
          'spec.resourceAttributes',
          null,
          'exactly one of nonResourceAttributes or resourceAttributes must be specified',
        ),
        goValue: 'null',
      },
    ];
  return [];
}

async function accessReview(ctx: ApiContext, user: UserInfo, body: KubeObject): Promise<Obj> {
  const decision = await authorizerOf(ctx).authorize(attributesOf(user, asObj(body.spec)));
  return { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) };
}

const reviewDef = (
  group: string,
  kind: string,
  plural: string,
  answer: ResourceDef['answer'],
): ResourceDef => ({
  group,
  version: 'v1',
  kind,
  plural,
  singular: kind.toLowerCase(),
  namespaced: false,
  verbs: ['create'],
  table: [nameColumn],
  strategy: {},
  answer,
});

const answered = (body: KubeObject, kind: string, group: string, fields: Obj): KubeObject => ({
  kind,
  apiVersion: `${group}/v1`,
  metadata: asObj(body.metadata),
  ...fields,
});

export const selfSubjectAccessReviewDef = reviewDef(
  authorizationGroup,
  'SelfSubjectAccessReview',
  'selfsubjectaccessreviews',
  async (ctx: ApiContext, scope: Scope, body: KubeObject) => {
    const spec = asObj(body.spec);
    const errs = attributeErrors(spec);
    if (errs.length) throw invalid('SelfSubjectAccessReview', authorizationGroup, '', errs);
    return answered(body, 'SelfSubjectAccessReview', authorizationGroup, {
      spec,
      status: await accessReview(ctx, scope.user, body),
    });
  },
);

/** A SubjectAccessReview's spec: the attributes and someone to ask for (ValidateSubjectAccessReviewSpec). */
function subjectErrors(spec: Obj): FieldError[] {
  const errs = attributeErrors(spec);
  if (!str(spec.user) && strings(spec.groups).length === 0)
    errs.push(invalidValue('spec.user', '', 'at least one of user or group must be specified'));
  return errs;
}

const subjectOf = (spec: Obj): UserInfo => ({ name: str(spec.user), groups: strings(spec.groups) });

export const subjectAccessReviewDef = reviewDef(
  authorizationGroup,
  'SubjectAccessReview',
  'subjectaccessreviews',
  async (ctx: ApiContext, _scope: Scope, body: KubeObject) => {
    const spec = asObj(body.spec);
    const errs = subjectErrors(spec);
    if (errs.length) throw invalid('SubjectAccessReview', authorizationGroup, '', errs);
    return answered(body, 'SubjectAccessReview', authorizationGroup, {
      spec,
      status: await accessReview(ctx, subjectOf(spec), body),
    });
  },
);

/**
 * A SubjectAccessReview asked in a namespace (what the admin role may ask): the resource attributes
 * must name that namespace, and paths are not asked about.
 */
export const localSubjectAccessReviewDef: ResourceDef = {
  ...reviewDef(
    authorizationGroup,
    'LocalSubjectAccessReview',
    'localsubjectaccessreviews',
    async (ctx: ApiContext, scope: Scope, body: KubeObject) => {
      const namespace = scope.namespace ?? '';
      const meta = asObj(body.metadata);
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace)
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      const spec = asObj(body.spec);
      const errs = subjectErrors(spec);
      const asked = spec.resourceAttributes;
      if (asked && typeof asked === 'object' && str(asObj(asked).namespace) !== namespace)
        errs.push(
          invalidValue(
            'spec.resourceAttributes.namespace',
            str(asObj(asked).namespace),
            'must match metadata.namespace',
          ),
        );
      if (spec.nonResourceAttributes != null)
        errs.push({
          ...invalidValue(
            'spec.nonResourceAttributes',
            spec.nonResourceAttributes,
            'disallowed on this kind of request',
          ),
        });
      if (errs.length) throw invalid('LocalSubjectAccessReview', authorizationGroup, '', errs);
      return answered(
        { ...body, metadata: { ...meta, namespace } },
        'LocalSubjectAccessReview',
        authorizationGroup,
        {
          spec,
          status: await accessReview(ctx, subjectOf(spec), body),
        },
      );
    },
  ),
  namespaced: true,
};

/** A rule as the rules review lists it: resource rules and non-resource rules apart. */
function splitRules(rules: PolicyRule[]) {
  const resourceRules: Obj[] = [];
  const nonResourceRules: Obj[] = [];
  for (const r of rules) {
    if (r.nonResourceURLs?.length)
      nonResourceRules.push({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs });
    else
      resourceRules.push({
        verbs: r.verbs ?? [],
        ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}),
        ...(r.resources ? { resources: r.resources } : {}),
        ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
      });
  }
  return { resourceRules, nonResourceRules };
}

export const selfSubjectRulesReviewDef = reviewDef(
  authorizationGroup,
  'SelfSubjectRulesReview',
  'selfsubjectrulesreviews',
  async (ctx: ApiContext, scope: Scope, body: KubeObject) => {
    const spec = asObj(body.spec);
    const namespace = str(spec.namespace);
    const { rules, errors } = await authorizerOf(ctx).rulesFor(scope.user, namespace);
    return answered(body, 'SelfSubjectRulesReview', authorizationGroup, {
      spec,
      status: {
        ...splitRules(rules),
        incomplete: errors.length > 0,
        ...(errors.length ? { evaluationError: aggregateErrors(errors) } : {}),
      },
    });
  },
);

export const selfSubjectReviewDef = reviewDef(
  'authentication.k8s.io',
  'SelfSubjectReview',
  'selfsubjectreviews',
  async (_ctx: ApiContext, scope: Scope, body: KubeObject) =>
    answered(body, 'SelfSubjectReview', 'authentication.k8s.io', {
      status: { userInfo: { username: scope.user.name, groups: scope.user.groups } },
    }),
);

export const reviewDefs = [
  selfSubjectReviewDef,
  localSubjectAccessReviewDef,
  selfSubjectAccessReviewDef,
  selfSubjectRulesReviewDef,
  subjectAccessReviewDef,
];
