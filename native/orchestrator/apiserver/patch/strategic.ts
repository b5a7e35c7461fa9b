// Strategic merge patch, as kube-apiserver applies it to the built-in kinds (apimachinery's
// strategicpatch with the server's options): maps merge key by key and null deletes; a list merges by
// its merge key when its field says so (containers by name, ports by containerPort, volumeMounts by
// mountPath), unites scalars for a merge-strategy set (finalizers), and is replaced otherwise
// (tolerations, command). Directives: `$patch: replace|delete|merge` in a map or as a list item,
// `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
import { clone, isObject, type Json, type JsonObject, jsonEqual } from './json.ts';
import type { Shape } from './shape.ts';

/** A patch the algorithm refuses (an unknown directive, a malformed list): a 400 at the API. */
export class StrategicPatchError extends Error {}

const setOrderPrefix = '$setElementOrder/';
const deletePrimitivePrefix = '$deleteFromPrimitiveList/';
const retainKeys = '$retainKeys';
const directive = '$patch';

export function strategicMerge(original: JsonObject, patch: JsonObject, shape: Shape): JsonObject {
  return mergeMap(original, patch, shape) ?? {};
}

/** The map after the patch; undefined when the patch deletes it. */
function mergeMap(original: JsonObject, patch: JsonObject, shape: Shape): JsonObject | undefined {
  const kind = patch[directive];
  if (kind !== undefined) {
    if (kind === 'delete') return undefined;
    if (kind === 'replace') return strip(patch, shape);
    if (kind !== 'merge')
      throw new StrategicPatchError(`Unknown patch type: ${String(kind)} in map: ${JSON.stringify(patch)}`);
  }
  const out: JsonObject = { ...original };
  const retain = patch[retainKeys];
  if (retain !== undefined) {
    if (!Array.isArray(retain))
      throw new StrategicPatchError(`invalid type for ${retainKeys}: expected a list`);
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === directive || key === retainKeys || key.startsWith(setOrderPrefix)) continue;
    if (key.startsWith(deletePrimitivePrefix)) {
      const field = key.slice(deletePrimitivePrefix.length);
      if (!Array.isArray(value)) throw new StrategicPatchError(`invalid type for ${key}: expected a list`);
      const current = out[field];
      if (Array.isArray(current)) out[field] = current.filter((x) => !value.some((d) => jsonEqual(d, x)));
      continue;
    }
    if (value === null) {
      delete out[key];
      continue;
    }
    const child = shape.kind === 'map' ? shape.elem : shape.child(key);
    const order = patch[`${setOrderPrefix}${key}`];
    const merged = mergeValue(out[key], value, child, Array.isArray(order) ? order : undefined);
    if (merged === undefined) delete out[key];
    else out[key] = merged;
  }
  // `$setElementOrder` for a list the patch does not otherwise touch still orders it.
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(setOrderPrefix)) continue;
    const field = key.slice(setOrderPrefix.length);
    if (field in patch || !Array.isArray(order) || !Array.isArray(out[field])) continue;
    out[field] = reorder(out[field] as Json[], order, shape.child(field));
  }
  return out;
}

function mergeValue(original: Json | undefined, patch: Json, shape: Shape, order?: Json[]): Json | undefined {
  if (isObject(patch)) {
    if (shape.atomic && shape.kind !== 'scalar') return strip(patch, shape);
    return mergeMap(isObject(original) ? original : {}, patch, shape);
  }
  if (Array.isArray(patch)) return mergeList(Array.isArray(original) ? original : [], patch, shape, order);
  return patch;
}

function mergeList(original: Json[], patch: Json[], shape: Shape, order?: Json[]): Json[] {
  const list = shape.list;
  const elem = shape.elem;
  if (list?.type === 'map' && list.merge) {
    if (patch.some((p) => isObject(p) && p[directive] === 'replace'))
      return patch
        .filter((p) => !(isObject(p) && p[directive] === 'replace'))
        .map((p) => stripValue(p, elem));
    const key = list.mergeKey;
    const out = [...original];
    const matches = (item: Json, p: JsonObject) => isObject(item) && jsonEqual(item[key], p[key]);
    for (const p of patch) {
      if (!isObject(p))
        throw new StrategicPatchError(
          `unable to find api field in struct ${key} for the json field: ${JSON.stringify(p)}`,
        );
      if (!(key in p))
        throw new StrategicPatchError(
          `map: ${JSON.stringify(p)} does not contain declared merge key: ${key}`,
        );
      const kind = p[directive];
      if (kind === 'delete') {
        for (let i = out.length - 1; i >= 0; i--) if (matches(out[i], p)) out.splice(i, 1);
        continue;
      }
      const at = out.findIndex((item) => matches(item, p));
      if (at >= 0) {
        const merged = mergeMap(out[at] as JsonObject, p, elem);
        if (merged === undefined) out.splice(at, 1);
        else out[at] = merged;
      } else {
        const made = mergeMap({}, p, elem);
        if (made !== undefined) out.push(made);
      }
    }
    return order ? reorder(out, order, shape) : out;
  }
  if (list?.type === 'set' && list.merge) {
    if (patch.some((p) => isObject(p) && p[directive] === 'replace'))
      return patch.filter((p) => !(isObject(p) && p[directive] === 'replace'));
    const out = [...original];
    for (const p of patch) if (!out.some((x) => jsonEqual(x, p))) out.push(p);
    return order ? reorder(out, order, shape) : out;
  }
  return patch.map((p) => stripValue(p, elem));
}

/** Puts the items `order` names first, in its order; items it does not name keep their order after them. */
function reorder(items: Json[], order: Json[], shape: Shape): Json[] {
  const list = shape.list;
  const same = (item: Json, o: Json) =>
    list?.type === 'map' && isObject(item) && isObject(o)
      ? jsonEqual(item[list.mergeKey], o[list.mergeKey])
      : jsonEqual(item, o);
  const placed: Json[] = [];
  const rest = [...items];
  for (const o of order) {
    const i = rest.findIndex((item) => same(item, o));
    if (i >= 0) placed.push(...rest.splice(i, 1));
  }
  return [...placed, ...rest];
}

/** A value the patch brings in whole: its directives and nulls removed, as merging into nothing does. */
function stripValue(v: Json, shape: Shape): Json {
  if (isObject(v)) return strip(v, shape);
  if (Array.isArray(v)) return v.map((x) => stripValue(x, shape.elem));
  return v;
}

function strip(v: JsonObject, shape: Shape): JsonObject {
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null || x === undefined || k.startsWith('$')) continue;
    out[k] = stripValue(x, shape.kind === 'map' ? shape.elem : shape.child(k));
  }
  return clone(out);
}
