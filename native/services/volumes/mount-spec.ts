import path from 'node:path';
import { invalid } from '../../core/errors.ts';
import type { MountPoint } from '../containers/model.ts';

/**
 * Parsers of a container's mount requests, as dockerd's linux parser reads them: `HostConfig.Binds`
 * (`src:dst[:mode]`), `HostConfig.Mounts` (the API's mount objects) and `HostConfig.VolumesFrom`
 * (`id[:ro|rw]`). They validate and describe; creating volumes and touching the host is the caller's.
 */

/** What a volume mount asks of the volume it names, when it has to be created. */
export interface VolumeRequest {
  driver: string;
  labels: Record<string, string>;
  options: Record<string, string>;
}

export interface ParsedMount {
  point: MountPoint;
  /** Volume mounts: options for creating the volume (`--mount` only carries them). */
  volume?: VolumeRequest;
}

const rwModes = new Set(['rw', 'ro']);
const labelModes = new Set(['z', 'Z']);
const consistencyModes = new Set(['consistent', 'cached', 'delegated']);
export const propagationModes = new Set(['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared']);

/** dockerd's linuxValidMountMode: comma-separated, at most one of each kind. */
export function validMountMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = { rw: 0, label: 0, propagation: 0, copy: 0, consistency: 0 };
  for (const o of mode.split(',')) {
    if (rwModes.has(o)) counts.rw++;
    else if (labelModes.has(o)) counts.label++;
    else if (propagationModes.has(o)) counts.propagation++;
    else if (o === 'nocopy') counts.copy++;
    else if (consistencyModes.has(o)) counts.consistency++;
    else return false;
  }
  return Object.values(counts).every((n) => n <= 1);
}

/** Whether a (valid) mode string means read-write. */
export function readWrite(mode: string): boolean {
  return validMountMode(mode) && !mode.split(',').includes('ro');
}

function modePropagation(mode: string): string | undefined {
  return mode.split(',').find((o) => propagationModes.has(o));
}

/** `path.Clean` of a container path: `/data/` → `/data`. */
export function cleanPath(p: string): string {
  const c = path.posix.normalize(p);
  return c.length > 1 ? c.replace(/\/+$/, '') : c;
}

class MountConfigError {
  constructor(
    readonly type: string,
    readonly detail: string,
  ) {}
  get message(): string {
    return `invalid mount config for type ${JSON.stringify(this.type)}: ${this.detail}`;
  }
}

const missing = (field: string) => `field ${field} must not be empty`;
const extra = (field: string) => `field ${field} must not be specified`;

function checkTarget(type: string, target: string): void {
  if (!target) throw new MountConfigError(type, missing('Target'));
  if (cleanPath(target) === '/')
    throw new MountConfigError(type, `invalid specification: destination can't be '/'`);
  if (!target.startsWith('/'))
    throw new MountConfigError(type, `invalid mount path: '${target}' mount path must be absolute`);
}

/** The API's mount object (`HostConfig.Mounts[i]`), with the fields berthd acts on. */
export interface MountObject {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: {
    Propagation?: string;
    NonRecursive?: boolean;
    CreateMountpoint?: boolean;
  } | null;
  VolumeOptions?: {
    NoCopy?: boolean;
    Labels?: Record<string, string> | null;
    Subpath?: string;
    DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null;
  } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] | null } | null;
}

/**
 * Validates one mount and describes it (dockerd's parseMountSpec). `sourceExists` is asked only for
 * `--mount type=bind`, whose source must exist; `-v` creates a missing one at start instead.
 */
function parseMountSpec(m: MountObject, sourceExists: ((p: string) => boolean) | undefined): ParsedMount {
  const type = m.Type ?? '';
  const target = m.Target ?? '';
  const source = m.Source ?? '';
  const readOnly = m.ReadOnly === true;
  switch (type) {
    case 'bind': {
      checkTarget(type, target);
      if (!source) throw new MountConfigError(type, missing('Source'));
      const prop = m.BindOptions?.Propagation ?? '';
      if (prop && !propagationModes.has(prop))
        throw new MountConfigError(type, `invalid propagation mode: ${prop}`);
      if (m.VolumeOptions) throw new MountConfigError(type, extra('VolumeOptions'));
      if (m.TmpfsOptions) throw new MountConfigError(type, extra('TmpfsOptions'));
      if (!source.startsWith('/'))
        throw new MountConfigError(type, `invalid mount path: '${source}' mount path must be absolute`);
      const create = m.BindOptions?.CreateMountpoint === true;
      if (sourceExists && !create && !sourceExists(source))
        throw new MountConfigError(type, `bind source path does not exist: ${source}`);
      return {
        point: {
          Type: 'bind',
          Source: cleanPath(source),
          Destination: cleanPath(target),
          Mode: '',
          RW: !readOnly,
          Propagation: prop || 'rprivate',
          ...(m.BindOptions?.NonRecursive ? { NonRecursive: true } : {}),
          ...(create || !sourceExists ? { CreateSource: true } : {}),
        },
      };
    }
    case 'volume': {
      checkTarget(type, target);
      if (m.BindOptions) throw new MountConfigError(type, extra('BindOptions'));
      if (m.TmpfsOptions) throw new MountConfigError(type, extra('TmpfsOptions'));
      const vo = m.VolumeOptions ?? undefined;
      const anonymous = source === '';
      const subpath = vo?.Subpath ?? '';
      if (subpath) {
        if (anonymous) throw new MountConfigError(type, 'must not set Subpath when using anonymous volumes');
        if (!isLocalPath(subpath))
          throw new MountConfigError(type, 'subpath must be a relative path within the volume');
      }
      if (readOnly && anonymous)
        throw new MountConfigError(type, 'must not set ReadOnly mode when using anonymous volumes');
      return {
        point: {
          Type: 'volume',
          Name: source,
          Source: '',
          Destination: cleanPath(target),
          Driver: 'local',
          // dockerd marks local volumes of -v and --mount `z` (SELinux shared label) when no mode is given.
          Mode: 'z',
          RW: !readOnly,
          Propagation: '',
          CopyData: !vo?.NoCopy && !subpath,
          ...(anonymous ? { Anonymous: true } : {}),
          ...(subpath ? { Subpath: path.posix.normalize(subpath) } : {}),
        },
        volume: {
          driver: vo?.DriverConfig?.Name ?? '',
          labels: { ...(vo?.Labels ?? {}) },
          options: { ...(vo?.DriverConfig?.Options ?? {}) },
        },
      };
    }
    case 'tmpfs': {
      checkTarget(type, target);
      if (m.BindOptions) throw new MountConfigError(type, extra('BindOptions'));
      if (m.VolumeOptions) throw new MountConfigError(type, extra('VolumeOptions'));
      if (source) throw new MountConfigError(type, extra('Source'));
      return {
        point: {
          Type: 'tmpfs',
          Source: '',
          Destination: cleanPath(target),
          Mode: '',
          RW: !readOnly,
          Propagation: '',
          TmpfsOptions: tmpfsOptions(m.TmpfsOptions ?? undefined, readOnly, type),
        },
      };
    }
    default:
      throw new MountConfigError(type, 'mount type unknown');
  }
}

/** Go's filepath.IsLocal: relative, not empty, never climbing out with `..`. */
function isLocalPath(p: string): boolean {
  if (p === '' || p.startsWith('/')) return false;
  const c = path.posix.normalize(p);
  return c !== '..' && !c.startsWith('../');
}

/** dockerd's ConvertTmpfsOptions: `ro`, `mode=<octal>`, `size=<n>[kmg]` in the largest even unit. */
export function tmpfsOptions(o: MountObject['TmpfsOptions'], readOnly: boolean, type = 'tmpfs'): string {
  const out: string[] = [];
  if (readOnly) out.push('ro');
  if (o?.Mode) out.push(`mode=${o.Mode.toString(8)}`);
  if (o?.SizeBytes) {
    if (o.SizeBytes < 0) throw new MountConfigError(type, `invalid tmpfs size: ${o.SizeBytes}`);
    let size = o.SizeBytes;
    let suffix = '';
    for (const [s, div] of [
      ['g', 1024 ** 3],
      ['m', 1024 ** 2],
      ['k', 1024],
    ] as const) {
      if (size % div === 0) {
        size /= div;
        suffix = s;
        break;
      }
    }
    out.push(`size=${size}${suffix}`);
  }
  for (const opt of o?.Options ?? []) out.push(opt.join('='));
  return out.join(',');
}

/** One `HostConfig.Mounts` entry. */
export function parseMount(raw: unknown, sourceExists: (p: string) => boolean): ParsedMount {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw invalid('json: cannot unmarshal into Go struct field HostConfig.Mounts of type mount.Mount');
  try {
    return parseMountSpec(raw as MountObject, sourceExists);
  } catch (err) {
    if (err instanceof MountConfigError) throw invalid(err.message);
    throw err;
  }
}

/** One `HostConfig.Binds` entry: `/host:/ctr[:mode]` binds, `name:/ctr[:mode]` names a volume. */
export function parseBind(raw: string): ParsedMount {
  const spec = `invalid volume specification: '${raw}'`;
  const arr = raw.split(':');
  if (arr.length > 3 || arr[0] === '') throw invalid(spec);
  let source = '';
  let target: string;
  let mode = '';
  if (arr.length === 1) target = arr[0];
  else if (arr.length === 2) {
    // `/foo:rw` is a destination with a mode, which a volume cannot have.
    if (validMountMode(arr[1])) throw invalid(spec);
    [source, target] = arr;
  } else [source, target, mode] = arr;
  if (!validMountMode(mode)) throw invalid(`invalid mode: ${mode}`);
  const type = source.startsWith('/') ? 'bind' : 'volume';
  const prop = modePropagation(mode);
  const m: MountObject = {
    Type: type,
    Source: source,
    Target: target,
    ReadOnly: !readWrite(mode),
    ...(mode.split(',').includes('nocopy') ? { VolumeOptions: { NoCopy: true } } : {}),
    ...(prop ? { BindOptions: { Propagation: prop } } : {}),
  };
  let parsed: ParsedMount;
  try {
    parsed = parseMountSpec(m, undefined);
  } catch (err) {
    if (err instanceof MountConfigError) throw invalid(`${spec}: ${err.message}`);
    throw err;
  }
  if (mode || type === 'bind') parsed.point.Mode = mode;
  return parsed;
}

/** One `HostConfig.VolumesFrom` entry: `container[:ro|rw]`. */
export function parseVolumesFrom(raw: string): { ref: string; rw: boolean } {
  if (raw === '') throw invalid('volumes-from specification cannot be an empty string');
  const i = raw.indexOf(':');
  if (i < 0) return { ref: raw, rw: true };
  const mode = raw.slice(i + 1);
  // Propagation and copy modes are the source container's to set, not the importer's.
  if (!validMountMode(mode) || modePropagation(mode) || mode.split(',').includes('nocopy'))
    throw invalid(`invalid mode: ${mode}`);
  return { ref: raw.slice(0, i), rw: readWrite(mode) };
}

/**
 * A mount point for an anonymous volume of the image's (or the request's) `Volumes`. Like dockerd, a
 * relative path (`VOLUME [/logs]` in shell form gives `[/logs]`) is taken from the root.
 */
export function anonymousVolumePoint(destination: string): MountPoint {
  return {
    Type: 'volume',
    Name: '',
    Source: '',
    Destination: cleanPath(destination.startsWith('/') ? destination : `/${destination}`),
    Driver: 'local',
    Mode: '',
    RW: true,
    Propagation: '',
    CopyData: true,
    Anonymous: true,
  };
}
