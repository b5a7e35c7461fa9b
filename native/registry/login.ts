import { EngineError, errorMessage } from '../core/errors.ts';
import type { Credentials } from './auth.ts';
import { RegistryClient, RegistryHttpError, TokenError } from './client.ts';
import { type RegistryConfig, registryBaseUrl } from './endpoint.ts';

/** `https://index.docker.io/v1/`, `localhost:5000`, `http://h:5000/` → the registry's domain. */
export function loginDomain(serveraddress: string | undefined): string {
  let s = (serveraddress ?? '').trim().replace(/^https?:\/\//, '');
  s = s.replace(/\/.*$/, '');
  if (!s || s === 'index.docker.io' || s === 'registry-1.docker.io') return 'docker.io';
  return s;
}

/**
 * POST /auth: checks the credentials against the registry's /v2/ (Basic, or a token fetched from
 * the Bearer realm). Nothing is stored: the docker CLI keeps the credentials itself.
 */
export async function login(
  creds: Credentials,
  config: RegistryConfig,
): Promise<{ Status: string; IdentityToken: string }> {
  const base = registryBaseUrl(loginDomain(creds.serveraddress), config);
  const client = new RegistryClient(base, creds, 15_000);
  try {
    await client.ping();
  } catch (err) {
    // dockerd's wording: the token server's refusal as is, the registry's as a failed login attempt.
    if (err instanceof TokenError && err.status === 401)
      throw new EngineError('unauthorized', `Get "${base}/v2/": ${err.message}`);
    if (err instanceof RegistryHttpError && err.status === 401)
      throw new EngineError(
        'unauthorized',
        `login attempt to ${base}/v2/ failed with status: 401 Unauthorized: ${err.message}`,
      );
    if (err instanceof EngineError) throw err;
    throw new EngineError('internal', errorMessage(err));
  }
  return { Status: 'Login Succeeded', IdentityToken: '' };
}
