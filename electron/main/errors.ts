// Translates engine and transport errors into the contract's error vocabulary, at the edge.
import type { ContractError, ErrorKind } from '../contract/index.ts';

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
    const message = e.json?.message ?? e.message ?? `engine answered ${e.statusCode}`;
    return { kind: kindByStatus[e.statusCode] ?? 'internal', code: `http.${e.statusCode}`, message };
  }
  return { kind: 'internal', code: 'internal', message: e.message ?? 'unknown error' };
}
