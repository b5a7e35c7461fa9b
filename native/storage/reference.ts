import { invalid } from '../core/errors.ts';

/** A normalised Docker image reference. */
export interface Reference {
  /** Registry host, `docker.io` for Docker Hub. */
  domain: string;
  /** Repository path, `library/busybox` for official images. */
  path: string;
  tag?: string;
  digest?: string;
}

const tagRe = /^[\w][\w.-]{0,127}$/;
const digestRe = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const componentRe = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

/** Parses `busybox`, `busybox:1`, `localhost:5000/a/b:t`, `name@sha256:…` the way the docker CLI does. */
export function parseReference(input: string): Reference {
  if (!input) throw invalid('invalid reference format');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestRe.test(digest)) throw invalid('invalid reference format');
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!tagRe.test(tag)) throw invalid('invalid reference format');
  }
  let domain = 'docker.io';
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (
      first.includes('.') ||
      first.includes(':') ||
      first === 'localhost' ||
      first !== first.toLowerCase()
    ) {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (path !== path.toLowerCase()) {
    throw invalid(
      `invalid reference format: repository name (${domain === 'docker.io' && !path.includes('/') ? `library/${path}` : path}) must be lowercase`,
    );
  }
  if (!path || !path.split('/').every((c) => componentRe.test(c))) throw invalid('invalid reference format');
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return { domain, path, tag, digest };
}

/** The repository name as the user sees it: `busybox`, `me/app`, `localhost:5000/x`. */
export function familiarName(ref: Reference): string {
  if (ref.domain === 'docker.io')
    return ref.path.startsWith('library/') ? ref.path.slice('library/'.length) : ref.path;
  return `${ref.domain}/${ref.path}`;
}

/** `busybox:latest` (the tag defaults to latest unless a digest is given). */
export function familiarString(ref: Reference): string {
  const name = familiarName(ref);
  if (ref.digest) return `${name}@${ref.digest}`;
  return `${name}:${ref.tag ?? 'latest'}`;
}

/** Normalises a user's reference into the key of the tag store, defaulting the tag to latest. */
export function tagKey(input: string): string {
  const ref = parseReference(input);
  if (!ref.digest && !ref.tag) ref.tag = 'latest';
  return familiarString(ref);
}

export function withTag(repo: string, tag: string | undefined): string {
  const ref = parseReference(repo);
  if (ref.digest) throw invalid('refusing to create a tag with a digest reference');
  if (tag) {
    if (!tagRe.test(tag)) throw invalid(`invalid tag format`);
    ref.tag = tag;
  }
  ref.tag ??= 'latest';
  return familiarString(ref);
}
