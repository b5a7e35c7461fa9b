import { EngineError, errorMessage, invalid } from '../core/errors.ts';
import { goDialError } from '../core/net-errors.ts';
import { basicHeader, type Challenge, type Credentials, parseWwwAuthenticate } from './auth.ts';
import { resolveLocation, v2Path } from './endpoint.ts';
import { type HttpResponse, httpRequest } from './http.ts';
import { manifestAccept } from './manifest.ts';

/** A method as Go's url.Error names it: `Get`, `Head`, `Post`. */
const goMethod = (method = 'GET') => method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Statuses the caller handles itself; anything else (≥ 400) becomes an EngineError. */
  expect?: number[];
}

/** A registry or token server error body as one line: `manifest unknown: manifest unknown`. */
function registryErrorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      errors?: Array<{ code?: string; message?: string }>;
      details?: string;
      error?: string;
      message?: string;
    };
    if (parsed.errors?.length)
      return parsed.errors
        .map((e) => `${(e.code ?? '').toLowerCase().replace(/_/g, ' ')}: ${e.message}`)
        .join(', ');
    const text = parsed.details ?? parsed.error ?? parsed.message;
    if (typeof text === 'string') return text;
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 200);
}

const statusText: Record<number, string> = {
  401: 'unauthorized: authentication required',
  403: 'denied: requested access to the resource is denied',
  404: 'not found',
};

export class RegistryHttpError extends EngineError {
  constructor(
    readonly status: number,
    readonly detail: string,
    message: string,
  ) {
    super(
      status === 401
        ? 'unauthorized'
        : status === 404
          ? 'not-found'
          : status === 403
            ? 'forbidden'
            : 'unavailable',
      message,
    );
  }
}

/** The token server refused us (as opposed to the registry itself). */
export class TokenError extends RegistryHttpError {}

/**
 * A registry v2 client for one registry and one set of credentials. Authentication is driven by the
 * registry's challenge: anonymous first, then Basic, or a Bearer token fetched from the realm with
 * the scope the request needs, cached per scope.
 */
export class RegistryClient {
  private readonly tokens = new Map<string, string>();
  private challenge: Challenge | undefined;

  constructor(
    readonly baseUrl: string,
    private readonly creds: Credentials = {},
    private readonly timeoutMs = 30_000,
  ) {}

  url(path: string): string {
    return new URL(path, this.baseUrl).toString();
  }

  private authHeader(scope: string): string | undefined {
    if (!this.challenge) return undefined;
    if (this.challenge.scheme === 'basic') return basicHeader(this.creds);
    const token = this.tokens.get(scope);
    return token ? `Bearer ${token}` : undefined;
  }

  /** Fetches a Bearer token for `scope` from the challenge's realm (GET, with Basic when we have credentials). */
  private async fetchToken(ch: Challenge, scope: string): Promise<void> {
    const realm = ch.params.realm;
    if (!realm) throw new RegistryHttpError(401, '', 'bearer challenge without a realm');
    const u = new URL(realm);
    if (ch.params.service) u.searchParams.set('service', ch.params.service);
    for (const s of scope.split(' ').filter(Boolean)) u.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (this.creds.registrytoken) {
      this.tokens.set(scope, this.creds.registrytoken);
      return;
    }
    let res: HttpResponse;
    if (this.creds.identitytoken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: this.creds.identitytoken,
        service: ch.params.service ?? '',
        scope,
        client_id: 'berth',
      });
      res = await this.raw(realm, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(form.toString()),
      });
    } else {
      const basic = basicHeader(this.creds);
      if (basic) headers.Authorization = basic;
      u.searchParams.set('client_id', 'berth');
      res = await this.raw(u.toString(), { headers });
    }
    const text = await res.text();
    if (res.status !== 200)
      throw new TokenError(
        res.status === 401 || res.status === 403 ? 401 : res.status,
        text,
        `unauthorized: ${registryErrorText(text) || `token request failed with status ${res.status}`}`,
      );
    const body = JSON.parse(text) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token)
      throw new RegistryHttpError(401, text, 'unauthorized: the token server answered without a token');
    this.tokens.set(scope, token);
  }

  private async raw(url: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    try {
      return await httpRequest(url, {
        method: opts.method,
        headers: opts.headers,
        body: opts.body,
        idleTimeoutMs: this.timeoutMs,
      });
    } catch (err) {
      // dockerd's words: `Get "…": dial tcp 127.0.0.1:5000: connect: connection refused`.
      throw new EngineError(
        'unavailable',
        `${goMethod(opts.method)} "${url}": ${goDialError(err) ?? errorMessage(err)}`,
      );
    }
  }

  /**
   * Sends a request to the registry; on 401 answers the challenge once and retries. Bodies are
   * buffers, so a retry can send them again.
   */
  async request(pathOrUrl: string, scope: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : this.url(pathOrUrl);
    for (let attempt = 0; ; attempt++) {
      const headers = { ...(opts.headers ?? {}) };
      const auth = this.authHeader(scope);
      if (auth) headers.Authorization = auth;
      const res = await this.raw(url, { ...opts, headers });
      if (res.status === 401 && attempt === 0) {
        const challenges = parseWwwAuthenticate(res.headers.get('www-authenticate') ?? '');
        const ch =
          challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
        await res.drain().catch(() => undefined);
        if (!ch) throw new RegistryHttpError(401, '', 'unauthorized: authentication required');
        this.challenge = ch;
        if (ch.scheme === 'basic' && !basicHeader(this.creds))
          throw new RegistryHttpError(401, '', 'no basic auth credentials');
        if (ch.scheme === 'bearer') await this.fetchToken(ch, scope);
        continue;
      }
      if (res.status >= 400 && !(opts.expect ?? []).includes(res.status)) {
        const text = await res.text().catch(() => '');
        // HEAD answers have no body: say what the status means, as the registry would have.
        const detail = registryErrorText(text) || statusText[res.status] || '';
        throw new RegistryHttpError(
          res.status,
          detail,
          detail || `${opts.method ?? 'GET'} ${url}: status ${res.status}`,
        );
      }
      return res;
    }
  }

  /** GET /v2/: checks that this is a registry and that the credentials are good. */
  async ping(): Promise<void> {
    const res = await this.request('/v2/', '');
    await res.drain();
  }

  async getManifest(
    repo: string,
    reference: string,
  ): Promise<{ bytes: Buffer; contentType: string | null; digest: string | null }> {
    const res = await this.request(v2Path(repo, 'manifests', reference), pullScope(repo), {
      headers: { Accept: manifestAccept },
    });
    const bytes = await res.buffer();
    return {
      bytes,
      contentType: res.headers.get('content-type'),
      digest: res.headers.get('docker-content-digest'),
    };
  }

  /** Streams a blob; the caller verifies digest and size. */
  async getBlob(
    repo: string,
    digest: string,
  ): Promise<{ body: AsyncIterable<Buffer>; length: number | undefined }> {
    const res = await this.request(v2Path(repo, 'blobs', digest), pullScope(repo));
    const len = res.headers.get('content-length');
    return {
      body: res.body,
      length: len === null ? undefined : Number(len),
    };
  }

  async blobExists(repo: string, digest: string): Promise<number | undefined> {
    const res = await this.request(v2Path(repo, 'blobs', digest), pushScope(repo), {
      method: 'HEAD',
      expect: [404],
    });
    if (res.status === 404) return undefined;
    const len = res.headers.get('content-length');
    return len === null ? -1 : Number(len);
  }

  /** Cross-repository mount; false when the registry started an upload instead (then it is cancelled). */
  async mountBlob(repo: string, digest: string, from: string): Promise<boolean> {
    const q = new URLSearchParams({ mount: digest, from });
    const url = this.url(`/v2/${repo}/blobs/uploads/?${q}`);
    const res = await this.request(url, `${pushScope(repo)} ${pullScope(from)}`, {
      method: 'POST',
      expect: [401, 403, 404],
    });
    await res.drain().catch(() => undefined);
    if (res.status === 201) return true;
    const loc = res.headers.get('location');
    if (res.status === 202 && loc)
      await this.request(resolveLocation(loc, url).toString(), pushScope(repo), {
        method: 'DELETE',
        expect: [400, 404, 405],
      })
        .then((r) => r.drain())
        .catch(() => undefined);
    return false;
  }

  /**
   * Uploads a blob: one PUT for small blobs, PATCH chunks with Content-Range for big ones. Each step
   * follows the Location of the previous answer. `read(offset, length)` supplies the bytes.
   */
  async uploadBlob(
    repo: string,
    digest: string,
    size: number,
    read: (offset: number, length: number) => Promise<Buffer>,
    onProgress: (sent: number) => void,
    chunkSize = 16 << 20,
  ): Promise<void> {
    const scope = pushScope(repo);
    const start = this.url(`/v2/${repo}/blobs/uploads/`);
    let res = await this.request(start, scope, { method: 'POST', headers: { 'Content-Length': '0' } });
    await res.drain();
    let location = nextLocation(res, start);
    let offset = 0;
    if (size > chunkSize) {
      while (offset < size) {
        const len = Math.min(chunkSize, size - offset);
        const chunk = await read(offset, len);
        res = await this.request(location.toString(), scope, {
          method: 'PATCH',
          headers: {
            'Content-Type': 'application/octet-stream',
            'Content-Range': `${offset}-${offset + len - 1}`,
          },
          body: chunk,
        });
        await res.drain();
        location = nextLocation(res, location.toString());
        offset += len;
        onProgress(offset);
      }
    }
    location.searchParams.append('digest', digest);
    const rest = offset < size ? await read(offset, size - offset) : Buffer.alloc(0);
    res = await this.request(location.toString(), scope, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: rest,
    });
    await res.drain();
    onProgress(size);
  }

  async putManifest(
    repo: string,
    reference: string,
    mediaType: string,
    bytes: Buffer,
  ): Promise<string | null> {
    const res = await this.request(v2Path(repo, 'manifests', reference), pushScope(repo), {
      method: 'PUT',
      headers: { 'Content-Type': mediaType },
      body: bytes,
    });
    await res.drain();
    return res.headers.get('docker-content-digest');
  }
}

function nextLocation(res: HttpResponse, requestUrl: string): URL {
  const loc = res.headers.get('location');
  if (!loc) throw invalid('registry answered an upload without a Location header');
  return resolveLocation(loc, requestUrl);
}

export const pullScope = (repo: string) => `repository:${repo}:pull`;
export const pushScope = (repo: string) => `repository:${repo}:pull,push`;
