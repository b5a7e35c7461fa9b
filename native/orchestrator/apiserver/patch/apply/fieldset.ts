// Sets of field paths, as structured-merge-diff keeps them for managedFields: a trie of path
// elements, `f:<field>`, `k:{"name":"web"}` (an item of a keyed list), `v:"x"` (an item of a set),
// `i:3` (an item by index), read from and written to the FieldsV1 form (`.` marks a member that also
// has children).
import { isObject, type Json, type JsonObject } from '../json.ts';

export type PathElement = string;
export type FieldPath = PathElement[];

export class FieldSet {
  readonly members = new Set<PathElement>();
  readonly children = new Map<PathElement, FieldSet>();

  static fromPaths(paths: FieldPath[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: FieldPath): void {
    if (path.length === 0) return;
    let cur: FieldSet = this;
    for (const pe of path.slice(0, -1)) cur = cur.child(pe);
    cur.members.add(path[path.length - 1]);
  }

  private child(pe: PathElement): FieldSet {
    let c = this.children.get(pe);
    if (!c) {
      c = new FieldSet();
      this.children.set(pe, c);
    }
    return c;
  }

  has(path: FieldPath): boolean {
    let cur: FieldSet | undefined = this;
    for (const pe of path.slice(0, -1)) {
      cur = cur.children.get(pe);
      if (!cur) return false;
    }
    return cur.members.has(path[path.length - 1]);
  }

  /** Whether some member lies below `path`. */
  hasBelow(path: FieldPath): boolean {
    let cur: FieldSet | undefined = this;
    for (const pe of path) {
      cur = cur.children.get(pe);
      if (!cur) return false;
    }
    return !cur.empty();
  }

  empty(): boolean {
    if (this.members.size) return false;
    for (const c of this.children.values()) if (!c.empty()) return false;
    return true;
  }

  /** Every member, as paths from the root, in the order FieldsV1 lists them. */
  paths(prefix: FieldPath = []): FieldPath[] {
    const out: FieldPath[] = [];
    for (const pe of sortElements([...new Set([...this.members, ...this.children.keys()])])) {
      if (this.members.has(pe)) out.push([...prefix, pe]);
      const c = this.children.get(pe);
      if (c) out.push(...c.paths([...prefix, pe]));
    }
    return out;
  }

  union(other: FieldSet): FieldSet {
    return FieldSet.fromPaths([...this.paths(), ...other.paths()]);
  }

  difference(other: FieldSet): FieldSet {
    return FieldSet.fromPaths(this.paths().filter((p) => !other.has(p)));
  }

  intersection(other: FieldSet): FieldSet {
    return FieldSet.fromPaths(this.paths().filter((p) => other.has(p)));
  }

  equals(other: FieldSet): boolean {
    const a = this.paths();
    const b = other.paths();
    return a.length === b.length && a.every((p) => other.has(p));
  }

  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    for (const pe of sortElements([...new Set([...this.members, ...this.children.keys()])])) {
      const c = this.children.get(pe);
      if (!c || c.empty()) {
        if (this.members.has(pe)) out[pe] = {};
        continue;
      }
      const node = c.toFieldsV1();
      out[pe] = this.members.has(pe) ? { '.': {}, ...node } : node;
    }
    return out;
  }

  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    const walk = (node: unknown, at: FieldSet) => {
      if (!isObject(node)) return;
      for (const [pe, sub] of Object.entries(node)) {
        if (pe === '.') continue;
        if (!isObject(sub) || Object.keys(sub).length === 0 || '.' in sub) at.members.add(pe);
        if (isObject(sub) && Object.keys(sub).some((k) => k !== '.')) walk(sub, at.child(pe));
      }
    };
    walk(v, s);
    return s;
  }
}

const rank = (pe: string) => ({ f: 0, k: 1, v: 2, i: 3 })[pe[0] as 'f'] ?? 4;

/** Field names first, then keys, values and indices, each in byte order (structured-merge-diff's order). */
export function sortElements(pes: PathElement[]): PathElement[] {
  return pes.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export const fieldElement = (name: string): PathElement => `f:${name}`;
export const valueElement = (v: Json): PathElement => `v:${JSON.stringify(v)}`;

/** `k:{"containerPort":80,"protocol":"TCP"}`: the item's key fields, sorted by name. */
export function keyElement(
  item: JsonObject,
  keys: string[],
  defaults: Record<string, unknown> = {},
): PathElement {
  const parts: JsonObject = {};
  for (const k of [...keys].sort()) {
    const v = item[k] ?? (defaults[k] as Json | undefined);
    if (v !== undefined) parts[k] = v;
  }
  return `k:${JSON.stringify(parts)}`;
}

/** A path as kube-apiserver prints it in a conflict: `.spec.template.spec.containers[name="web"].image`. */
export function pathString(path: FieldPath): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const parts = JSON.parse(body) as JsonObject;
          return `[${Object.entries(parts)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}
