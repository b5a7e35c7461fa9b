// Errors as the Kubernetes API writes them: a meta/v1 Status with reason, details and causes. Handlers
// throw an ApiError; the app turns it (and the engine's and the store's error kinds) into the response.
import { isEngineError } from '../../core/errors.ts';
import { StoreError } from '../store/store.ts';

export interface StatusCause {
  /** Absent on an internal error's cause (NewInternalError gives only its message). */
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const s: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
    return s;
  }
}

/** What an error names: the resource (plural) and group, as Kubernetes' messages do. */
export interface Qualified {
  group: string;
  resource: string;
}

const qualifiedName = (q: Qualified) => (q.group ? `${q.resource}.${q.group}` : q.resource);

export const notFound = (q: Qualified, name: string) =>
  new ApiError(404, 'NotFound', `${qualifiedName(q)} "${name}" not found`, {
    name,
    group: q.group || undefined,
    kind: q.resource,
  });

export const alreadyExists = (q: Qualified, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualifiedName(q)} "${name}" already exists`, {
    name,
    group: q.group || undefined,
    kind: q.resource,
  });

export const conflict = (q: Qualified, name: string, why: string) =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(q)} "${name}": ${why}`, {
    name,
    group: q.group || undefined,
    kind: q.resource,
  });

export const staleObject = (q: Qualified, name: string) =>
  conflict(
    q,
    name,
    'the object has been modified; please apply your changes to the latest version and try again',
  );

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);

export const forbidden = (q: Qualified, name: string, why: string) =>
  new ApiError(403, 'Forbidden', `${qualifiedName(q)} "${name}" is forbidden: ${why}`, {
    name,
    group: q.group || undefined,
    kind: q.resource,
  });

export const gone = (message: string) => new ApiError(410, 'Expired', message);

/** A resourceVersion the store has not reached, answered as the real API server does after its wait. */
export const tooLargeResourceVersion = (rv: number, current: number) =>
  new ApiError(504, 'Timeout', `Timeout: Too large resource version: ${rv}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });

export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');

export const methodNotAllowed = () =>
  new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

export const resourceNotFound = () =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource');

export const notAcceptable = (accepted: string[]) =>
  new ApiError(
    406,
    'NotAcceptable',
    `the server was unable to respond with a content type that the client supports (accepted: ${accepted.join(', ')})`,
  );

export const unsupportedMediaType = (accepted: string[]) =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );

/** One invalid field, as field.ErrorList holds them. */
export interface FieldError {
  field: string;
  type:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueNotSupported'
    | 'FieldValueForbidden'
    | 'FieldValueDuplicate'
    | 'FieldValueTooLong'
    | 'FieldValueTooMany'
    | 'FieldValueTypeInvalid'
    | 'FieldValueNotFound';
  /** The bad value, for Invalid/NotSupported/Duplicate. */
  value?: unknown;
  /** The value as Go's %#v prints it (a struct, a []string), when JSON would not read the same. */
  goValue?: string;
  detail?: string;
}

function describe(e: FieldError): string {
  const shown =
    e.goValue ??
    (e.value === undefined ? '' : typeof e.value === 'string' ? `"${e.value}"` : JSON.stringify(e.value));
  switch (e.type) {
    case 'FieldValueRequired':
      return `Required value${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueForbidden':
      return `Forbidden: ${e.detail ?? ''}`;
    case 'FieldValueNotSupported':
      return `Unsupported value: ${shown}${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueNotFound':
      return `Not found: ${shown}`;
    case 'FieldValueDuplicate':
      return `Duplicate value: ${shown}`;
    case 'FieldValueTooLong':
      return `Too long: ${e.detail ?? ''}`;
    case 'FieldValueTooMany':
      return `Too many: ${shown}: ${e.detail ?? ''}`;
    default:
      return `Invalid value: ${shown}${e.detail ? `: ${e.detail}` : ''}`;
  }
}

/** Each error as a 422's message lists it: `field: Invalid value: …`. */
export const describeFieldErrors = (errors: FieldError[]) => errors.map((e) => `${e.field}: ${describe(e)}`);

/** 422: `Kind "name" is invalid: field: Invalid value: …`, every cause listed. */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
  const causes = errors.map((e) => ({ reason: e.type, message: describe(e), field: e.field }));
  const parts = describeFieldErrors(errors);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, {
    name,
    group: group || undefined,
    kind,
    causes,
  });
}

/** Maps any error to an ApiError: store and engine kinds keep their meaning, anything else is 500. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof StoreError) {
    const code = { 'not-found': 404, exists: 409, conflict: 409, gone: 410, invalid: 400, unavailable: 503 }[
      err.kind
    ];
    const reason = {
      'not-found': 'NotFound',
      exists: 'AlreadyExists',
      conflict: 'Conflict',
      gone: 'Expired',
      invalid: 'BadRequest',
      unavailable: 'ServiceUnavailable',
    }[err.kind];
    return new ApiError(code, reason, err.message);
  }
  if (isEngineError(err)) {
    const code = {
      invalid: 400,
      'not-found': 404,
      conflict: 409,
      'not-modified': 409,
      forbidden: 403,
      unauthorized: 401,
      unavailable: 503,
      'not-implemented': 501,
      internal: 500,
    }[err.kind];
    const reason = {
      400: 'BadRequest',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'NotFound',
      409: 'Conflict',
      501: 'NotImplemented',
      503: 'ServiceUnavailable',
    }[code as 400];
    return new ApiError(code, reason ?? 'InternalError', err.message);
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new ApiError(500, 'InternalError', `Internal error occurred: ${msg}`);
}
