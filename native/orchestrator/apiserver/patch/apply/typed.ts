// Objects walked with their shape, as structured-merge-diff walks typed values: the set of fields an
// object sets, what changed between two objects, the merge of an applied configuration into a live
// object, and the removal of a field.
import { clone, isObject, type Json, type JsonObject, jsonEqual } from '../json.ts';
import type { Shape } from '../shape.ts';
import { type FieldPath, FieldSet, fieldElement, keyElement, valueElement } from './fieldset.ts';

const isEmptyObject = (v: unknown) => isObject(v) && Object.keys(v).length === 0;
const childOf = (shape: Shape, key: string) => (shape.kind === 'map' ? shape.elem : shape.child(key));
const leafy = (shape: Shape) => shape.kind === 'scalar' || shape.atomic;

/** The item's path element in a list of this shape (keyed, set or by index). */
function itemElement(shape: Shape, item: Json, index: number): string {
  const list = shape.list;
  if (list?.type === 'map' && isObject(item)) return keyElement(item, list.keys, list.defaults);
  if (list?.type === 'set') return valueElement(item);
  return `i:${index}`;
}

/** Every field `value` sets: its leaves, the items of its lists, and empty or null members. */
export function fieldsOf(value: Json, shape: Shape): FieldSet {
  const set = new FieldSet();
  const walk = (v: Json, s: Shape, path: FieldPath) => {
    if (isObject(v) && !leafy(s) && s.kind !== 'list') {
      for (const [k, x] of Object.entries(v)) {
        const p = [...path, fieldElement(k)];
        if (x === null || isEmptyObject(x)) set.insert(p);
        walk(x, childOf(s, k), p);
      }
      return;
    }
    if (Array.isArray(v) && s.kind === 'list' && !s.atomic) {
      v.forEach((item, i) => {
        const p = [...path, itemElement(s, item, i)];
        set.insert(p);
        if (s.list?.type === 'map') walk(item, s.elem, p);
      });
      return;
    }
    set.insert(path);
  };
  walk(value, shape, []);
  return set;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed from `before` to `after`, field by field. */
export function compare(before: Json | undefined, after: Json | undefined, shape: Shape): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const leaf = (l: Json | undefined, r: Json | undefined, path: FieldPath) => {
    if (l === undefined && r !== undefined) c.added.insert(path);
    else if (l !== undefined && r === undefined) c.removed.insert(path);
    else if (!jsonEqual(l, r)) c.modified.insert(path);
  };
  const walk = (l: Json | undefined, r: Json | undefined, s: Shape, path: FieldPath) => {
    if (l === undefined && r === undefined) return;
    const bothMaps = (l === undefined || isObject(l)) && (r === undefined || isObject(r));
    const bothLists = (l === undefined || Array.isArray(l)) && (r === undefined || Array.isArray(r));
    if (bothMaps && !leafy(s) && s.kind !== 'list') {
      const lm = l as JsonObject | undefined;
      const rm = r as JsonObject | undefined;
      if ((!lm || isEmptyObject(lm)) && (!rm || isEmptyObject(rm))) return leaf(l, r, path);
      // A struct that appears is not itself a member (Go's value structs always exist); a map is.
      if (path.length && s.kind !== 'struct') {
        if (!lm) c.added.insert(path);
        if (!rm) c.removed.insert(path);
      }
      for (const k of new Set([...Object.keys(lm ?? {}), ...Object.keys(rm ?? {})]))
        walk(lm?.[k], rm?.[k], childOf(s, k), [...path, fieldElement(k)]);
      return;
    }
    if (bothLists && s.kind === 'list' && !s.atomic) {
      const items = (v: Json[] | undefined) => new Map((v ?? []).map((x, i) => [itemElement(s, x, i), x]));
      const li = items(l as Json[] | undefined);
      const ri = items(r as Json[] | undefined);
      if (li.size === 0 && ri.size === 0) return leaf(l, r, path);
      for (const pe of new Set([...li.keys(), ...ri.keys()])) {
        const p = [...path, pe];
        const a = li.get(pe);
        const b = ri.get(pe);
        if (a === undefined) c.added.insert(p);
        if (b === undefined) c.removed.insert(p);
        if (s.list?.type === 'map') walk(a, b, s.elem, p);
      }
      return;
    }
    leaf(l, r, path);
  };
  walk(before, after, shape, []);
  return c;
}

/** The live object with the configuration merged in: maps by key, keyed lists by item, sets united. */
export function mergeTyped(live: Json | undefined, config: Json | undefined, shape: Shape): Json | undefined {
  if (config === undefined) return clone(live);
  if (live === undefined || live === null || config === null) return clone(config);
  if (isObject(live) && isObject(config) && !leafy(shape) && shape.kind !== 'list') {
    const out: JsonObject = { ...live };
    for (const [k, v] of Object.entries(config)) {
      const merged = mergeTyped(live[k], v, childOf(shape, k));
      if (merged === undefined) delete out[k];
      else out[k] = merged as Json;
    }
    return out;
  }
  if (Array.isArray(live) && Array.isArray(config) && shape.kind === 'list' && !shape.atomic) {
    const out = [...live];
    config.forEach((item, i) => {
      const pe = itemElement(shape, item, i);
      const at = out.findIndex((x, j) => itemElement(shape, x, j) === pe);
      if (shape.list?.type !== 'map') {
        if (at < 0) out.push(clone(item));
        return;
      }
      if (at >= 0) out[at] = mergeTyped(out[at], item, shape.elem) as Json;
      else out.push(clone(item));
    });
    return out;
  }
  return clone(config);
}

/** Removes the field at `path` (in place), and the maps and lists that removing it leaves empty. */
export function removePath(obj: JsonObject, path: FieldPath, shape: Shape): void {
  const trail: { container: JsonObject | Json[]; at: string | number }[] = [];
  let cur: Json = obj;
  let s = shape;
  for (const pe of path) {
    if (pe[0] === 'f' && isObject(cur)) {
      const k = pe.slice(2);
      if (!(k in cur)) return;
      trail.push({ container: cur, at: k });
      cur = cur[k];
      s = childOf(s, k);
    } else if (Array.isArray(cur)) {
      const list: Json[] = cur;
      const i = list.findIndex((x, j) => itemElement(s, x, j) === pe);
      if (i < 0) return;
      trail.push({ container: list, at: i });
      cur = list[i];
      s = s.elem;
    } else return;
  }
  for (let i = trail.length - 1; i >= 0; i--) {
    const { container, at } = trail[i];
    if (Array.isArray(container)) container.splice(at as number, 1);
    else delete container[at as string];
    const emptied = Array.isArray(container) ? container.length === 0 : Object.keys(container).length === 0;
    if (!emptied || i === 0) break;
  }
}
