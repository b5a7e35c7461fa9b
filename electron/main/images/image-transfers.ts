// Pull and push with progress: the engine's JSON stream (status, id, progressDetail) becomes the
// contract's TransferProgress events; an error message in the stream fails the transfer.
import type { Readable } from 'node:stream';
import type { TransferProgress } from '../../contract/index.ts';
import type { EngineClient } from '../engine/engine-client.ts';
import { forEachJsonLine } from '../engine/json-lines.ts';
import { engineErrorMessage, HandlerError } from '../ipc/errors.ts';
import type { StreamHandlers } from '../ipc/handlers.ts';
import type { RegistryCredentials } from './registry-auth.ts';

export interface ImageRef {
  /** `registry/path/name` as written, without tag or digest. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Splits `[registry[:port]/]path[:tag][@digest]`; a `:` before the last `/` is a registry port. */
export function parseImageRef(input: string): ImageRef {
  const ref = input.trim();
  if (!ref) throw new HandlerError('invalid_argument', 'image.ref_required', 'an image name is required');
  if (/\s/.test(ref)) {
    throw new HandlerError('invalid_argument', 'image.bad_ref', `invalid image name "${ref}": no spaces`);
  }
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  let repository = at >= 0 ? ref.slice(0, at) : ref;
  let tag: string | undefined;
  const colon = repository.lastIndexOf(':');
  if (colon > repository.lastIndexOf('/')) {
    tag = repository.slice(colon + 1);
    repository = repository.slice(0, colon);
  }
  const slash = repository.indexOf('/');
  // The first part is a registry host when it has a dot, a port or is localhost; it may have capitals.
  const first = slash >= 0 ? repository.slice(0, slash) : '';
  const isHost = /[.:]/.test(first) || first === 'localhost';
  const path = isHost ? repository.slice(slash + 1) : repository;
  if (!path || !/^[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/.test(path)) {
    throw new HandlerError(
      'invalid_argument',
      'image.bad_ref',
      `invalid image name "${ref}": the repository is lowercase letters, digits and . _ - separated by /`,
    );
  }
  if (tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
    throw new HandlerError('invalid_argument', 'image.bad_tag', `invalid tag "${tag}" in "${ref}"`);
  }
  if (digest !== undefined && !/^[a-z0-9]+:[a-f0-9]{32,}$/.test(digest)) {
    throw new HandlerError('invalid_argument', 'image.bad_digest', `invalid digest "${digest}" in "${ref}"`);
  }
  return { repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** One message of the engine's pull or push stream. */
export interface EngineProgress {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * What a registry says when it wants a login, in the words of dockerd ("no basic auth credentials",
 * "unauthorized: authentication required"), berthd and Docker Hub ("denied: requested access…").
 */
const authWords = /unauthorized|denied|authentication required|no basic auth credentials|status: 401/i;

function failure(op: 'pull' | 'push', message: string): HandlerError {
  const kind = authWords.test(message)
    ? 'forbidden'
    : /not found|manifest unknown|no such|does not exist/i.test(message)
      ? 'not_found'
      : 'internal';
  return new HandlerError(kind, `image.${op}_failed`, message);
}

/** An engine that refuses before its stream starts answers with an HTTP error: the same words, the same kinds. */
async function starting<T>(op: 'pull' | 'push', start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if (typeof (err as { statusCode?: unknown }).statusCode !== 'number') throw err;
    throw failure(op, engineErrorMessage(err));
  }
}

/** What the screen draws from one engine message; undefined for messages with nothing to show. */
export function toTransferProgress(op: 'pull' | 'push', m: EngineProgress): TransferProgress | undefined {
  if (m.error || m.errorDetail?.message) throw failure(op, m.errorDetail?.message || m.error || 'failed');
  if (!m.status) return undefined;
  // Docker's layer ids are 12 hex digits; other ids (a tag) prefix a line about the whole image.
  if (m.id && /^[0-9a-f]{12}$/.test(m.id)) {
    const { current, total } = m.progressDetail ?? {};
    return {
      status: m.status,
      layer: m.id,
      ...(typeof current === 'number' ? { current } : {}),
      ...(typeof total === 'number' && total > 0 ? { total } : {}),
    };
  }
  return { status: m.id ? `${m.id}: ${m.status}` : m.status };
}

export function imageTransferStreams(
  client: EngineClient,
  credentials: RegistryCredentials,
): Pick<StreamHandlers, 'images.pull' | 'images.push'> {
  return {
    async 'images.pull'({ ref }, emit, signal) {
      const r = parseImageRef(ref);
      const stream = (await starting('pull', () =>
        client.docker.createImage({
          fromImage: r.digest ? `${r.repository}@${r.digest}` : r.repository,
          ...(r.digest ? {} : { tag: r.tag ?? 'latest' }),
          authconfig: { base64: credentials.header(r.repository) },
          abortSignal: signal,
        }),
      )) as unknown as Readable;
      await forEachJsonLine<EngineProgress>(stream, signal, (m) => {
        const p = toTransferProgress('pull', m);
        if (p) emit(p);
      });
    },
    async 'images.push'({ ref }, emit, signal) {
      const r = parseImageRef(ref);
      if (r.digest) throw new HandlerError('invalid_argument', 'image.bad_ref', 'push a tag, not a digest');
      // Engines want the auth header even for registries without auth (dockerd refuses a push without).
      const stream = (await starting('push', () =>
        client.docker.getImage(r.repository).push({
          tag: r.tag ?? 'latest',
          authconfig: { base64: credentials.header(r.repository) },
          abortSignal: signal,
        }),
      )) as unknown as Readable;
      await forEachJsonLine<EngineProgress>(stream, signal, (m) => {
        const p = toTransferProgress('push', m);
        if (p) emit(p);
      });
    },
  };
}
