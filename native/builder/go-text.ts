// Go's fmt verbs as dockerd's classic builder uses them in history text (`%q`, `%v`): the text is
// what `docker history` shows and what scripts compare, so it is rebuilt character for character.

/** Go's strconv.Quote for the strings a Dockerfile holds. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c >= 0x20 && c !== 0x7f) out += ch;
    else out += goEscape(c);
  }
  return `${out}"`;
}

const shortEscapes: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r' };

function goEscape(c: number): string {
  const short = shortEscapes[c];
  return short ? `\\${short}` : `\\x${c.toString(16).padStart(2, '0')}`;
}

/** Go's `%q` of an integer: the character it stands for, quoted (`'\x02'`, `'\n'`, `'A'`). */
export function goQuoteRune(n: number): string {
  if (n === 0x27 || n === 0x5c) return `'\\${String.fromCodePoint(n)}'`;
  if (n >= 0x20 && n !== 0x7f) return `'${String.fromCodePoint(n)}'`;
  return `'${goEscape(n)}'`;
}

/** `%q` of a []string: `["a" "b"]`. */
export const goQuotedList = (list: readonly string[]): string => `[${list.map(goQuote).join(' ')}]`;

/** `%v` of a []string: `[a b]`. */
export const goList = (list: readonly string[]): string => `[${list.join(' ')}]`;

/** Go's time.Duration.String of nanoseconds: `0s`, `500ms`, `1m30s`, `1h0m0s`, `1.5s`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e9) {
    const [unit, div] = u < 1e3 ? ['ns', 1] : u < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    out = `${trimFraction(u / div)}${unit}`;
  } else {
    const h = Math.floor(u / 3600e9);
    u -= h * 3600e9;
    const m = Math.floor(u / 60e9);
    u -= m * 60e9;
    const s = `${trimFraction(u / 1e9)}s`;
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

function trimFraction(v: number): string {
  return v
    .toFixed(9)
    .replace(/\.?0+$/, '')
    .replace(/^$/, '0');
}
