// RFC 6901 JSON pointers: `/spec/containers/0/image`, with `~1` for `/` and `~0` for `~` in a token.

/** The tokens of a pointer; throws on one that does not start with `/` (the empty pointer is the root). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer must be empty or start with a "/": ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export const escapeToken = (token: string): string => token.replaceAll('~', '~0').replaceAll('/', '~1');

export const formatPointer = (tokens: string[]): string => tokens.map((t) => `/${escapeToken(t)}`).join('');
