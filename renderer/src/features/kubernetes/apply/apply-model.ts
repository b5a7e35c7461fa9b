// What the apply screen shows of a YAML and of the server's answer: the lines to mark (syntax errors
// as they are typed; the server's causes and failures after a dry run), and a one-line summary.
import { LineCounter, parseAllDocuments } from 'yaml';
import type { ApplyResult } from '../../../../../electron/contract/index.ts';

export interface LineMark {
  line: number;
  message: string;
  /** A syntax error (found here as the text is typed) or the server's. */
  source: 'syntax' | 'server';
}

/** The syntax errors of a multi-document YAML, at their lines (1-based), one per document at most. */
export function syntaxMarks(text: string): LineMark[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: true });
  if (!Array.isArray(docs)) return [];
  const out: LineMark[] = [];
  for (const d of docs) {
    const e = d.errors[0];
    if (!e) continue;
    const line = e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line;
    out.push({ line, message: e.message.split('\n')[0].replace(/:$/, ''), source: 'syntax' });
  }
  return out;
}

/** Where the server's answer goes in the editor: each cause at its line, else the document's first. */
export function resultMarks(results: ApplyResult[]): LineMark[] {
  const out: LineMark[] = [];
  for (const r of results) {
    if (r.outcome !== 'failed' && r.outcome !== 'invalid') continue;
    const placed = (r.causes ?? []).filter((c) => c.line);
    for (const c of placed)
      out.push({
        line: c.line!,
        message: c.field ? `${c.field}: ${c.message}` : c.message,
        source: 'server',
      });
    if (placed.length === 0) out.push({ line: r.line, message: r.message ?? r.outcome, source: 'server' });
  }
  return out.sort((a, b) => a.line - b.line);
}

/** `2 created, 1 configured, 1 unchanged` (in that order), or what failed. */
export function summary(results: ApplyResult[]): string {
  const order: ApplyResult['outcome'][] = ['created', 'configured', 'unchanged', 'failed', 'invalid'];
  const counts = order
    .map((o) => [o, results.filter((r) => r.outcome === o).length] as const)
    .filter(([, n]) => n > 0);
  return counts.length ? counts.map(([o, n]) => `${n} ${o}`).join(', ') : 'no documents';
}

/** The dry run or the apply refused something: nothing was applied. */
export const refused = (results: ApplyResult[]) =>
  results.some((r) => r.outcome === 'failed' || r.outcome === 'invalid');

/** `Deployment web` / `ConfigMap team/settings`, as the result list names a document. */
export function objectName(r: ApplyResult): string {
  if (!r.kind && !r.name) return `document ${r.index + 1}`;
  return `${r.kind ?? '?'} ${r.namespace ? `${r.namespace}/` : ''}${r.name ?? '?'}`;
}

/**
 * An object's YAML for editing: without what the server owns and an edit must not carry back (status,
 * uid, timestamps, managedFields), keeping resourceVersion, which makes the server refuse to replace a
 * version newer than the one the edit began from.
 */
export function editableYaml(yaml: string): string {
  const out: string[] = [];
  let skipping: number | null = null;
  for (const line of yaml.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (skipping !== null) {
      if (line.trim() === '' || indent > skipping) continue;
      skipping = null;
    }
    const owned =
      (indent === 0 && /^status:/.test(line)) ||
      (indent === 2 && /^ {2}(uid|creationTimestamp|generation|selfLink|managedFields):/.test(line));
    if (owned) {
      skipping = indent;
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}
