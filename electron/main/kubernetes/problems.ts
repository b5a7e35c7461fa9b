// Why a cluster, or one list in it, cannot be shown, in the contract's words: classified from what the
// connection or the server said, so the screen can say "connection refused", "certificate" or
// "forbidden" instead of an empty list. Handlers' errors go through the same classification.
import type { ErrorKind, KubeProblem } from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';
import { KubeApiError } from './kube-client.ts';

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Node's and OpenSSL's codes for a server certificate that does not verify. */
const certificateCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface ErrorShape {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

export function kubeProblem(err: unknown): KubeProblem {
  if (err instanceof KubeApiError) {
    const message = err.message;
    switch (err.statusCode) {
      case 401:
        return {
          kind: 'unauthorized',
          message: `the cluster did not accept the credentials (401 Unauthorized): ${message}`,
        };
      case 403:
        return { kind: 'forbidden', message };
      case 404:
        return { kind: 'not_found', message };
      case 400:
      case 422:
        return { kind: 'invalid', message };
      default:
        return { kind: 'other', message };
    }
  }
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorShape;
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' && e.message ? e.message : code || 'unknown error';
  if (certificateCodes.has(code) || code.startsWith('ERR_SSL') || /x509|certificate/i.test(message)) {
    return { kind: 'certificate', message: `the server's certificate is not trusted: ${message}` };
  }
  if (unreachableCodes.has(code))
    return { kind: 'unreachable', message: `cannot reach the cluster: ${message}` };
  if (e.cause && e.cause !== err) {
    const inner = kubeProblem(e.cause);
    if (inner.kind !== 'other') return inner;
  }
  return { kind: 'other', message };
}

const errorKindOf: Record<KubeProblem['kind'], ErrorKind> = {
  unreachable: 'unreachable',
  certificate: 'unreachable',
  unauthorized: 'forbidden',
  forbidden: 'forbidden',
  not_found: 'not_found',
  invalid: 'invalid_argument',
  other: 'internal',
};

/** An error for an invoke's answer: the problem's kind and message; a 409 is a conflict. */
export function kubeHandlerError(err: unknown): HandlerError {
  if (err instanceof HandlerError) return err;
  if (err instanceof KubeApiError && err.statusCode === 409)
    return new HandlerError('conflict', 'kube.conflict', err.message);
  const p = kubeProblem(err);
  return new HandlerError(errorKindOf[p.kind], `kube.${p.kind}`, p.message);
}

/** Runs `fn`, answering any failure as a contract error. */
export async function kubeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw kubeHandlerError(err);
  }
}
