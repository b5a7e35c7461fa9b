/**
 * The one error vocabulary of the engine. Services throw an EngineError of a kind; only the API front
 * ends (native/dockerapi, native/orchestrator/apiserver) turn a kind into a status code and a body.
 */
export const errorKinds = [
  'invalid', // malformed input: 400
  'not-found', // 404
  'conflict', // 409
  'not-modified', // 304: already started / already stopped
  'forbidden', // 403
  'unauthorized', // 401
  'unavailable', // 503
  'not-implemented', // 501
  'internal', // 500
] as const;

export type ErrorKind = (typeof errorKinds)[number];

export class EngineError extends Error {
  readonly kind: ErrorKind;
  /** Optional machine-readable code (e.g. 'container-not-running'); messages stay for humans. */
  readonly code: string | undefined;

  constructor(kind: ErrorKind, message: string, options?: { code?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.kind = kind;
    this.code = options?.code;
  }
}

export const invalid = (message: string, code?: string) => new EngineError('invalid', message, { code });
export const notFound = (message: string, code?: string) => new EngineError('not-found', message, { code });
export const conflict = (message: string, code?: string) => new EngineError('conflict', message, { code });
export const notModified = (message = '') => new EngineError('not-modified', message);
export const internal = (message: string, cause?: unknown) => new EngineError('internal', message, { cause });

export function isEngineError(err: unknown, kind?: ErrorKind): err is EngineError {
  return err instanceof EngineError && (kind === undefined || err.kind === kind);
}

/** Wraps a low-level failure with what the engine was doing, keeping the kind when it already has one. */
export function wrap(what: string, err: unknown): EngineError {
  if (err instanceof EngineError) return new EngineError(err.kind, `${what}: ${err.message}`, { cause: err });
  const msg = err instanceof Error ? err.message : String(err);
  return new EngineError('internal', `${what}: ${msg}`, { cause: err });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A command (a build's RUN) exited non-zero; the docker CLI exits with the same code. */
export class CommandFailedError extends EngineError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super('invalid', message, { code: 'command-failed' });
  }
}
