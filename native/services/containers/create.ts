import { promises as fs, mkdirSync } from 'node:fs';
import path from 'node:path';
import { invalid, notFound } from '../../core/errors.ts';
import { writeFileAtomic } from '../../core/fsutil.ts';
import { newId, randomName } from '../../core/ids.ts';
import { hostResolvConf } from '../../network/resolv-conf.ts';
import { applyCapChanges, defaultCapabilities } from '../../runtime/capabilities.ts';
import { parseSignal } from '../../runtime/spec.ts';
import type { Lease } from '../../storage/image-store.ts';
import type { ContainerContext } from '../context.ts';
import { mergeHealthcheck, validateHealthcheck } from './health-policy.ts';
import {
  type HostLimits,
  hostLimits,
  normalizeDevices,
  normalizeUlimits,
  verifyResources,
} from './limits.ts';
import { logLimits } from './log-rotate.ts';
import type { ContainerConfig, ContainerRecord, HealthConfig, HostConfig } from './model.ts';
import { defaultHostname, resolveSharing } from './namespaces.ts';
import { createdState } from './state.ts';

export interface CreateRequest {
  name?: string;
  body: unknown;
}

const restartNames = new Set(['', 'no', 'always', 'unless-stopped', 'on-failure']);

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`invalid ${what}: expected an object`);
  return v as Record<string, unknown>;
}

function stringList(v: unknown, what: string): string[] | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw invalid(`json: cannot unmarshal ${typeof v} into Go struct field ${what} of type []string`);
  }
  return v as string[];
}

function num(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw invalid(`json: cannot unmarshal ${typeof v} into Go struct field ${what} of type int64`);
  }
  return v;
}

function bool(v: unknown, what: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean')
    throw invalid(`json: cannot unmarshal ${typeof v} into Go struct field ${what} of type bool`);
  return v;
}

function str(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string')
    throw invalid(`json: cannot unmarshal ${typeof v} into Go struct field ${what} of type string`);
  return v;
}

function mergeVolumes(
  image: Record<string, object> | null | undefined,
  request: Record<string, object>,
): Record<string, object> | null {
  const out = { ...(image ?? {}), ...request };
  return Object.keys(out).length ? out : null;
}

/** dockerd's merge: the request's variables as given, then the image's that the request does not set. */
function mergeEnv(image: string[], user: string[]): string[] {
  if (user.length === 0) return image;
  const key = (e: string) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);
  const set = new Set(user.map(key));
  return [...user, ...image.filter((e) => !set.has(key(e)))];
}

/**
 * HostConfig of a create request with Docker's defaults, validated as dockerd validates it; what the
 * host cannot do is dropped with a warning pushed to `warnings`.
 */
export function normalizeHostConfig(
  raw: Record<string, unknown>,
  host: HostLimits = hostLimits(),
  warnings: string[] = [],
): HostConfig {
  const rp = asObject(raw.RestartPolicy, 'RestartPolicy');
  const rpName = str(rp.Name, 'RestartPolicy.Name');
  if (!restartNames.has(rpName)) throw invalid(`invalid restart policy '${rpName}'`);
  const maxRetry = num(rp.MaximumRetryCount, 'RestartPolicy.MaximumRetryCount');
  // dockerd 20.10's words.
  if (maxRetry < 0) throw invalid('maximum retry count cannot be negative');
  if (maxRetry > 0 && rpName !== 'on-failure')
    throw invalid(`maximum retry count cannot be used with restart policy '${rpName}'`);
  const autoRemove = bool(raw.AutoRemove, 'AutoRemove');
  if (autoRemove && rpName !== '' && rpName !== 'no') {
    throw invalid(`conflicting options: cannot specify both --restart and --rm`);
  }
  const log = asObject(raw.LogConfig, 'LogConfig');
  const logType = str(log.Type, 'LogConfig.Type') || 'k8s-file';
  if (!['k8s-file', 'json-file', 'local'].includes(logType)) {
    throw invalid(`logger: no log driver named '${logType}' is registered`);
  }
  logLimits(asObject(log.Config, 'LogConfig.Config') as Record<string, string>);
  const tmpfs = asObject(raw.Tmpfs, 'Tmpfs') as Record<string, string>;
  for (const p of Object.keys(tmpfs)) {
    if (!p.startsWith('/'))
      throw invalid(
        `invalid mount config for type "tmpfs": invalid mount path: '${p}' mount path must be absolute`,
      );
  }
  const memory = num(raw.Memory, 'Memory');
  // dockerd: without --memory-swap a limited container may swap as much again as its memory.
  const memorySwap = num(raw.MemorySwap, 'MemorySwap') || (memory > 0 ? 2 * memory : 0);
  const shmSize = num(raw.ShmSize, 'ShmSize');
  if (shmSize < 0) throw invalid('SHM size can not be less than 0');
  const pids = raw.PidsLimit === undefined || raw.PidsLimit === null ? null : num(raw.PidsLimit, 'PidsLimit');
  const capAdd = stringList(raw.CapAdd, 'HostConfig.CapAdd');
  const capDrop = stringList(raw.CapDrop, 'HostConfig.CapDrop');
  applyCapChanges(defaultCapabilities, capAdd ?? [], capDrop ?? []); // validates names
  const networkMode = str(raw.NetworkMode, 'NetworkMode') || 'default';
  const hc: HostConfig = {
    ...raw,
    Binds: stringList(raw.Binds, 'HostConfig.Binds'),
    LogConfig: { Type: logType, Config: asObject(log.Config, 'LogConfig.Config') as Record<string, string> },
    NetworkMode: networkMode,
    PortBindings: (raw.PortBindings as Record<string, unknown>) ?? {},
    RestartPolicy: { Name: rpName as HostConfig['RestartPolicy']['Name'], MaximumRetryCount: maxRetry },
    AutoRemove: autoRemove,
    CapAdd: capAdd,
    CapDrop: capDrop,
    Dns: stringList(raw.Dns, 'HostConfig.Dns') ?? [],
    DnsOptions: stringList(raw.DnsOptions, 'HostConfig.DnsOptions') ?? [],
    DnsSearch: stringList(raw.DnsSearch, 'HostConfig.DnsSearch') ?? [],
    ExtraHosts: stringList(raw.ExtraHosts, 'HostConfig.ExtraHosts'),
    Privileged: bool(raw.Privileged, 'Privileged'),
    ReadonlyRootfs: bool(raw.ReadonlyRootfs, 'ReadonlyRootfs'),
    SecurityOpt: stringList(raw.SecurityOpt, 'HostConfig.SecurityOpt'),
    Tmpfs: Object.keys(tmpfs).length ? tmpfs : undefined,
    ShmSize: shmSize || 64 * 1024 * 1024,
    Runtime: str(raw.Runtime, 'Runtime'),
    Init: raw.Init === undefined || raw.Init === null ? null : bool(raw.Init, 'Init'),
    Memory: memory,
    MemorySwap: memorySwap,
    MemoryReservation: num(raw.MemoryReservation, 'MemoryReservation'),
    NanoCpus: num(raw.NanoCpus, 'NanoCpus'),
    CpuShares: num(raw.CpuShares, 'CpuShares'),
    CpuPeriod: num(raw.CpuPeriod, 'CpuPeriod'),
    CpuQuota: num(raw.CpuQuota, 'CpuQuota'),
    CpusetCpus: str(raw.CpusetCpus, 'CpusetCpus'),
    PidsLimit: pids,
    OomKillDisable: bool(raw.OomKillDisable, 'OomKillDisable'),
    Ulimits: normalizeUlimits(raw.Ulimits),
    Devices: normalizeDevices(raw.Devices),
  };
  warnings.push(...verifyResources(hc, host, false));
  return hc;
}

/**
 * A security option's key and value, as dockerd splits it: at the first `=`, else (the older form) at
 * the first `:`; the value kept whole (a seccomp profile's JSON has both).
 */
export function splitSecurityOpt(o: string): [key: string, value: string | undefined] {
  const at = o.includes('=') ? o.indexOf('=') : o.indexOf(':');
  return at < 0 ? [o, undefined] : [o.slice(0, at), o.slice(at + 1)];
}

function validateSecurityOpts(opts: string[] | null): void {
  for (const o of opts ?? []) {
    const [k, v] = splitSecurityOpt(o);
    if (k === 'no-new-privileges' && (v === undefined || v === 'true' || v === 'false')) continue;
    if (k === 'seccomp' && v !== undefined) continue;
    if (k === 'apparmor' || k === 'label') continue;
    throw invalid(`Invalid --security-opt: "${o}"`);
  }
}

export async function createContainer(
  ctx: ContainerContext,
  req: CreateRequest,
): Promise<{ Id: string; Warnings: string[] }> {
  // The image stays pinned until the container record that uses it is stored: a prune or rmi in
  // between cannot take it.
  const lease = ctx.images.lease();
  try {
    return await create(ctx, req, lease);
  } finally {
    lease.release();
  }
}

async function create(
  ctx: ContainerContext,
  req: CreateRequest,
  lease: Lease,
): Promise<{ Id: string; Warnings: string[] }> {
  const body = asObject(req.body, 'container config');
  const warnings: string[] = [];
  const hostConfig = normalizeHostConfig(
    asObject(body.HostConfig, 'HostConfig'),
    hostLimits(ctx.cgroups),
    warnings,
  );
  str(body.Hostname, 'Config.Hostname'); // a Hostname that is not a string is refused here
  resolveSharing(ctx, hostConfig, body);
  const userHealthcheck = (body.Healthcheck ?? undefined) as HealthConfig | undefined;
  validateHealthcheck(userHealthcheck);
  validateSecurityOpts(hostConfig.SecurityOpt);
  const imageRef = str(body.Image, 'Image');
  if (!imageRef) throw invalid('no image specified'); // wait: docker CLI always sends one
  const image = await ctx.images.resolve(imageRef, lease);
  if (!image) throw notFound(`No such image: ${imageRef}`);
  const ic = image.config.config ?? {};

  const userEntrypoint = stringList(body.Entrypoint, 'Config.Entrypoint');
  const userCmd = stringList(body.Cmd, 'Config.Cmd');
  const entrypoint = userEntrypoint ?? ic.Entrypoint ?? null;
  // Docker: an Entrypoint given on create resets the image's Cmd.
  const cmd = userCmd ?? (userEntrypoint ? null : (ic.Cmd ?? null));
  const argv = [...(entrypoint ?? []), ...(cmd ?? [])];
  if (argv.length === 0) throw invalid('no command specified');

  const stopSignal = str(body.StopSignal, 'Config.StopSignal') || ic.StopSignal || '';
  if (stopSignal) parseSignal(stopSignal);
  const labels = { ...(ic.Labels ?? {}), ...(asObject(body.Labels, 'Labels') as Record<string, string>) };

  const id = newId();
  const name = req.name ? ctx.store.checkName(req.name) : `/${randomName((n) => ctx.store.nameTaken(n))}`;
  const dir = ctx.store.dir(id);
  mkdirSync(dir, { recursive: true, mode: 0o710 });

  const config: ContainerConfig = {
    Hostname: str(body.Hostname, 'Config.Hostname') || defaultHostname(hostConfig, id),
    Domainname: str(body.Domainname, 'Config.Domainname'),
    User: str(body.User, 'Config.User') || ic.User || '',
    AttachStdin: bool(body.AttachStdin, 'Config.AttachStdin'),
    AttachStdout: bool(body.AttachStdout, 'Config.AttachStdout'),
    AttachStderr: bool(body.AttachStderr, 'Config.AttachStderr'),
    ExposedPorts: {
      ...(ic.ExposedPorts ?? {}),
      ...(asObject(body.ExposedPorts, 'ExposedPorts') as Record<string, object>),
    },
    Tty: bool(body.Tty, 'Config.Tty'),
    OpenStdin: bool(body.OpenStdin, 'Config.OpenStdin'),
    StdinOnce: bool(body.StdinOnce, 'Config.StdinOnce'),
    Env: mergeEnv(ic.Env ?? [], stringList(body.Env, 'Config.Env') ?? []),
    Cmd: cmd,
    Healthcheck: mergeHealthcheck(userHealthcheck, ic.Healthcheck),
    Image: imageRef,
    // Docker merges the image's VOLUMEs with the request's (`-v /x` lands here too).
    Volumes: mergeVolumes(ic.Volumes, asObject(body.Volumes, 'Volumes') as Record<string, object>),
    WorkingDir: str(body.WorkingDir, 'Config.WorkingDir') || ic.WorkingDir || '',
    Entrypoint: entrypoint,
    OnBuild: ic.OnBuild ?? null,
    Labels: labels,
    StopSignal: stopSignal || undefined,
    StopTimeout:
      body.StopTimeout === undefined || body.StopTimeout === null
        ? undefined
        : num(body.StopTimeout, 'Config.StopTimeout'),
  };
  if (config.WorkingDir && !config.WorkingDir.startsWith('/')) {
    throw invalid(`the working directory '${config.WorkingDir}' is invalid, it needs to be an absolute path`);
  }
  if (Object.keys(config.ExposedPorts ?? {}).length === 0) delete config.ExposedPorts;

  const joinsNetwork = hostConfig.NetworkMode.startsWith('container:');
  const rec: ContainerRecord = {
    Id: id,
    Name: name,
    Created: new Date(ctx.clock.now()).toISOString(),
    Path: argv[0],
    Args: argv.slice(1),
    Config: config,
    HostConfig: hostConfig,
    Image: image.id,
    State: createdState(),
    RestartCount: 0,
    ManuallyStopped: false,
    // Another container's network comes with its /etc files, taken at each start (namespaces.ts):
    // dockerd writes none of its own and shows none until then.
    HostnamePath: joinsNetwork ? '' : path.join(dir, 'hostname'),
    HostsPath: joinsNetwork ? '' : path.join(dir, 'hosts'),
    ResolvConfPath: joinsNetwork ? '' : path.join(dir, 'resolv.conf'),
    LogPath: path.join(dir, 'container.log'),
    Driver: 'overlay2',
    RuntimeName: '',
    ConmonPid: 0,
  };
  try {
    await ctx.network.prepare(rec, body.NetworkingConfig);
    await ctx.volumes.prepare(rec);
    if (!joinsNetwork) await writeEtcFiles(rec);
    await ctx.store.save(rec);
  } catch (err) {
    await ctx.volumes.release(rec, true).catch(() => undefined);
    await ctx.network.release(rec).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
  ctx.events.emit({
    Type: 'container',
    Action: 'create',
    Actor: { ID: id, Attributes: actorAttributes(rec) },
  });
  return { Id: id, Warnings: warnings };
}

export function actorAttributes(
  rec: ContainerRecord,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { ...rec.Config.Labels, image: rec.Config.Image, name: rec.Name.slice(1), ...extra };
}

/** A container event with Docker's actor attributes (labels, image, name, plus `extra`). */
export function emitContainerEvent(
  ctx: ContainerContext,
  rec: ContainerRecord,
  action: string,
  extra: Record<string, string> = {},
): void {
  ctx.events.emit({
    Type: 'container',
    Action: action,
    Actor: { ID: rec.Id, Attributes: actorAttributes(rec, extra) },
  });
}

async function writeEtcFiles(rec: ContainerRecord): Promise<void> {
  const hc = rec.HostConfig;
  // Not fsynced: every start rewrites what depends on the network; a crash mid-create leaves no record.
  await writeFileAtomic(rec.HostnamePath, `${rec.Config.Hostname}\n`, 0o644, false);
  let hosts =
    '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';
  for (const h of hc.ExtraHosts ?? []) {
    const i = h.indexOf(':');
    if (i <= 0)
      throw invalid(`invalid argument "${h}" for "--add-host" flag: invalid IP address in add-host: ""`);
    hosts += `${h.slice(i + 1).replace(/^\[|\]$/g, '')}\t${h.slice(0, i)}\n`;
  }
  // The container's own address is added when it gets one (at start); none, or the host's files, in
  // the host's network.
  if (hc.NetworkMode === 'host') hosts = await fs.readFile('/etc/hosts', 'utf8').catch(() => hosts);
  await Promise.all([
    writeFileAtomic(rec.HostsPath, hosts, 0o644, false),
    resolvConf(hc).then((text) => writeFileAtomic(rec.ResolvConfPath, text, 0o644, false)),
  ]);
}

async function resolvConf(hc: HostConfig): Promise<string> {
  let { nameservers: servers, search, options } = await hostResolvConf();
  if (hc.NetworkMode !== 'host') servers = servers.filter((s) => !s.startsWith('127.') && s !== '::1');
  if (hc.Dns?.length) servers = hc.Dns;
  if (hc.DnsSearch?.length) search = hc.DnsSearch;
  if (hc.DnsOptions?.length) options = hc.DnsOptions;
  // dockerd's order: search, nameservers, options.
  let out = search.length ? `search ${search.join(' ')}\n` : '';
  for (const s of servers) out += `nameserver ${s}\n`;
  if (options.length) out += `options ${options.join(' ')}\n`;
  return out;
}
