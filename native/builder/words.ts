import { invalid } from '../core/errors.ts';

/** Looks a build variable up; undefined when it is not set. */
export type Lookup = (name: string) => string | undefined;

const nameStart = /[A-Za-z_]/;
const nameChar = /[A-Za-z0-9_]/;

/**
 * Splits Dockerfile argument text into words the way the classic builder does: quotes group and are
 * removed, the escape character escapes, and `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}`
 * (and the forms without `:`) are replaced outside single quotes. A substituted value is never split.
 */
export function splitWords(text: string, lookup: Lookup, esc = '\\'): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (!quote && /\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === esc && quote !== "'" && i + 1 < text.length) {
      const next = text[i + 1];
      // Inside double quotes only the quote, `$` and the escape character itself are escapable.
      if (quote === '"' && next !== '"' && next !== '$' && next !== esc) cur += c;
      cur += next;
      i += 2;
      continue;
    }
    if (c === "'" || c === '"') {
      if (!quote) {
        quote = c;
        i++;
        continue;
      }
      if (quote === c) {
        quote = undefined;
        i++;
        continue;
      }
    }
    if (c === '$' && quote !== "'") {
      const r = expandAt(text, i, lookup, esc);
      cur += r.value;
      i = r.end;
      continue;
    }
    cur += c;
    i++;
  }
  if (quote) throw invalid(`unexpected end of statement while looking for matching ${quote}`);
  if (inWord) words.push(cur);
  return words;
}

/** Substitutes variables in `text` as one word: whitespace and quotes are kept as written. */
export function expandText(text: string, lookup: Lookup, esc = '\\'): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === esc && text[i + 1] === '$') {
      out += '$';
      i += 2;
    } else if (c === '$') {
      const r = expandAt(text, i, lookup, esc);
      out += r.value;
      i = r.end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Expands the `$…` reference that starts at `text[start]`. */
function expandAt(text: string, start: number, lookup: Lookup, esc: string): { value: string; end: number } {
  const next = text[start + 1];
  if (next === '{') {
    let depth = 1;
    let j = start + 2;
    while (j < text.length && depth > 0) {
      if (text[j] === '{') depth++;
      else if (text[j] === '}') depth--;
      if (depth > 0) j++;
    }
    if (depth > 0) throw invalid(`missing '}' in ${JSON.stringify(text)}`);
    const body = text.slice(start + 2, j);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/s.exec(body);
    if (!m) throw invalid(`failed to process ${JSON.stringify(text)}: unsupported modifier in \${${body}}`);
    const [, name, op, word = ''] = m;
    const value = lookup(name);
    const set = op?.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    let out = value ?? '';
    if (op === ':-' || op === '-') out = set ? (value ?? '') : expandText(word, lookup, esc);
    else if (op === ':+' || op === '+') out = set ? expandText(word, lookup, esc) : '';
    return { value: out, end: j + 1 };
  }
  if (next !== undefined && nameStart.test(next)) {
    let j = start + 1;
    while (j < text.length && nameChar.test(text[j])) j++;
    return { value: lookup(text.slice(start + 1, j)) ?? '', end: j };
  }
  return { value: '$', end: start + 1 };
}

/** `KEY=VALUE …` pairs (ENV, LABEL), or the legacy `KEY value with spaces` form. */
export function keyValuePairs(
  text: string,
  lookup: Lookup,
  esc: string,
  what: string,
): Array<[string, string]> {
  const words = splitWords(text, lookup, esc);
  if (words.length === 0) throw invalid(`${what} requires at least one argument`);
  if (!words[0].includes('=')) {
    if (words.length < 2) throw invalid(`${what} names can not be blank`);
    return [[words[0], words.slice(1).join(' ')]];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw invalid(`${what} names can not be blank`);
    return [w.slice(0, i), w.slice(i + 1)] as [string, string];
  });
}
