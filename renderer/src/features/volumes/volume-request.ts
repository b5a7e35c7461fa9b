// Pure parsing of the create-volume form.

/** `KEY=value` per line into labels (values may hold commas and `=`); throws a message on bad input. */
export function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of s.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    const key = (eq === -1 ? line : line.slice(0, eq)).trim();
    if (!key || /\s/.test(key)) throw new Error(`invalid label "${line}": use KEY=value`);
    out[key] = eq === -1 ? '' : line.slice(eq + 1).trim();
  }
  return out;
}
