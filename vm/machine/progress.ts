// The guest's boot progress lines (VM-CONTRACT.md): `stage <name> <text>`, `ready <text>`,
// `error <stage> <message>`. Anything else on the channel is not ours and is dropped.
import type { ProgressLine } from './types.ts';

export function parseProgress(line: string): ProgressLine | null {
  const m = /^(stage|ready|error)(?:\s+(.*))?$/.exec(line.trim());
  if (!m) return null;
  const rest = m[2] ?? '';
  if (m[1] === 'ready') return { kind: 'ready', stage: 'ready', text: rest };
  const sp = rest.search(/\s/);
  const stage = sp < 0 ? rest : rest.slice(0, sp);
  if (!stage) return null;
  return { kind: m[1] as 'stage' | 'error', stage, text: sp < 0 ? '' : rest.slice(sp + 1).trim() };
}
