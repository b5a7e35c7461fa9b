// The JSONPath of additionalPrinterColumns (`.spec.cronSpec`, `.status.conditions[0].type`,
// `.status.conditions[?(@.type=="Ready")].status`, `.metadata.labels['app\.kubernetes\.io/name']`):
// the first value it finds, as kube-apiserver's table convertor prints the first result.

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; value: string; negate: boolean };

/** Parses a path into steps; throws on what it cannot read. */
export function parseJsonPath(path: string): Step[] {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  const steps: Step[] = [];
  let i = 0;
  while (i < p.length) {
    const ch = p[i];
    if (ch === '.') {
      i++;
      let name = '';
      while (i < p.length && p[i] !== '.' && p[i] !== '[') {
        if (p[i] === '\\' && i + 1 < p.length) i++;
        name += p[i++];
      }
      if (name) steps.push(name === '*' ? { kind: 'all' } : { kind: 'field', name });
      continue;
    }
    if (ch === '[') {
      const end = p.indexOf(']', i);
      if (end < 0) throw new Error(`unclosed [ in ${path}`);
      const inner = p.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else {
        const m = /^\?\(@((?:\.[\w-]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|([^)\s]+))\)$/.exec(inner);
        if (!m) throw new Error(`unsupported JSONPath ${inner} in ${path}`);
        steps.push({
          kind: 'filter',
          path: m[1].slice(1).split('.'),
          value: m[3] ?? m[4] ?? m[5],
          negate: m[2] === '!=',
        });
      }
      continue;
    }
    throw new Error(`unexpected ${ch} in ${path}`);
  }
  return steps;
}

const field = (v: unknown, name: string): unknown =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[name] : undefined;

/** Every value the path finds in `obj`. */
export function findAll(obj: unknown, steps: Step[]): unknown[] {
  let cur: unknown[] = [obj];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (s.kind === 'field') {
        const x = field(v, s.name);
        if (x !== undefined) next.push(x);
      } else if (s.kind === 'index') {
        if (Array.isArray(v)) {
          const x = v[s.index < 0 ? v.length + s.index : s.index];
          if (x !== undefined) next.push(x);
        }
      } else if (s.kind === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === 'object') next.push(...Object.values(v));
      } else if (Array.isArray(v))
        for (const x of v) {
          let at: unknown = x;
          for (const n of s.path) at = field(at, n);
          const matches = at !== undefined && String(at) === s.value;
          if (matches !== s.negate) next.push(x);
        }
    }
    cur = next;
  }
  return cur;
}
