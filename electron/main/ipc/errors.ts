// Translates engine and transport errors into the contract's error vocabulary, at the edge.
import type { ContractError, ErrorKind } from '../../contract/index.ts';

export class HandlerError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface EngineErrorShape {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  message?: string;
}

const kindByStatus: Record<number, ErrorKind> = {
  400: 'invalid_argument',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
};

/**
 * dockerode words a refused request `(HTTP code 409) unexpected - <engine's message> ` and, for streams,
 * keeps no parsed body: the engine's own message is the part after the first ` - `.
 */
const modemMessage = /^\(HTTP code \d+\) [^-]*- ([\s\S]*?)\s*$/;

function engineMessage(e: EngineErrorShape): string | undefined {
  const fromBody = typeof e.json === 'object' && e.json !== null ? e.json.message : undefined;
  if (typeof fromBody === 'string' && fromBody) return fromBody;
  const m = modemMessage.exec(e.message ?? '');
  if (!m) return e.message;
  // A body that was not JSON is quoted whole; a JSON one that the modem did not parse, by its message.
  try {
    const parsed = JSON.parse(m[1]) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {}
  return m[1] || undefined;
}

/** What the engine said, for an error wrapped in another message. */
export function engineErrorMessage(err: unknown): string {
  return toContractError(err).message;
}

export function toContractError(err: unknown): ContractError {
  if (err instanceof HandlerError) return { kind: err.kind, code: err.code, message: err.message };
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as EngineErrorShape;
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'ECONNRESET') {
    return {
      kind: 'unreachable',
      code: `engine.${e.code.toLowerCase()}`,
      message: `cannot reach the container engine: ${e.message ?? e.code}`,
    };
  }
  if (typeof e.statusCode === 'number') {
    const message = engineMessage(e) ?? `the engine answered ${e.statusCode}`;
    return { kind: kindByStatus[e.statusCode] ?? 'internal', code: `http.${e.statusCode}`, message };
  }
  return { kind: 'internal', code: 'internal', message: e.message ?? 'unknown error' };
}
