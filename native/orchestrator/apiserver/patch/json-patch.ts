// RFC 6902 JSON patch: add, remove, replace, move, copy and test against a document, with RFC 6901
// pointers. Messages follow evanphx/json-patch, which kube-apiserver uses; a patch that does not apply
// is answered 422 there, a patch that is not a list of operations 400 (see rest/patch.ts).
import { clone, isObject, type Json, jsonEqual } from './json.ts';
import { parsePointer } from './json-pointer.ts';

export interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

/** The patch could not be decoded: not a list of operations. */
export class JsonPatchDecodeError extends Error {}

/** An operation did not apply (a missing path, a failed test). */
export class JsonPatchApplyError extends Error {}

export function decodeJsonPatch(value: unknown): Operation[] {
  if (!Array.isArray(value)) {
    const what = value === null ? 'null' : isObject(value) ? 'object' : typeof value;
    throw new JsonPatchDecodeError(`json: cannot unmarshal ${what} into Go value of type jsonpatch.Patch`);
  }
  return value.map((op) => {
    if (!isObject(op))
      throw new JsonPatchDecodeError(
        `json: cannot unmarshal ${Array.isArray(op) ? 'array' : typeof op} into Go value of type jsonpatch.Operation`,
      );
    return op as unknown as Operation;
  });
}

type Container = Json[] | { [k: string]: Json };

/** The container a pointer's last token is in, and that token; undefined when the container is missing. */
function locate(doc: Json, tokens: string[]): { parent: Container; key: string } | undefined {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t, cur.length - 1);
      if (i === undefined) return undefined;
      cur = cur[i];
    } else if (isObject(cur)) {
      if (!(t in cur)) return undefined;
      cur = cur[t];
    } else return undefined;
  }
  if (!Array.isArray(cur) && !isObject(cur)) return undefined;
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function arrayIndex(token: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return i <= max ? i : undefined;
}

function get(parent: Container, key: string): Json | undefined {
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length - 1);
    return i === undefined ? undefined : parent[i];
  }
  return Object.hasOwn(parent, key) ? parent[key] : undefined;
}

function add(parent: Container, key: string, value: Json, path: string): void {
  if (!Array.isArray(parent)) {
    parent[key] = value;
    return;
  }
  if (key === '-') {
    parent.push(value);
    return;
  }
  if (!/^-?[0-9]+$/.test(key))
    throw new JsonPatchApplyError(
      `error in add for path: '${path}': value was not a proper array index: '${key}'`,
    );
  const i = Number(key);
  if (i < 0 || i > parent.length)
    throw new JsonPatchApplyError(
      `error in add for path: '${path}': Unable to access invalid index: ${i}: invalid index referenced`,
    );
  parent.splice(i, 0, value);
}

function remove(parent: Container, key: string, path: string, op = 'remove'): Json {
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length - 1);
    if (i === undefined)
      throw new JsonPatchApplyError(
        `error in ${op} for path: '${path}': Unable to access invalid index: ${key}: invalid index referenced`,
      );
    return parent.splice(i, 1)[0];
  }
  if (!Object.hasOwn(parent, key))
    throw new JsonPatchApplyError(
      `error in ${op} for path: '${path}': Unable to remove nonexistent key: ${key}: missing value`,
    );
  const v = parent[key];
  delete parent[key];
  return v;
}

/** The document after the operations; the input is not changed. Throws JsonPatchApplyError. */
export function applyJsonPatch(document: Json, ops: Operation[]): Json {
  // A wrapper makes the root an ordinary member, so `""` paths need no special case.
  const root: { [k: string]: Json } = { doc: clone(document) };
  const tokensOf = (p: string | undefined, op: string, field = 'path') => {
    if (typeof p !== 'string')
      throw new JsonPatchApplyError(`${op} operation failed to decode ${field}: missing value`);
    try {
      return ['doc', ...parsePointer(p)];
    } catch (err) {
      throw new JsonPatchApplyError(`${op} operation failed to decode ${field}: ${(err as Error).message}`);
    }
  };
  for (const o of ops) {
    const value = (o.value === undefined ? null : o.value) as Json;
    switch (o.op) {
      case 'add': {
        const at = locate(root, tokensOf(o.path, 'add'));
        if (!at)
          throw new JsonPatchApplyError(
            `add operation does not apply: doc is missing path: "${o.path}": missing value`,
          );
        add(at.parent, at.key, clone(value), o.path);
        break;
      }
      case 'remove': {
        const at = locate(root, tokensOf(o.path, 'remove'));
        if (!at)
          throw new JsonPatchApplyError(
            `remove operation does not apply: doc is missing path: "${o.path}": missing value`,
          );
        remove(at.parent, at.key, o.path);
        break;
      }
      case 'replace': {
        const at = locate(root, tokensOf(o.path, 'replace'));
        if (!at)
          throw new JsonPatchApplyError(
            `replace operation does not apply: doc is missing path: ${o.path}: missing value`,
          );
        if (get(at.parent, at.key) === undefined)
          throw new JsonPatchApplyError(
            `replace operation does not apply: doc is missing key: ${o.path}: missing value`,
          );
        if (Array.isArray(at.parent)) at.parent[Number(at.key)] = clone(value);
        else at.parent[at.key] = clone(value);
        break;
      }
      case 'move':
      case 'copy': {
        const fromTokens = tokensOf(o.from, o.op, 'from');
        const src = locate(root, fromTokens);
        const moved = src && get(src.parent, src.key);
        if (!src || moved === undefined)
          throw new JsonPatchApplyError(
            `${o.op} operation does not apply: doc is missing from path: ${o.from}: missing value`,
          );
        const toTokens = tokensOf(o.path, o.op);
        if (o.op === 'move') {
          if (toTokens.length > fromTokens.length && fromTokens.every((t, i) => toTokens[i] === t))
            throw new JsonPatchApplyError(
              `move operation does not apply: cannot move ${o.from} into its own child ${o.path}`,
            );
          remove(src.parent, src.key, o.from!, 'move');
        }
        const dst = locate(root, toTokens);
        if (!dst)
          throw new JsonPatchApplyError(
            `${o.op} operation does not apply: doc is missing destination path: ${o.path}: missing value`,
          );
        add(dst.parent, dst.key, clone(moved), o.path);
        break;
      }
      case 'test': {
        const at = locate(root, tokensOf(o.path, 'test'));
        if (!at)
          throw new JsonPatchApplyError(
            `test operation does not apply: is missing path: ${o.path}: missing value`,
          );
        const actual = get(at.parent, at.key);
        const ok = actual === undefined ? value === null : jsonEqual(actual, value);
        if (!ok) throw new JsonPatchApplyError(`testing value ${o.path} failed: test failed`);
        break;
      }
      default:
        throw new JsonPatchApplyError(`Unexpected kind: ${String(o.op)}`);
    }
  }
  return root.doc;
}
