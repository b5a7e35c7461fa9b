// The HTTP edge of the API server: content negotiation (JSON, Table, PartialObjectMetadata, the
// aggregated discovery types), bodies in JSON or YAML, and responses.
import type http from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeKubeProtobuf, protobufContentType } from './protobuf/decode.ts';
import { ApiError, badRequest, unsupportedMediaType } from './status.ts';

export interface MediaType {
  type: string;
  params: Record<string, string>;
}

/** `application/json;as=Table;g=meta.k8s.io;v=v1, application/json` → media types in order. */
export function parseAccept(header: string | undefined): MediaType[] {
  if (!header) return [{ type: '*/*', params: {} }];
  return header.split(',').map((part) => {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0)
        params[p.slice(0, eq).trim().toLowerCase()] = p
          .slice(eq + 1)
          .trim()
          .replace(/^"|"$/g, '');
    }
    return { type: type.toLowerCase(), params };
  });
}

const jsonish = (t: string) => t === 'application/json' || t === 'application/*' || t === '*/*';

/** What an object response may be turned into. */
export type Rendering =
  | { as: 'object' }
  | { as: 'Table'; version: string; includeObject: 'None' | 'Metadata' | 'Object' }
  | { as: 'PartialObjectMetadata'; version: string };

/**
 * The first media type in Accept that we can serve: a plain object, a meta.k8s.io Table or
 * PartialObjectMetadata. undefined when none is (the caller answers 406).
 */
export function negotiateObject(accept: MediaType[], query: URLSearchParams): Rendering | undefined {
  for (const m of accept) {
    if (!jsonish(m.type)) continue;
    const as = m.params.as;
    if (!as) return { as: 'object' };
    if (m.params.g !== 'meta.k8s.io' || !['v1', 'v1beta1'].includes(m.params.v ?? '')) continue;
    if (as === 'Table') {
      const inc = query.get('includeObject');
      const includeObject = inc === 'None' || inc === 'Object' ? inc : 'Metadata';
      return { as: 'Table', version: m.params.v, includeObject };
    }
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList')
      return { as: 'PartialObjectMetadata', version: m.params.v };
  }
  return undefined;
}

export function sendJson(
  res: http.ServerResponse,
  code: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const data = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(data),
    'Cache-Control': res.getHeader('Cache-Control') ?? 'no-cache, private',
  });
  res.end(data);
}

export function sendError(res: http.ServerResponse, err: ApiError): void {
  // As the API server's response writer: a Status that says when to retry says it in a header too.
  const retry = err.details?.retryAfterSeconds;
  if (retry && retry > 0) res.setHeader('Retry-After', String(retry));
  sendJson(res, err.code, err.toStatus());
}

const maxBody = 3 * 1024 * 1024;

export async function readRaw(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > maxBody)
      throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The request's object: JSON (what kubectl and client-node send) or YAML. */
export async function readObject(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readRaw(req);
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (type === protobufContentType) return decodeKubeProtobuf(body);
  const raw = body.toString('utf8');
  let value: unknown;
  try {
    if (type === 'application/json' || type === '') value = JSON.parse(raw || 'null');
    else if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml')
      value = parseYaml(raw);
    else throw unsupportedMediaType(['application/json', 'application/yaml', protobufContentType]);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw badRequest(`the object provided is unrecognized: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest('the object provided is unrecognized (must be of type object)');
  return value as Record<string, unknown>;
}

/** An optional body (DeleteOptions): absent or empty is {}. */
export async function readOptionalObject(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readRaw(req);
  if (body.length && req.headers['content-type']?.startsWith(protobufContentType))
    return decodeKubeProtobuf(body);
  const raw = body.toString('utf8').trim();
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch (err) {
    throw badRequest(`the object provided is unrecognized: ${(err as Error).message}`);
  }
}
