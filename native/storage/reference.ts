import { type EngineError, invalid, notFound } from '../core/errors.ts';

/** A normalised Docker image reference. */
export interface Reference {
  /** Registry host, `docker.io` for Docker Hub. */
  domain: string;
  /** Repository path, `library/busybox` for official images. */
  path: string;
  tag?: string;
  digest?: string;
}

// The grammar of github.com/distribution/reference, written out as regular expressions.
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainRe = new RegExp(
  `^(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const pathComponentRe = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagRe = /^[\w][\w.-]{0,127}$/;
const digestRe = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const idRe = /^[a-f0-9]{64}$/;
const maxNameLength = 255;

const formatError = () => invalid('invalid reference format');

/** Docker's splitDockerDomain: the first component is a registry only if it looks like a host. */
function splitDomain(name: string): [string, string] {
  const i = name.indexOf('/');
  let domain = 'docker.io';
  let rest = name;
  if (i >= 0) {
    const first = name.slice(0, i);
    if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) {
      domain = first;
      rest = name.slice(i + 1);
    }
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  return [domain, rest];
}

/**
 * Parses `busybox`, `busybox:1`, `localhost:5000/a/b:t`, `name@sha256:…` the way the docker CLI does
 * (ParseNormalizedNamed), with Docker's error messages.
 */
export function parseReference(input: string): Reference {
  if (!input) throw formatError();
  if (idRe.test(input))
    throw invalid(`invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
  const [domain, remainder] = splitDomain(input);
  const colon = remainder.indexOf(':');
  const remoteName = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remoteName.toLowerCase() !== remoteName)
    throw invalid('invalid reference format: repository name must be lowercase');

  let rest = remainder;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestRe.test(digest)) throw formatError();
    if (digest.startsWith('sha256:') && !/^sha256:[a-f0-9]{64}$/.test(digest)) throw formatError();
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!tagRe.test(tag)) throw formatError();
  }
  if (!domainRe.test(domain)) throw formatError();
  if (rest === '' || !rest.split('/').every((c) => pathComponentRe.test(c))) throw formatError();
  if (domain.length + 1 + rest.length > maxNameLength)
    throw invalid(`repository name must not be more than ${maxNameLength} characters`);
  return { domain, path: rest, tag, digest };
}

/** The repository name as the user sees it: `busybox`, `me/app`, `localhost:5000/x`. */
export function familiarName(ref: Reference): string {
  if (ref.domain !== 'docker.io') return `${ref.domain}/${ref.path}`;
  return ref.path.startsWith('library/') ? ref.path.slice('library/'.length) : ref.path;
}

/** The fully qualified name: `docker.io/library/busybox`. */
export function fullName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

/** `busybox:latest`, `busybox@sha256:…`, `busybox:1@sha256:…` (Docker's FamiliarString). */
export function familiarString(ref: Reference): string {
  let s = familiarName(ref);
  if (ref.tag) s += `:${ref.tag}`;
  if (ref.digest) s += `@${ref.digest}`;
  return s;
}

/** Normalises a user's reference into the key of the tag store, defaulting the tag to latest. */
export function tagKey(input: string): string {
  const ref = parseReference(input);
  if (!ref.digest && !ref.tag) ref.tag = 'latest';
  return familiarString(ref);
}

/** The tag key for `docker tag SRC repo[:tag]` (repo may carry the tag itself). */
export function withTag(repo: string, tag: string | undefined): string {
  const ref = parseReference(repo);
  if (ref.digest) throw invalid('refusing to create a tag with a digest reference');
  if (familiarName(ref) === 'sha256' || ref.path === 'library/sha256')
    throw invalid('refusing to create an ambiguous tag using digest algorithm as name');
  if (tag) {
    if (!tagRe.test(tag)) throw invalid('invalid tag format');
    ref.tag = tag;
  }
  ref.tag ??= 'latest';
  return familiarString(ref);
}

/**
 * dockerd's "No such image" for what the user typed, named as it looked the name up: `nope` is
 * `nope:latest`, 64 hex digits are `sha256:…`. A malformed name gets the parse error instead.
 */
export function noSuchImage(input: string): EngineError {
  if (idRe.test(input)) return notFound(`No such image: sha256:${input}`);
  const ref = parseReference(input);
  if (!ref.tag && !ref.digest) ref.tag = 'latest';
  return notFound(`No such image: ${familiarString(ref)}`);
}

/** How dockerd's reference store orders an image's references: by their fully qualified form. */
export function byFullName(a: string, b: string): number {
  const full = (r: string) => {
    const p = parseReference(r);
    return `${fullName(p)}${p.tag ? `:${p.tag}` : ''}${p.digest ? `@${p.digest}` : ''}`;
  };
  const fa = full(a);
  const fb = full(b);
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}
