import { invalid } from '../core/errors.ts';

/** One Dockerfile instruction after continuation lines were joined. */
export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY… */
  cmd: string;
  /** The instruction as written, on one line (what `docker history` and the step lines show). */
  original: string;
  /** The text after the keyword and its `--flags`. */
  args: string;
  /** `--name=value` options before the arguments (`--from`, `--chown`, `--platform`…). */
  flags: Record<string, string>;
  /** The exec (JSON array) form, when the arguments are one. */
  json: string[] | undefined;
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface Dockerfile {
  escape: string;
  instructions: Instruction[];
}

export const knownInstructions = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

const takesFlags = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);
const takesJson = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME']);

export function parseError(line: number, message: string): Error {
  return invalid(`dockerfile parse error line ${line}: ${message}`);
}

/** The parser directives (`# escape=`…) at the top of the file, before anything else. */
function directives(lines: string[]): { values: Record<string, string>; count: number } {
  const values: Record<string, string> = {};
  let count = 0;
  for (const line of lines) {
    const m = /^\s*#\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) break;
    const key = m[1].toLowerCase();
    if (key in values) break;
    values[key] = m[2];
    count++;
  }
  return { values, count };
}

/** Tries the exec form: a JSON array of strings. */
export function jsonArgs(text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Splits `--a=b --c=d rest` into flags and the rest. */
function splitFlags(text: string, line: number): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = text;
  for (;;) {
    const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (!m) break;
    if (m[2] === undefined && m[1] !== 'link' && m[1] !== 'parents')
      throw parseError(line, `missing a value on flag: --${m[1]}`);
    flags[m[1]] = m[2] ?? 'true';
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

/** Parses one instruction line (also used for ONBUILD triggers). */
export function parseInstruction(text: string, line: number): Instruction {
  const m = /^\s*(\S+)\s*(.*)$/s.exec(text);
  if (!m) throw parseError(line, 'empty instruction');
  const cmd = m[1].toUpperCase();
  if (!knownInstructions.has(cmd)) throw parseError(line, `unknown instruction: ${m[1]}`);
  const { flags, rest } = takesFlags.has(cmd) ? splitFlags(m[2], line) : { flags: {}, rest: m[2] };
  const args = rest.trim();
  const json = takesJson.has(cmd) ? jsonArgs(args) : undefined;
  if (args === '' && cmd !== 'RUN' && cmd !== 'CMD' && cmd !== 'ENTRYPOINT')
    throw parseError(line, `${cmd} requires at least one argument`);
  return { cmd, original: `${m[1]} ${m[2]}`.trim(), args, flags, json, line };
}

/**
 * Parses a Dockerfile: parser directives, comments, continuation lines (the escape character at the
 * end of a line; comment and blank lines inside a continuation are skipped), instructions with
 * their flags and exec/shell forms. Errors name the line.
 */
export function parseDockerfile(text: string, name = 'Dockerfile'): Dockerfile {
  if (text === '') throw invalid(`the Dockerfile (${name}) cannot be empty`);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const dir = directives(lines);
  const esc = dir.values.escape ?? '\\';
  if (esc !== '\\' && esc !== '`')
    throw parseError(1, `invalid escape token '${esc}' does not match [\\\\\`]`);
  const instructions: Instruction[] = [];
  let buf = '';
  let start = 0;
  for (let i = dir.count; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || trimmed === '') continue;
    if (buf === '') start = i + 1;
    const stripped = raw.replace(/\s+$/, '');
    if (stripped.endsWith(esc)) {
      buf += stripped.slice(0, -1);
      continue;
    }
    buf += buf === '' ? raw.trimStart() : raw;
    instructions.push(parseInstruction(buf, start));
    buf = '';
  }
  if (buf.trim() !== '') instructions.push(parseInstruction(buf, start));
  if (instructions.length === 0) throw invalid(`failed to parse ${name}: file with no instructions`);
  return { escape: esc, instructions };
}
