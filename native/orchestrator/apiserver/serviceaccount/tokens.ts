// Service-account tokens as kube-apiserver issues them for pods (bound, projected tokens): JWTs signed
// ES256 with the cluster's service-account key (`<data-root>/kubernetes/sa.key`, made at first start),
// naming the account, its namespace and the pod they were issued for. The API server's authenticator
// verifies them; the kubelet writes them into the pods' kube-api-access volumes.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../../core/fsutil.ts';

export const defaultIssuer = 'https://kubernetes.default.svc.cluster.local';

export interface TokenRequest {
  namespace: string;
  serviceAccount: { name: string; uid?: string };
  pod?: { name: string; uid?: string };
  /** The secret the token is bound to (a TokenRequest's boundObjectRef of kind Secret). */
  secret?: { name: string; uid?: string };
  audiences?: string[];
  /** Lifetime in seconds (kube-apiserver's default for a projected token: 3607). */
  expirationSeconds?: number;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid?: string };
    pod?: { name: string; uid?: string };
    secret?: { name: string; uid?: string };
  };
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class TokenIssuer {
  private constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
    private readonly now: () => number,
    readonly issuer = defaultIssuer,
  ) {}

  /** The issuer of `<dir>/sa.key`, made when absent. */
  static async open(dir: string, now: () => number = Date.now): Promise<TokenIssuer> {
    const file = path.join(dir, 'sa.key');
    let pem = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (!pem) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await writeFileAtomic(file, pem, 0o600);
    }
    const key = createPrivateKey(pem);
    return new TokenIssuer(key, createPublicKey(key), now);
  }

  issue(req: TokenRequest): { token: string; expiresAt: number } {
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + (req.expirationSeconds ?? 3607);
    const claims: TokenClaims = {
      iss: this.issuer,
      sub: `system:serviceaccount:${req.namespace}:${req.serviceAccount.name}`,
      aud: req.audiences?.length ? req.audiences : [this.issuer],
      exp,
      iat,
      nbf: iat,
      'kubernetes.io': {
        namespace: req.namespace,
        serviceaccount: req.serviceAccount,
        ...(req.pod ? { pod: req.pod } : {}),
        ...(req.secret ? { secret: req.secret } : {}),
      },
    };
    const head = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT' }));
    const body = b64url(JSON.stringify(claims));
    const sig = sign('sha256', Buffer.from(`${head}.${body}`), {
      key: this.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return { token: `${head}.${body}.${b64url(sig)}`, expiresAt: exp * 1000 };
  }

  /** The claims of a token this issuer signed that has not expired; undefined otherwise. */
  verify(token: string): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [head, body, sig] = parts;
    try {
      const ok = verify(
        'sha256',
        Buffer.from(`${head}.${body}`),
        { key: this.publicKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(sig, 'base64url'),
      );
      if (!ok) return undefined;
      const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string };
      if (header.alg !== 'ES256') return undefined;
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as TokenClaims;
      const now = Math.floor(this.now() / 1000);
      if (claims.iss !== this.issuer || claims.exp <= now || claims.nbf > now + 60) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }
}
