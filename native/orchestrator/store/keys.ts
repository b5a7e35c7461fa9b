// Key ranges and continue tokens, the same for every backend: a list under a prefix is the key range
// [prefix, rangeEnd(prefix)), and a continue token names the revision the list is consistent with
// and the last key already returned.
import { type Revision, StoreError } from './store.ts';

/** The first key after every key that starts with `prefix` (etcd's range_end for a prefix). */
export function rangeEnd(prefix: string): string {
  if (prefix === '') throw new StoreError('invalid', 'an empty prefix has no range end');
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export interface ContinueToken {
  revision: Revision;
  /** The last key of the page before: the next page starts after it. */
  after: string;
}

export function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ r: t.revision, k: t.after })).toString('base64url');
}

/** 'invalid' for a token this store did not make. */
export function decodeContinue(token: string, prefix: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString());
  } catch {
    throw new StoreError('invalid', 'not a continue token');
  }
  const { r, k } = (parsed ?? {}) as { r?: unknown; k?: unknown };
  if (!Number.isSafeInteger(r) || (r as number) < 0 || typeof k !== 'string')
    throw new StoreError('invalid', 'not a continue token');
  if (!k.startsWith(prefix)) throw new StoreError('invalid', `the continue token is not for ${prefix}`);
  return { revision: r as number, after: k };
}

/** The values a store hands out are its own copies, made from the JSON it keeps. */
export function encodeValue(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new StoreError('invalid', 'the value is not JSON');
  return json;
}
