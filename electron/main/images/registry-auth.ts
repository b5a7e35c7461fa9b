// Registry credentials for the app session: kept here in main (never in the renderer or on disk), and
// sent to the engine in `X-Registry-Auth` the way the docker CLI sends them.
import type { RegistryLoginRequest } from '../../contract/index.ts';
import type { EngineClient } from '../engine/engine-client.ts';
import { engineErrorMessage, HandlerError } from '../ipc/errors.ts';

/** The docker CLI's key for Docker Hub in its config and in `serveraddress`. */
export const dockerHubServer = 'https://index.docker.io/v1/';

/** What `X-Registry-Auth` carries: the docker CLI's AuthConfig, in its field order, empty fields left out. */
export interface AuthConfig {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
}

/** `https://index.docker.io/v1/`, `docker.io`, `http://h:5000/v2/` → the registry's domain (`docker.io`, `h:5000`). */
export function registryDomain(server: string): string {
  const s = server
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  if (!s || s === 'index.docker.io' || s === 'registry-1.docker.io') return 'docker.io';
  return s;
}

/** The registry an image reference lives on: its first part when that is a host, else Docker Hub. */
export function registryOfRepository(repository: string): string {
  const slash = repository.indexOf('/');
  const first = slash >= 0 ? repository.slice(0, slash) : '';
  return /[.:]/.test(first) || first === 'localhost' ? registryDomain(first) : 'docker.io';
}

/** As the CLI's `registry.EncodeAuthConfig`: JSON, then base64 with the URL alphabet (padding kept). */
export function encodeAuthConfig(a: AuthConfig): string {
  return Buffer.from(JSON.stringify(a)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export class RegistryCredentials {
  private readonly byDomain = new Map<string, AuthConfig>();

  /** What the CLI sends for a registry it has no login for: `{}`. */
  authFor(repository: string): AuthConfig {
    return this.byDomain.get(registryOfRepository(repository)) ?? {};
  }

  header(repository: string): string {
    return encodeAuthConfig(this.authFor(repository));
  }

  /** `docker login`: the engine checks the credentials with the registry; only then are they kept. */
  async login(client: EngineClient, req: RegistryLoginRequest): Promise<string> {
    const domain = registryDomain(req.server);
    if (!req.server.trim())
      throw new HandlerError('invalid_argument', 'registry.server_required', 'a registry server is required');
    if (!req.username.trim())
      throw new HandlerError('invalid_argument', 'registry.username_required', 'a username is required');
    if (!req.password)
      throw new HandlerError('invalid_argument', 'registry.password_required', 'a password is required');
    const auth: AuthConfig = {
      username: req.username.trim(),
      password: req.password,
      serveraddress: serverAddress(domain),
    };
    let answer: { IdentityToken?: string };
    try {
      answer = (await client.docker.checkAuth(auth)) as { IdentityToken?: string };
    } catch (err) {
      if (typeof (err as { statusCode?: unknown }).statusCode !== 'number') throw err;
      const message = engineErrorMessage(err);
      throw new HandlerError(
        /unauthorized|denied|incorrect|401/i.test(message) ? 'forbidden' : 'internal',
        'registry.login_failed',
        message,
      );
    }
    // As the CLI: a registry that hands out an identity token gets that instead of the password.
    this.byDomain.set(
      domain,
      answer?.IdentityToken
        ? { username: auth.username, serveraddress: auth.serveraddress, identitytoken: answer.IdentityToken }
        : auth,
    );
    return domain;
  }
}

function serverAddress(domain: string): string {
  return domain === 'docker.io' ? dockerHubServer : domain;
}
