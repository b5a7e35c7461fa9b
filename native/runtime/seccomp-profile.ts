// A seccomp profile of the user's (`docker run --security-opt seccomp=profile.json`: the CLI reads the
// file and sends its JSON) turned into the OCI spec's filter as dockerd 20.10 turns it: the blocks
// whose includes the container meets (its architecture, the capabilities it holds, the host's kernel)
// and whose excludes it does not, `name` or `names`, `architectures` or the host's `archMap` entry.
import { invalid } from '../core/errors.ts';
import type { OciSeccomp, SeccompArg, SeccompRule } from './seccomp.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** Node's architecture as Go names it, which the profiles' `arches` use (amd64, arm64…). */
function goArch(arch: string): string {
  if (arch === 'x64') return 'amd64';
  if (arch === 'ia32') return '386';
  return arch;
}

/** libseccomp's name of each Go architecture, for `archMap`. */
const seccompArch: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  '386': 'SCMP_ARCH_X86',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
  ppc64: 'SCMP_ARCH_PPC64',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  s390x: 'SCMP_ARCH_S390X',
  riscv64: 'SCMP_ARCH_RISCV64',
};

/** `minKernel` ("4.8") against the host's release ("6.1.0-18-amd64"): by major, then minor. */
export function kernelAtLeast(release: string, min: string): boolean {
  const parse = (s: string) => (/^(\d+)\.(\d+)/.exec(s) ?? []).slice(1, 3).map(Number);
  const [maj, minor] = parse(release);
  const [wantMaj, wantMinor] = parse(min);
  if (wantMaj === undefined || Number.isNaN(wantMaj)) throw invalid(`invalid kernel version: ${min}`);
  if (maj === undefined) return false;
  return maj > wantMaj || (maj === wantMaj && (minor ?? 0) >= (wantMinor ?? 0));
}

export interface ProfileTarget {
  /** The container's bounding capabilities (CAP_…). */
  caps: readonly string[];
  /** Node's process.arch of the host. */
  arch?: string;
  /** The host kernel's release (os.release()). */
  kernel: string;
}

/**
 * The OCI filter of a Docker seccomp profile, or undefined when the profile asks for none (no default
 * action and no system calls, which dockerd reads as seccomp off). Errors in dockerd's words.
 */
export function seccompFromProfile(body: string, target: ProfileTarget): OciSeccomp | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    throw invalid(`Decoding seccomp profile failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const p = obj(raw);
  const syscalls = Array.isArray(p.syscalls) ? p.syscalls.map(obj) : [];
  if (!p.defaultAction && syscalls.length === 0) return undefined;
  const declared = strings(p.architectures);
  const archMap = Array.isArray(p.archMap) ? p.archMap.map(obj) : [];
  if (declared.length && archMap.length)
    throw invalid(
      "'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'",
    );
  const arch = goArch(target.arch ?? process.arch);
  const architectures = [...declared];
  for (const a of archMap)
    if (a.architecture === seccompArch[arch])
      architectures.push(String(a.architecture), ...strings(a.subArchitectures));
  const has = new Set(target.caps);
  const rules: SeccompRule[] = [];
  for (const call of syscalls) {
    let names = strings(call.names);
    if (call.name) {
      if (names.length)
        throw invalid(
          "'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'",
        );
      names = [String(call.name)];
    }
    const inc = obj(call.includes);
    const exc = obj(call.excludes);
    if (strings(exc.arches).includes(arch)) continue;
    if (strings(exc.caps).some((c) => has.has(c))) continue;
    if (exc.minKernel && kernelAtLeast(target.kernel, String(exc.minKernel))) continue;
    const incArches = strings(inc.arches);
    if (incArches.length && !incArches.includes(arch)) continue;
    if (!strings(inc.caps).every((c) => has.has(c))) continue;
    if (inc.minKernel && !kernelAtLeast(target.kernel, String(inc.minKernel))) continue;
    const rule: SeccompRule = { names, action: String(call.action) as SeccompRule['action'] };
    if (typeof call.errnoRet === 'number') rule.errnoRet = call.errnoRet;
    const args = Array.isArray(call.args) ? call.args.map(obj) : [];
    if (args.length)
      rule.args = args.map(
        (a): SeccompArg => ({
          index: Number(a.index ?? 0),
          value: Number(a.value ?? 0),
          ...(a.valueTwo !== undefined ? { valueTwo: Number(a.valueTwo) } : {}),
          op: String(a.op) as SeccompArg['op'],
        }),
      );
    rules.push(rule);
  }
  const out: OciSeccomp = {
    defaultAction: String(p.defaultAction ?? '') as OciSeccomp['defaultAction'],
    architectures,
    syscalls: rules,
  };
  if (typeof p.defaultErrnoRet === 'number') out.defaultErrnoRet = p.defaultErrnoRet;
  if (typeof p.listenerPath === 'string' && p.listenerPath) out.listenerPath = p.listenerPath;
  if (typeof p.listenerMetadata === 'string' && p.listenerMetadata) out.listenerMetadata = p.listenerMetadata;
  const flags = strings(p.flags);
  if (flags.length) out.flags = flags;
  return out;
}
