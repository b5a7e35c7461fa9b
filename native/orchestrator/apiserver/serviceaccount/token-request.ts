// The serviceaccounts/token subresource: a POST of an authentication.k8s.io/v1 TokenRequest, answered
// with a signed token for the account, as kube-apiserver's TokenREST issues it — what `kubectl create
// token`, dashboards and CI tools use now that service accounts get no token Secrets. The audiences
// default to the API server's own; the lifetime to an hour, at least ten minutes; a token may be bound
// to a pod or a secret of the account's namespace (named in its claims; the pod must run as the account).
import type http from 'node:http';
import type { Store } from '../../store/store.ts';
import type { ServiceAccountClaims } from '../authn.ts';
import type { ApiContext, Scope } from '../context.ts';
import { isDryRun } from '../context.ts';
import { readObject, sendJson } from '../http.ts';
import { fromStored } from '../objects.ts';
import { type KubeObject, type Registry, type SubresourceHandler, storeKey } from '../registry.ts';
import { getObject } from '../rest/read.ts';
import { iso } from '../rest/write.ts';
import { badRequest, conflict, type FieldError, invalid, methodNotAllowed } from '../status.ts';
import { notSupported, required } from '../validation.ts';
import type { TokenRequest } from './tokens.ts';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

const apiVersion = 'authentication.k8s.io/v1';
const defaultSeconds = 3600;
const minSeconds = 600;
const maxSeconds = 2 ** 32;

export interface TokenSigner {
  issuer: string;
  issue(req: TokenRequest): { token: string; expiresAt: number };
}

/** The core/v1 object of `kind` named in the request's namespace; 404 in Kubernetes' words without. */
const stored = (ctx: ApiContext, scope: Scope, kind: string, name: string): Promise<KubeObject> =>
  getObject(ctx, { ...scope, def: ctx.registry.byKind('', kind)!, name, subresource: undefined });

/** Issues the token a TokenRequest `body` asks for, for the service account `scope.name`. */
export async function requestToken(
  ctx: ApiContext,
  scope: Scope,
  signer: TokenSigner,
  body: Obj,
): Promise<Obj> {
  if (body.kind !== undefined && body.kind !== 'TokenRequest')
    throw badRequest(`not a TokenRequest object: ${String(body.kind)}`);
  const namespace = String(scope.namespace);
  const name = String(scope.name);
  const spec = asObj(body.spec);
  const errs: FieldError[] = [];
  const seconds = spec.expirationSeconds ?? defaultSeconds;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds))
    throw badRequest('spec.expirationSeconds: must be an integer');
  if (seconds < minSeconds)
    errs.push({
      field: 'spec.expirationSeconds',
      type: 'FieldValueInvalid',
      value: seconds,
      detail: 'may not specify a duration less than 10 minutes',
    });
  if (seconds > maxSeconds)
    errs.push({
      field: 'spec.expirationSeconds',
      type: 'FieldValueInvalid',
      value: seconds,
      detail: 'may not specify a duration larger than 2^32 seconds',
    });
  const ref =
    spec.boundObjectRef === undefined || spec.boundObjectRef === null
      ? undefined
      : asObj(spec.boundObjectRef);
  if (ref) {
    if (!['Pod', 'Secret'].includes(String(ref.kind)))
      errs.push(notSupported('spec.boundObjectRef.kind', ref.kind, ['Pod', 'Secret']));
    if (typeof ref.name !== 'string' || !ref.name) errs.push(required('spec.boundObjectRef.name'));
  }
  if (errs.length) throw invalid('TokenRequest', 'authentication.k8s.io', name, errs);
  const account = await stored(ctx, scope, 'ServiceAccount', name);
  const request: TokenRequest = {
    namespace,
    serviceAccount: { name, uid: account.metadata?.uid },
    audiences:
      Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences.map(String) : [signer.issuer],
    expirationSeconds: seconds,
  };
  if (ref) {
    const kind = String(ref.kind);
    const bound = await stored(ctx, scope, kind, String(ref.name));
    const uid = bound.metadata?.uid;
    if (ref.uid && ref.uid !== uid)
      throw conflict(
        { group: '', resource: kind === 'Pod' ? 'pods' : 'secrets' },
        String(ref.name),
        `the UID in the bound object reference (${String(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    if (kind === 'Pod') {
      const runsAs = String(asObj(bound.spec).serviceAccountName ?? 'default');
      if (runsAs !== name)
        throw badRequest(
          `cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`,
        );
      request.pod = { name: String(ref.name), uid };
    } else request.secret = { name: String(ref.name), uid };
  }
  const out: Obj = {
    kind: 'TokenRequest',
    apiVersion,
    metadata: { name, namespace, creationTimestamp: null },
    spec: {
      audiences: request.audiences,
      expirationSeconds: seconds,
      boundObjectRef: ref
        ? {
            kind: ref.kind,
            apiVersion: 'v1',
            name: ref.name,
            ...(request.pod?.uid || request.secret?.uid
              ? { uid: request.pod?.uid ?? request.secret?.uid }
              : {}),
          }
        : null,
    },
    status: { token: '', expirationTimestamp: null },
  };
  // A dry run checks the request and signs nothing.
  if (isDryRun(scope)) return out;
  const { token, expiresAt } = signer.issue(request);
  out.status = { token, expirationTimestamp: iso(expiresAt) };
  return out;
}

export function tokenRequestHandler(signer: TokenSigner): SubresourceHandler {
  return {
    kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
    verbs: ['create'],
    async serve(ctx: ApiContext, scope: Scope, req: http.IncomingMessage, res: http.ServerResponse) {
      if (req.method !== 'POST') throw methodNotAllowed();
      sendJson(res, 201, await requestToken(ctx, scope, signer, (await readObject(req)) as Obj));
    },
  };
}

/**
 * Whether what a service-account token names still exists, with the UIDs it was issued for: the
 * account, and the pod or secret it is bound to. kube-apiserver's token authenticator checks the same,
 * so a deleted (or deleted and recreated) account's tokens stop working at once, not at their expiry.
 */
export async function tokenSubjectsExist(
  store: Pick<Store, 'get'>,
  registry: Registry,
  claims: ServiceAccountClaims,
): Promise<boolean> {
  const k = claims['kubernetes.io'];
  const same = async (kind: string, subject: { name: string; uid?: string } | undefined) => {
    if (!subject) return true;
    const def = registry.byKind('', kind)!;
    const found = await store.get(storeKey(def, k.namespace, subject.name));
    if (!found) return false;
    return !subject.uid || fromStored(def, found).metadata?.uid === subject.uid;
  };
  return (
    (await same('ServiceAccount', k.serviceaccount)) &&
    (await same('Pod', k.pod)) &&
    (await same('Secret', k.secret))
  );
}
