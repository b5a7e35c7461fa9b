import { type Credentials, decodeRegistryAuth } from '../../registry/auth.ts';
import { type RegistryConfig, registryConfigFromEnv } from '../../registry/endpoint.ts';
import { login } from '../../registry/login.ts';
import type { ProgressMessage, ProgressSink } from '../../registry/progress.ts';
import { type SearchResult, searchImages } from '../../registry/search.ts';
import { type PullResult, pullImage } from './pull.ts';
import { type PushedTag, pushImage } from './push.ts';
import type { ImageEvent, ImageService } from './service.ts';

export type { Credentials, ProgressMessage, ProgressSink, SearchResult };

export interface PullRequest {
  /** What the user asked for: `localhost:5000/busybox:t`, `busybox@sha256:…`. */
  ref: string;
  platform?: string;
  creds: Credentials;
  progress: ProgressSink;
  /** The classic builder's FROM pulls are not announced as events (as before this service). */
  quiet?: boolean;
}

export interface PushRequest {
  /** The repository, possibly with its tag; without one, every local tag is pushed. */
  name: string;
  tag?: string;
  creds: Credentials;
  progress: ProgressSink;
}

/**
 * The engine's dealings with registries: pull and push (with their progress and events), login and
 * search. The registry configuration (mirrors, insecure registries) is read once, from the environment.
 */
export class RegistryService {
  constructor(
    private readonly images: ImageService,
    private readonly emit: (e: ImageEvent) => void,
    readonly config: RegistryConfig = registryConfigFromEnv(),
  ) {}

  /**
   * Credentials as the docker CLI sends them (base64 JSON, `X-Registry-Auth`); none means anonymous.
   * Garbage is refused, as dockerd does.
   */
  credentials(encoded: string | undefined): Credentials {
    return decodeRegistryAuth(encoded);
  }

  /** Credentials given as an object (the body of a login); checked as the encoded form is. */
  credentialsOf(body: Record<string, unknown>): Credentials {
    return decodeRegistryAuth(Buffer.from(JSON.stringify(body)).toString('base64'));
  }

  async pull(req: PullRequest): Promise<PullResult> {
    const res = await pullImage(this.images.store, {
      ref: req.ref,
      platform: req.platform,
      creds: req.creds,
      config: this.config,
      progress: req.progress,
    });
    if (!req.quiet)
      this.emit({
        Type: 'image',
        Action: 'pull',
        Actor: { ID: res.reference, Attributes: { name: res.reference } },
      });
    return res;
  }

  async push(req: PushRequest): Promise<PushedTag[]> {
    const pushed = await pushImage(this.images.store, {
      name: req.name,
      tag: req.tag,
      creds: req.creds,
      config: this.config,
      progress: req.progress,
    });
    for (const p of pushed) {
      const name = `${req.name.replace(/:[^:/]*$/, '')}:${p.tag}`;
      this.emit({ Type: 'image', Action: 'push', Actor: { ID: name, Attributes: { name } } });
    }
    return pushed;
  }

  /** Checks credentials against the registry; nothing is stored (the client keeps them). */
  login(creds: Credentials): Promise<{ Status: string; IdentityToken: string }> {
    return login(creds, this.config);
  }

  search(term: string, limit: number | undefined): Promise<SearchResult[]> {
    return searchImages(term, limit, this.config);
  }
}
