import { invalid } from '../../core/errors.ts';
import type { ImageRuntimeConfig } from '../../storage/image-store.ts';

function jsonOrShell(value: string): string[] {
  const v = value.trim();
  if (v.startsWith('[')) {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed;
    } catch {
      /* not JSON: shell form */
    }
  }
  return ['/bin/sh', '-c', v];
}

function keyValues(value: string, what: string): Array<[string, string]> {
  const v = value.trim();
  if (!v.includes('=')) {
    const sp = v.search(/\s/);
    if (sp < 0) throw invalid(`${what} requires two arguments`);
    return [[v.slice(0, sp), v.slice(sp).trim()]];
  }
  const out: Array<[string, string]> = [];
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    let val = m[2];
    if ((val.startsWith('"') && val.endsWith('"')) || (val.startsWith("'") && val.endsWith("'")))
      val = val.slice(1, -1).replace(/\\(.)/g, '$1');
    out.push([m[1], val]);
  }
  return out;
}

const allowed = new Set([
  'CMD',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'LABEL',
  'USER',
  'WORKDIR',
  'VOLUME',
  'STOPSIGNAL',
  'ONBUILD',
]);

/** Applies `docker import --change` / `docker commit -c` Dockerfile instructions to a config. */
export function applyChanges(config: ImageRuntimeConfig, changes: string[]): ImageRuntimeConfig {
  const c: ImageRuntimeConfig = { ...config };
  for (const change of changes) {
    const m = /^\s*(\w+)\s*(.*)$/s.exec(change);
    if (!m) continue;
    const instr = m[1].toUpperCase();
    const arg = m[2];
    // dockerd's words: the instruction as its parser keeps it (lower case).
    if (!allowed.has(instr)) throw invalid(`${instr.toLowerCase()} is not a valid change command`);
    if (arg.trim() === '' && instr !== 'CMD' && instr !== 'ENTRYPOINT')
      throw invalid(`${instr} requires at least one argument`);
    switch (instr) {
      case 'CMD':
        c.Cmd = jsonOrShell(arg);
        break;
      case 'ENTRYPOINT':
        c.Entrypoint = jsonOrShell(arg);
        break;
      case 'ENV': {
        const env = new Map((c.Env ?? []).map((e) => [e.split('=')[0], e] as [string, string]));
        for (const [k, v] of keyValues(arg, 'ENV')) env.set(k, `${k}=${v}`);
        c.Env = [...env.values()];
        break;
      }
      case 'LABEL':
        c.Labels = { ...(c.Labels ?? {}), ...Object.fromEntries(keyValues(arg, 'LABEL')) };
        break;
      case 'EXPOSE': {
        const ports = { ...(c.ExposedPorts ?? {}) };
        for (const p of arg.trim().split(/\s+/).filter(Boolean)) ports[p.includes('/') ? p : `${p}/tcp`] = {};
        c.ExposedPorts = ports;
        break;
      }
      case 'USER':
        c.User = arg.trim();
        break;
      case 'WORKDIR':
        c.WorkingDir = arg.trim();
        break;
      case 'VOLUME': {
        const vols = { ...(c.Volumes ?? {}) };
        const list = arg.trim().startsWith('[') ? (JSON.parse(arg) as string[]) : arg.trim().split(/\s+/);
        for (const v of list) vols[v] = {};
        c.Volumes = vols;
        break;
      }
      case 'STOPSIGNAL':
        c.StopSignal = arg.trim();
        break;
      case 'ONBUILD':
        c.OnBuild = [...(c.OnBuild ?? []), arg.trim()];
        break;
    }
  }
  return c;
}
