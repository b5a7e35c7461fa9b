// Authentication: who a request is. Client certificates signed by the cluster CA (the admin kubeconfig
// carries one) are the first authenticator; service-account and bootstrap tokens slot in as others.
// A request no authenticator accepts is anonymous, and anonymous requests get 401.
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface UserInfo {
  name: string;
  groups: string[];
}

export type Authenticator = (
  req: http.IncomingMessage,
) => UserInfo | undefined | Promise<UserInfo | undefined>;

/** The TLS layer verified the chain (requestCert against our CA); the subject names the user. */
export const clientCertAuthenticator: Authenticator = (req) => {
  const socket = req.socket as TLSSocket;
  if (!socket.encrypted || !socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  const subject = cert?.subject as unknown as Record<string, string | string[]> | undefined;
  const cn = subject?.CN;
  if (!cn || Array.isArray(cn)) return undefined;
  const o = subject.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { name: cn, groups: [...groups, 'system:authenticated'] };
};

/** Bearer tokens from a fixed table (tests; later the service-account token authenticator). */
export function tokenAuthenticator(tokens: Map<string, UserInfo>): Authenticator {
  return (req) => {
    const h = req.headers.authorization;
    if (!h?.startsWith('Bearer ')) return undefined;
    const user = tokens.get(h.slice('Bearer '.length).trim());
    return user ? { ...user, groups: [...user.groups, 'system:authenticated'] } : undefined;
  };
}

export function firstOf(...authenticators: Authenticator[]): Authenticator {
  return async (req) => {
    for (const a of authenticators) {
      const u = await a(req);
      if (u) return u;
    }
    return undefined;
  };
}

/** What a service-account token says of whom it is for (serviceaccount/tokens.ts's claims). */
export interface ServiceAccountClaims {
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid?: string };
    pod?: { name: string; uid?: string };
    secret?: { name: string; uid?: string };
  };
}

/**
 * Service-account tokens the cluster issued (serviceaccount/tokens.ts): the account's user and groups
 * as Kubernetes names them. `current` says whether what the token names still exists (the account,
 * and the pod or secret it is bound to, with the same UIDs): a token outlives nothing it was issued for.
 */
export function serviceAccountAuthenticator(
  verify: (token: string) => ServiceAccountClaims | undefined,
  current: (claims: ServiceAccountClaims) => boolean | Promise<boolean> = () => true,
): Authenticator {
  return async (req) => {
    const h = req.headers.authorization;
    if (!h?.startsWith('Bearer ')) return undefined;
    const claims = verify(h.slice('Bearer '.length).trim());
    if (!claims || !(await current(claims))) return undefined;
    const { namespace, serviceaccount } = claims['kubernetes.io'];
    return {
      name: `system:serviceaccount:${namespace}:${serviceaccount.name}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
    };
  };
}
