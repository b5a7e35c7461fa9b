import { invalid } from '../core/errors.ts';

/** What the docker CLI sends in `X-Registry-Auth` and in the body of `POST /auth`. */
export interface Credentials {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** One challenge of a `WWW-Authenticate` header: a scheme and its parameters (lower-case keys). */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses `Bearer realm="https://auth",service="reg",scope="repository:a:pull"` (RFC 7235): quoted
 * strings may hold commas and escaped quotes; several challenges may share one header.
 */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skipSpace = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const token = () => {
    const start = i;
    while (i < n && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(header[i])) i++;
    return header.slice(start, i);
  };
  while (i < n) {
    skipSpace();
    while (i < n && header[i] === ',') {
      i++;
      skipSpace();
    }
    const scheme = token();
    if (!scheme) break;
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      skipSpace();
      const save = i;
      const key = token();
      skipSpace();
      if (!key || header[i] !== '=') {
        // Not a parameter: the next challenge's scheme (or the end).
        i = save;
        break;
      }
      i++;
      skipSpace();
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i++];
        }
        i++;
      } else {
        value = token();
      }
      challenge.params[key.toLowerCase()] = value;
      skipSpace();
      if (header[i] === ',') i++;
      else break;
    }
  }
  return out;
}

/**
 * Decodes `X-Registry-Auth`: base64url (or plain base64) JSON. An empty or `{}` header means
 * anonymous. Garbage is refused, as dockerd does.
 */
export function decodeRegistryAuth(header: string | undefined): Credentials {
  if (!header) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    throw invalid('invalid X-Registry-Auth header: not base64-encoded JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw invalid('invalid X-Registry-Auth header: not a JSON object');
  const o = parsed as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined);
  const creds: Credentials = {};
  for (const k of ['username', 'password', 'serveraddress', 'identitytoken', 'registrytoken'] as const) {
    const v = str(k);
    if (v !== undefined) creds[k] = v;
  }
  // Older clients send `auth` (base64 of user:password) instead of the pair.
  const auth = str('auth');
  if (auth && !creds.username) {
    const plain = Buffer.from(auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon > 0) {
      creds.username = plain.slice(0, colon);
      creds.password = plain.slice(colon + 1);
    }
  }
  return creds;
}

export function hasSecret(c: Credentials): boolean {
  return Boolean((c.username && c.password) || c.identitytoken || c.registrytoken);
}

export function basicHeader(c: Credentials): string | undefined {
  if (!c.username || c.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}
