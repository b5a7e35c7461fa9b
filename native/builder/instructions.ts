import path from 'node:path';
import { invalid } from '../core/errors.ts';
import type { ImageRuntimeConfig } from '../storage/image-config.ts';
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

function setEnv(env: string[], key: string, value: string): string[] {
  const out = env.filter((e) => e !== key && !e.startsWith(`${key}=`));
  out.push(`${key}=${value}`);
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

/** How Docker's history prints a string list (Go's %v of a []string, quoted). */
const goList = (list: string[]) => `[${list.map((x) => JSON.stringify(x)).join(' ')}]`;

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

/**
 * Applies a metadata instruction to the stage (its image config or its ARGs) and returns the
 * history text for it. Throws `invalid` for malformed arguments.
 */
export function applyMetadata(
  ins: Instruction,
  state: StageState,
  esc: string,
  buildArgs: Record<string, string | null>,
  consumed: Set<string>,
): string {
  const lookup = stageLookup(state);
  const rt = state.runtime;
  const words = () => splitWords(ins.args, lookup, esc);
  let shown = `${ins.cmd} ${ins.args}`;
  switch (ins.cmd) {
    case 'ARG':
      declareArgs(words(), state.args, buildArgs, consumed, state.globals);
      break;
    case 'ENV':
    case 'LABEL': {
      const pairs = keyValuePairs(ins.args, lookup, esc, ins.cmd);
      if (ins.cmd === 'ENV') for (const [k, v] of pairs) rt.Env = setEnv(rt.Env ?? [], k, v);
      else rt.Labels = { ...(rt.Labels ?? {}), ...Object.fromEntries(pairs) };
      shown = `${ins.cmd} ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`;
      break;
    }
    case 'MAINTAINER':
      state.author = expandText(ins.args, lookup, esc);
      break;
    case 'EXPOSE': {
      const ports = { ...(rt.ExposedPorts ?? {}) };
      for (const p of words()) {
        if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw invalid(`invalid containerPort: ${p}`);
        ports[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
      }
      rt.ExposedPorts = ports;
      break;
    }
    case 'USER':
      rt.User = words().join(' ');
      break;
    case 'WORKDIR': {
      const dir = words().join(' ');
      rt.WorkingDir = path.posix.resolve(rt.WorkingDir || '/', dir);
      return `/bin/sh -c #(nop) WORKDIR ${rt.WorkingDir}`;
    }
    case 'VOLUME': {
      const vols = { ...(rt.Volumes ?? {}) };
      for (const v of ins.json ?? words()) {
        if (!v) throw invalid('VOLUME specified can not be an empty string');
        vols[v] = {};
      }
      rt.Volumes = vols;
      break;
    }
    case 'STOPSIGNAL':
      rt.StopSignal = words().join(' ');
      break;
    case 'CMD':
      rt.Cmd = commandOf(ins, rt.Shell ?? defaultShell);
      state.cmdSet = true;
      shown = `CMD ${goList(rt.Cmd)}`;
      break;
    case 'ENTRYPOINT':
      rt.Entrypoint = ins.args === '' ? null : commandOf(ins, rt.Shell ?? defaultShell);
      if (!state.cmdSet) rt.Cmd = null;
      shown = `ENTRYPOINT ${goList(rt.Entrypoint ?? [])}`;
      break;
    case 'SHELL':
      if (!ins.json || ins.json.length === 0)
        throw invalid('SHELL requires the arguments to be in JSON form');
      rt.Shell = ins.json;
      break;
    case 'HEALTHCHECK':
      rt.Healthcheck = healthcheck(ins);
      break;
    case 'ONBUILD': {
      const trigger = /^\s*(\S+)/.exec(ins.args)?.[1]?.toUpperCase() ?? '';
      if (trigger === 'ONBUILD') throw invalid("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === 'FROM' || trigger === 'MAINTAINER')
        throw invalid(`${trigger} isn't allowed as an ONBUILD trigger`);
      if (!knownInstructions.has(trigger)) throw invalid(`unknown instruction: ${trigger}`);
      rt.OnBuild = [...(rt.OnBuild ?? []), ins.args.trim()];
      break;
    }
    default:
      throw invalid(`${ins.cmd} is not a metadata instruction`);
  }
  return `/bin/sh -c #(nop)  ${shown}`;
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
