import path from 'node:path';
import { invalid } from '../core/errors.ts';
import { parseSignal } from '../runtime/signals.ts';
import type { ImageRuntimeConfig } from '../storage/image-config.ts';
import { goDuration, goList, goQuote, goQuotedList, goQuoteRune } from './go-text.ts';
import { type Instruction, jsonArgs, knownInstructions } from './parser.ts';
import { expandText, keyValuePairs, type Lookup, splitWords } from './words.ts';

/** What one stage of a build carries from step to step besides its image. */
export interface StageState {
  name: string | undefined;
  imageId: string | undefined;
  runtime: ImageRuntimeConfig;
  /** ARGs declared in this stage, with their values (undefined: declared without value). */
  args: Map<string, string | undefined>;
  /** The ARGs declared before the first FROM. */
  globals: Map<string, string | undefined>;
  /** Set once the stage has its own CMD (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  author?: string;
}

export const defaultShell = ['/bin/sh', '-c'];

/** Variables visible to a step: the stage's ENV, then its ARGs. */
export function stageLookup(state: StageState): Lookup {
  return (name) => {
    for (const e of state.runtime.Env ?? []) {
      const i = e.indexOf('=');
      if ((i < 0 ? e : e.slice(0, i)) === name) return i < 0 ? '' : e.slice(i + 1);
    }
    return state.args.get(name);
  };
}

/** The stage's ARG values that have one, for RUN's environment and the cache key. */
export function argValues(state: StageState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of state.args) if (v !== undefined) out[k] = v;
  return out;
}

/** ENV replaces a variable where it is (dockerd keeps the order), or appends a new one. */
function setEnv(env: string[], key: string, value: string): string[] {
  const out = [...env];
  const i = out.findIndex((e) => e === key || e.startsWith(`${key}=`));
  if (i >= 0) out[i] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

/** Go duration strings (`30s`, `1m30s`, `500ms`) in nanoseconds. */
export function parseDuration(s: string, what: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  const re = /(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * units[m[2]];
    pos = re.lastIndex;
  }
  if (s === '' || pos !== s.length) throw invalid(`invalid value for --${what}: ${s}`);
  return Math.round(total);
}

function commandOf(ins: Instruction, shell: string[]): string[] {
  return ins.json ?? [...shell, ins.args];
}

/** `ARG a b=c`: declares build arguments, taking the --build-arg value over the default. */
export function declareArgs(
  words: string[],
  args: Map<string, string | undefined>,
  buildArgs: Record<string, string | null>,
  consumed: Set<string>,
  globals?: Map<string, string | undefined>,
): void {
  for (const w of words) {
    const i = w.indexOf('=');
    const name = i < 0 ? w : w.slice(0, i);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw invalid(`invalid ARG name: ${JSON.stringify(name)}`);
    const given = Object.hasOwn(buildArgs, name) ? buildArgs[name] : undefined;
    if (given !== undefined) consumed.add(name);
    // `ARG NAME` without a default inside a stage takes the value of the global ARG before FROM.
    args.set(name, given ?? (i < 0 ? globals?.get(name) : w.slice(i + 1)));
  }
}

/** What a metadata instruction leaves for its history line, and a note to print before it commits. */
export interface Applied {
  /** The text after `#(nop)` in the history (dockerd's commit comment). */
  comment: string;
  note?: string;
}

/** nat.ParsePortSpecs for EXPOSE: `80`, `53/UDP`, `8000-8001` → `80/tcp`, `53/udp`, `8000/tcp`, `8001/tcp`. */
function exposedPorts(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/([A-Za-z]+))?$/.exec(spec);
  if (!m) throw invalid(`Invalid containerPort: ${spec}`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (to < from) throw invalid(`Invalid containerPort: ${spec}`);
  const out: string[] = [];
  for (let p = from; p <= to; p++) out.push(`${p}/${proto}`);
  return out;
}

/** Go's `%q` of a HealthConfig pointer, as dockerd's history holds it. */
function healthcheckText(hc: NonNullable<ImageRuntimeConfig['Healthcheck']>): string {
  const d = (ns: number | undefined) => goQuote(goDuration(ns ?? 0));
  return `&{${goQuotedList(hc.Test ?? [])} ${d(hc.Interval)} ${d(hc.Timeout)} ${d(hc.StartPeriod)} ${goQuoteRune(hc.Retries ?? 0)}}`;
}

/**
 * Applies a metadata instruction to the stage (its image config or its ARGs) and returns dockerd's
 * commit comment for it. Throws `invalid` for malformed arguments.
 */
export function applyMetadata(
  ins: Instruction,
  state: StageState,
  esc: string,
  buildArgs: Record<string, string | null>,
  consumed: Set<string>,
): Applied {
  const lookup = stageLookup(state);
  const rt = state.runtime;
  const words = () => splitWords(ins.args, lookup, esc);
  switch (ins.cmd) {
    case 'ARG': {
      const list = words();
      declareArgs(list, state.args, buildArgs, consumed, state.globals);
      return { comment: `ARG ${list.join(' ')}` };
    }
    case 'ENV':
    case 'LABEL': {
      const pairs = keyValuePairs(ins.args, lookup, esc, ins.cmd);
      if (ins.cmd === 'ENV') for (const [k, v] of pairs) rt.Env = setEnv(rt.Env ?? [], k, v);
      else rt.Labels = { ...(rt.Labels ?? {}), ...Object.fromEntries(pairs) };
      return { comment: `${ins.cmd} ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}` };
    }
    case 'MAINTAINER':
      state.author = expandText(ins.args, lookup, esc);
      return { comment: `MAINTAINER ${state.author}` };
    case 'EXPOSE': {
      // dockerd sorts the words as written, then expands each (a variable may hold several ports).
      const written = ins.args.trim().split(/\s+/).sort();
      const specs = written.flatMap((w) =>
        splitWords(w, lookup, esc).flatMap((x) => x.split(/\s+/).filter(Boolean)),
      );
      const ports = { ...(rt.ExposedPorts ?? {}) };
      for (const p of specs.flatMap(exposedPorts)) ports[p] = {};
      rt.ExposedPorts = ports;
      return { comment: `EXPOSE ${specs.join(' ')}` };
    }
    case 'USER':
      rt.User = words().join(' ');
      return { comment: `USER ${rt.User}` };
    case 'WORKDIR': {
      const dir = words().join(' ');
      rt.WorkingDir = path.posix.resolve(rt.WorkingDir || '/', dir);
      return { comment: `WORKDIR ${rt.WorkingDir}` };
    }
    case 'VOLUME': {
      const list = ins.json ?? words();
      const vols = { ...(rt.Volumes ?? {}) };
      for (const v of list) {
        if (!v) throw invalid('VOLUME specified can not be an empty string');
        vols[v] = {};
      }
      rt.Volumes = vols;
      return { comment: `VOLUME ${goList(list)}` };
    }
    case 'STOPSIGNAL': {
      const sig = words().join(' ');
      parseSignal(sig);
      rt.StopSignal = sig;
      return { comment: `STOPSIGNAL ${sig}` };
    }
    case 'CMD':
      rt.Cmd = commandOf(ins, rt.Shell ?? defaultShell);
      if (rt.Cmd.length > 0) state.cmdSet = true;
      return { comment: `CMD ${goQuotedList(rt.Cmd)}` };
    case 'ENTRYPOINT':
      rt.Entrypoint = ins.args === '' ? null : commandOf(ins, rt.Shell ?? defaultShell);
      if (!state.cmdSet) rt.Cmd = null;
      return { comment: `ENTRYPOINT ${goQuotedList(rt.Entrypoint ?? [])}` };
    case 'SHELL':
      if (!ins.json || ins.json.length === 0)
        throw invalid('SHELL requires the arguments to be in JSON form');
      rt.Shell = ins.json;
      return { comment: `SHELL ${goList(rt.Shell)}` };
    case 'HEALTHCHECK': {
      const old = rt.Healthcheck?.Test;
      const note =
        old && old.length > 0 && old[0] !== 'NONE'
          ? `Note: overriding previous HEALTHCHECK: ${goList(old)}\n`
          : undefined;
      rt.Healthcheck = healthcheck(ins);
      return { comment: `HEALTHCHECK ${healthcheckText(rt.Healthcheck ?? {})}`, note };
    }
    case 'ONBUILD': {
      const trigger = /^\s*(\S+)/.exec(ins.args)?.[1]?.toUpperCase() ?? '';
      if (trigger === 'ONBUILD') throw invalid("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === 'FROM' || trigger === 'MAINTAINER')
        throw invalid(`${trigger} isn't allowed as an ONBUILD trigger`);
      if (!knownInstructions.has(trigger)) throw invalid(`unknown instruction: ${trigger}`);
      rt.OnBuild = [...(rt.OnBuild ?? []), ins.args.trim()];
      return { comment: `ONBUILD ${ins.args.trim()}` };
    }
    default:
      throw invalid(`${ins.cmd} is not a metadata instruction`);
  }
}

function healthcheck(ins: Instruction): ImageRuntimeConfig['Healthcheck'] {
  const m = /^\s*(\S+)\s*(.*)$/s.exec(ins.args);
  const kind = m?.[1].toUpperCase();
  if (kind === 'NONE') {
    if (m?.[2].trim()) throw invalid('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  if (kind !== 'CMD') throw invalid(`Unknown type "${m?.[1] ?? ''}" in HEALTHCHECK (try CMD)`);
  const rest = m?.[2] ?? '';
  const json = jsonArgs(rest);
  const hc: NonNullable<ImageRuntimeConfig['Healthcheck']> = {
    Test: json ? ['CMD', ...json] : ['CMD-SHELL', rest.trim()],
  };
  const f = ins.flags;
  if (f.interval) hc.Interval = parseDuration(f.interval, 'interval');
  if (f.timeout) hc.Timeout = parseDuration(f.timeout, 'timeout');
  if (f['start-period']) hc.StartPeriod = parseDuration(f['start-period'], 'start-period');
  if (f['start-interval']) hc.StartInterval = parseDuration(f['start-interval'], 'start-interval');
  if (f.retries) {
    const n = Number(f.retries);
    if (!Number.isInteger(n) || n < 1) throw invalid('--retries must be at least 1');
    hc.Retries = n;
  }
  return hc;
}
