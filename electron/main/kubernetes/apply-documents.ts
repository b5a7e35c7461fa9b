// The documents of a multi-document YAML as the apply sends them: each with the line it starts on, its
// object, or why it cannot be read (a syntax error at its line, or no apiVersion/kind/name). The
// parsed document stays, so that a field the server names (`spec.containers[0].image`) is found again
// at its line. Every line here is a line of the whole text, 1-based, as the editor numbers them.
import { isMap, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';

export interface KubeObjectDoc {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; generateName?: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface YamlDocument {
  /** Its place among the text's non-empty documents (0-based). */
  index: number;
  /** Where its content begins. */
  line: number;
  object?: KubeObjectDoc;
  /** Why it cannot be sent, and the line that says so. */
  problem?: { message: string; line: number };
  /** The field → line lookup for the server's causes. */
  lineOf(field: string): number | undefined;
}

const nothing = () => undefined;

export function splitYaml(text: string): YamlDocument[] {
  const lc = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lc, prettyErrors: true });
  // An empty text (or only comments) parses as an empty stream, which is not an array.
  const docs = Array.isArray(parsed) ? parsed : [];
  const lineAt = (offset: number) => lc.linePos(offset).line;
  const out: YamlDocument[] = [];
  for (const doc of docs) {
    const contents = doc.contents as Node | null;
    const empty = contents === null || (!isMap(contents) && !isSeq(contents) && scalarNull(contents));
    if (empty && doc.errors.length === 0) continue;
    const start = contents?.range ? contents.range[0] : doc.range[0];
    const index = out.length;
    const line = lineAt(start);
    if (doc.errors.length) {
      const e = doc.errors[0];
      const at = e.linePos?.[0]?.line ?? lineAt(e.pos[0]);
      out.push({ index, line, problem: { message: firstLine(e.message), line: at }, lineOf: nothing });
      continue;
    }
    const value = doc.toJS() as unknown;
    const items = listItems(contents, value);
    if (items) {
      // A `kind: List` (or FooList) is its items, each applied as a document of its own, as kubectl
      // does; each item's line and fields are its own.
      for (const [node, item] of items) {
        const at = node.range ? lineAt(node.range[0]) : line;
        pushObject(out, out.length, at, item, (field) => fieldLine(node, field, lineAt));
      }
      continue;
    }
    pushObject(out, index, line, value, (field) => fieldLine(contents, field, lineAt));
  }
  return out;
}

function pushObject(
  out: YamlDocument[],
  index: number,
  line: number,
  value: unknown,
  lineOf: (field: string) => number | undefined,
): void {
  const problem = shapeProblem(value);
  if (problem) out.push({ index, line, problem: { message: problem, line }, lineOf });
  else out.push({ index, line, object: value as KubeObjectDoc, lineOf });
}

/** The item nodes and values of a list document (`kind: List`, `PodList`…), or undefined. */
function listItems(contents: Node | null, value: unknown): [Node, unknown][] | undefined {
  if (!isMap(contents) || typeof value !== 'object' || value === null) return undefined;
  const { kind, items } = value as { kind?: unknown; items?: unknown };
  if (typeof kind !== 'string' || !kind.endsWith('List') || !Array.isArray(items)) return undefined;
  const seq = contents.items.find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === 'items')
    ?.value as Node | null | undefined;
  if (!isSeq(seq)) return items.length === 0 ? [] : undefined;
  return seq.items.map((n, i) => [n as Node, items[i]]);
}

function scalarNull(n: Node): boolean {
  return (n as { value?: unknown }).value === null || (n as { value?: unknown }).value === undefined;
}

const firstLine = (s: string) => s.split('\n')[0].replace(/:$/, '');

/** What the server needs of every object before it can be sent anywhere. */
function shapeProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return 'the document is not an object (a mapping)';
  const o = v as Record<string, unknown>;
  if (typeof o.apiVersion !== 'string' || !o.apiVersion) return 'apiVersion is missing';
  if (typeof o.kind !== 'string' || !o.kind) return 'kind is missing';
  const meta = o.metadata as Record<string, unknown> | undefined;
  if (typeof meta !== 'object' || meta === null) return 'metadata is missing';
  if (typeof meta.name !== 'string' || !meta.name)
    return 'metadata.name is missing (apply needs a name; generateName is for create)';
  return undefined;
}

/**
 * A field path as the API server writes it in a cause: `spec.template.spec.containers[0].image`,
 * `metadata.labels[app.kubernetes.io/name]`, with or without a leading dot.
 */
export function fieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\[([^\]]*)\]|\.?([^.[\]]+)/g;
  for (let m = re.exec(field); m; m = re.exec(field)) {
    if (m[1] !== undefined) out.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    else out.push(m[2]);
  }
  return out;
}

/**
 * The line of the deepest node of `field` the document has: a missing field (a Required value) is
 * shown at the object that lacks it. Undefined when not even the first step is there.
 */
function fieldLine(root: Node | null, field: string, lineAt: (offset: number) => number): number | undefined {
  let node = root;
  let found: number | undefined;
  for (const step of fieldPath(field)) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => String((p.key as { value?: unknown })?.value ?? p.key) === String(step),
      );
      if (!pair) break;
      const key = pair.key as Node | null;
      if (key?.range) found = lineAt(key.range[0]);
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as Node | undefined;
      if (!item) break;
      if (item.range) found = lineAt(item.range[0]);
      node = item;
    } else break;
  }
  return found;
}
