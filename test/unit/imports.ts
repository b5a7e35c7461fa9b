// Reads the import edges of the source tree, for the layering rules in boundaries.test.ts. A Biome
// `noRestrictedImports` pattern sees only the specifier as written (`../../features/x.ts`), so the same
// folder looks different from every depth; here each relative specifier is resolved against the file
// that holds it, and a rule names folders of the repository as they are.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** A forbidden edge: no file matching `from` imports a file (or package) matching `to`. */
export interface ImportRule {
  from: string;
  to: string;
  /** Why not, and where the thing belongs instead: shown with every violation. */
  message: string;
  /** Files matching `from` that the rule leaves alone (the folder's own tests, say). */
  except?: string;
  /** Targets the rule lets through (the one interface a layer may reach into a folder for). */
  allow?: string;
}

export interface ImportEdge {
  /** Repository-relative, with `/`. */
  from: string;
  /** A repository-relative path for a relative specifier; the specifier itself for a package. */
  to: string;
  line: number;
}

export interface Violation extends ImportEdge {
  rule: ImportRule;
}

// Static imports and re-exports start a line (Biome formats them so, and a comment's line starts with
// `//` or `*`), which keeps strings and comments that merely mention an import out: `import x from '…'`,
// `import type {…} from '…'` (across lines), `export … from '…'`, `import '…'`. A dynamic `import('…')`
// counts wherever it is, except on a comment's line.
const staticImport = /^(?:import|export)\b[^;'"]*?\bfrom\s*(['"])([^'"\n]+)\1|^import\s*(['"])([^'"\n]+)\3/gm;
const dynamicImport = /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;
const commentLine = /^\s*(?:\/\/|\/?\*)/;

/** The specifiers a source file imports, with the line each is on. */
export function importsOf(source: string): { specifier: string; line: number }[] {
  const lineAt = (at: number) => source.slice(0, at).split('\n').length;
  const found = new Map<number, string>();
  for (const m of source.matchAll(staticImport)) {
    const specifier = m[2] ?? m[4];
    found.set(m.index + m[0].lastIndexOf(specifier), specifier);
  }
  for (const m of source.matchAll(dynamicImport)) {
    const lineStart = source.lastIndexOf('\n', m.index) + 1;
    if (!commentLine.test(source.slice(lineStart, m.index))) found.set(m.index + m[0].indexOf(m[2]), m[2]);
  }
  return [...found].sort((a, b) => a[0] - b[0]).map(([at, specifier]) => ({ specifier, line: lineAt(at) }));
}

/**
 * A glob over repository paths: `**` any number of folders, `*` any name part, `{a,b}` either.
 * A glob without a `/` (a package name) matches the specifier and its subpaths (`react` matches
 * `react/jsx-runtime`).
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += c.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}${glob.includes('/') ? '' : '(?:/.*)?'}$`);
}

/** Where a specifier in `from` points: a repository path for a relative one, else the specifier. */
export function resolveImport(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
}

export function edgesOf(file: string, source: string): ImportEdge[] {
  return importsOf(source).map(({ specifier, line }) => ({
    from: file,
    to: resolveImport(file, specifier),
    line,
  }));
}

export function violations(edges: Iterable<ImportEdge>, rules: readonly ImportRule[]): Violation[] {
  const compiled = rules.map((rule) => ({
    rule,
    from: globToRegExp(rule.from),
    to: globToRegExp(rule.to),
    except: rule.except ? globToRegExp(rule.except) : null,
    allow: rule.allow ? globToRegExp(rule.allow) : null,
  }));
  const out: Violation[] = [];
  for (const edge of edges) {
    for (const r of compiled) {
      if (
        r.from.test(edge.from) &&
        !r.except?.test(edge.from) &&
        r.to.test(edge.to) &&
        !r.allow?.test(edge.to)
      )
        out.push({ ...edge, rule: r.rule });
    }
  }
  return out;
}

/** Every .ts/.tsx/.mjs file under `dirs` of `root`, repository-relative. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let names: string[];
    try {
      names = readdirSync(path.join(root, rel));
    } catch {
      return;
    }
    for (const name of names) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const child = `${rel}/${name}`;
      if (statSync(path.join(root, child)).isDirectory()) walk(child);
      else if (/\.(ts|tsx|mjs)$/.test(name)) out.push(child);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

export function treeEdges(root: string, dirs: readonly string[]): ImportEdge[] {
  return sourceFiles(root, dirs).flatMap((f) => edgesOf(f, readFileSync(path.join(root, f), 'utf8')));
}

export function describeViolation(v: Violation): string {
  return `${v.from}:${v.line} imports ${v.to}: ${v.rule.message}`;
}
