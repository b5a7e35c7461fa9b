import type { ApiRequest } from './http.ts';

export type Handler = (req: ApiRequest) => Promise<void>;

interface Route {
  method: string;
  re: RegExp;
  keys: string[];
  handler: Handler;
}

/**
 * Docker API routes: `/containers/{id}/json` style patterns, matched with and without the `/v1.NN`
 * prefix. A `{name*}` parameter may contain slashes (image names do).
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    const keys: string[] = [];
    const re = pattern.replace(/\{(\w+)(\*?)\}/g, (_m, key: string, star: string) => {
      keys.push(key);
      return star ? '(.+)' : '([^/]+)';
    });
    this.routes.push({ method, re: new RegExp(`^${re}$`), keys, handler });
    return this;
  }

  match(
    method: string,
    rawPath: string,
  ): { handler: Handler; params: Record<string, string> } | 'method' | undefined {
    const path = rawPath.replace(/^\/v\d+\.\d+(?=\/)/, '');
    let pathMatched = false;
    const methods = method === 'HEAD' ? ['HEAD', 'GET'] : [method];
    for (const want of methods) {
      for (const r of this.routes) {
        const m = r.re.exec(path);
        if (!m) continue;
        pathMatched = true;
        if (r.method !== want) continue;
        const params: Record<string, string> = {};
        r.keys.forEach((k, i) => {
          params[k] = decodeURIComponent(m[i + 1]);
        });
        return { handler: r.handler, params };
      }
    }
    return pathMatched ? 'method' : undefined;
  }
}
