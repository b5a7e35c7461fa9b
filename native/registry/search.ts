import { EngineError, errorMessage } from '../core/errors.ts';
import { parseReference } from '../storage/reference.ts';
import { isDockerHub, isInsecure, type RegistryConfig } from './endpoint.ts';

export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

/**
 * GET /images/search: asks the index of the term's registry (Docker Hub's index.docker.io by
 * default) through its v1 search API. Without a reachable index the error says which one failed.
 */
export async function searchImages(
  term: string,
  limit: number | undefined,
  config: RegistryConfig,
  timeoutMs = 15_000,
): Promise<SearchResult[]> {
  const ref = parseReference(term);
  const host = isDockerHub(ref.domain) ? 'index.docker.io' : ref.domain;
  const q = isDockerHub(ref.domain) ? term.replace(/^(docker\.io|index\.docker\.io)\//, '') : ref.path;
  const url = new URL(`${isInsecure(host, config) ? 'http' : 'https'}://${host}/v1/search`);
  url.searchParams.set('q', q);
  url.searchParams.set('n', String(limit && limit > 0 ? limit : 25));
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    throw new EngineError(
      'unavailable',
      `Error searching ${host}: cannot reach ${url.origin}: ${errorMessage(cause ?? err)}`,
    );
  }
  const text = await res.text();
  if (res.status !== 200)
    throw new EngineError(
      'unavailable',
      `Error searching ${host}: ${url.origin} does not offer search (status ${res.status})`,
    );
  try {
    const body = JSON.parse(text) as { results?: SearchResult[] };
    return (body.results ?? []).slice(0, limit && limit > 0 ? limit : undefined);
  } catch {
    throw new EngineError('unavailable', `Error searching ${host}: the answer is not JSON`);
  }
}
