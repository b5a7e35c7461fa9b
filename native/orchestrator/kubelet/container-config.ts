// The engine's create bodies for a pod's sandbox and containers: what `docker run` flags a
// Docker-backed kubelet (cri-dockerd) would have passed. The sandbox holds the pod's network and IPC
// namespaces and its hostname (as files, with no process, unless the pod shares its PID namespace);
// each container joins them (`--network container:<sandbox>`, `--ipc container:<sandbox>`, and its PID
// namespace with shareProcessNamespace); resources become cgroup limits (limits.cpu → NanoCpus,
// requests.cpu → CpuShares, limits.memory → Memory).

import { pinnedRuntime } from '../../services/containers/operations.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { bytes, milliCpu } from './quantity.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const strings = (v: unknown): string[] | null => (Array.isArray(v) ? v.map(String) : null);

export function sandboxConfig(
  pod: KubeObject,
  image: string,
  labels: Record<string, string>,
  clusterDNS?: { ip: string; domain: string },
): Obj {
  const spec = obj(pod.spec);
  const hostNetwork = spec.hostNetwork === true;
  const dns = podDns(pod, clusterDNS);
  const extraHosts = list(spec.hostAliases).flatMap((a) =>
    (strings(a.hostnames) ?? []).map((h) => `${h}:${a.ip}`),
  );
  return {
    Image: image,
    Hostname: hostNetwork ? '' : String(spec.hostname ?? pod.metadata?.name),
    Domainname: '',
    Labels: labels,
    Env: [],
    HostConfig: {
      // No process unless the pod shares one PID namespace, whose first process the pause must be
      // (CRI-O's drop_infra_ctr): the network and IPC namespaces are held as files.
      ...(spec.shareProcessNamespace === true ? {} : { Runtime: pinnedRuntime }),
      NetworkMode: hostNetwork ? 'host' : 'bridge',
      IpcMode: spec.hostIPC === true ? 'host' : 'shareable',
      PidMode: spec.hostPID === true ? 'host' : '',
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      ExtraHosts: extraHosts.length ? extraHosts : null,
      ...dns,
      // A sandbox is a few KiB of memory; its cgroup still counts, so give it a small share.
      CpuShares: 2,
      // Its one process is the engine's pause, which makes one system call for ever: a filter guards
      // nothing there, and compiling Docker's profile was a tenth of a pod start's runtime CPU.
      // cri-dockerd makes sandboxes the same way (unconfined unless the pod asks for a profile).
      SecurityOpt: ['seccomp=unconfined'],
    },
  };
}

/**
 * The pod's resolv.conf as the kubelet writes it: for ClusterFirst (the default) the cluster DNS with
 * Kubernetes' search list (`<ns>.svc.<domain> svc.<domain> <domain>`) and ndots:5; for Default, the
 * host's (the engine's own); for None, only what dnsConfig says. dnsConfig's nameservers, searches and
 * options are added to any policy's.
 */
export function podDns(
  pod: KubeObject,
  clusterDNS: { ip: string; domain: string } | undefined,
): { Dns?: string[]; DnsSearch?: string[]; DnsOptions?: string[] } {
  const spec = obj(pod.spec);
  const policy = String(spec.dnsPolicy ?? 'ClusterFirst');
  const cfg = obj(spec.dnsConfig);
  const extra = {
    servers: strings(cfg.nameservers) ?? [],
    searches: strings(cfg.searches) ?? [],
    options: list(cfg.options).map((o) => (o.value !== undefined ? `${o.name}:${o.value}` : String(o.name))),
  };
  const clusterFirst =
    clusterDNS &&
    (policy === 'ClusterFirst' ? spec.hostNetwork !== true : policy === 'ClusterFirstWithHostNet');
  if (clusterFirst) {
    const ns = pod.metadata?.namespace ?? 'default';
    const d = clusterDNS.domain;
    return {
      Dns: [clusterDNS.ip, ...extra.servers],
      DnsSearch: [`${ns}.svc.${d}`, `svc.${d}`, d, ...extra.searches],
      DnsOptions: ['ndots:5', ...extra.options.filter((o) => !o.startsWith('ndots'))],
    };
  }
  if (policy === 'None' || extra.servers.length || extra.searches.length || extra.options.length)
    return {
      ...(extra.servers.length ? { Dns: extra.servers } : {}),
      ...(extra.searches.length ? { DnsSearch: extra.searches } : {}),
      ...(extra.options.length ? { DnsOptions: extra.options } : {}),
    };
  return {};
}

/** The cgroup values of a container's resources. */
export function resourcesOf(container: Obj): { NanoCpus: number; CpuShares: number; Memory: number } {
  const r = obj(container.resources);
  const limits = obj(r.limits);
  const requests = obj(r.requests);
  const cpuLimit = milliCpu(limits.cpu);
  const cpuRequest = milliCpu(requests.cpu ?? limits.cpu);
  const memory = bytes(limits.memory);
  return {
    NanoCpus: cpuLimit ? cpuLimit * 1_000_000 : 0,
    // The kubelet's MilliCPUToShares: at least 2, 1024 per core; 2 for a container that asks for nothing.
    CpuShares: cpuRequest ? Math.max(2, Math.floor((cpuRequest * 1024) / 1000)) : 2,
    Memory: memory ?? 0,
  };
}

export interface ContainerConfigInput {
  pod: KubeObject;
  container: Obj;
  sandboxId: string;
  env: string[];
  binds: string[];
  labels: Record<string, string>;
  /**
   * The engine's seccomp option: none for the default profile (unset and RuntimeDefault: the kubelet's
   * --seccomp-default, on here — security by default), `seccomp=unconfined`, or a Localhost profile's JSON.
   */
  seccomp?: string;
  /** An ephemeral container's target (targetContainerName): the engine container whose PID namespace it joins. */
  pidTarget?: string;
}

export function containerConfig(input: ContainerConfigInput): Obj {
  const { pod, container: c, sandboxId } = input;
  const spec = obj(pod.spec);
  const sc = obj(c.securityContext);
  const psc = obj(spec.securityContext);
  const uid = sc.runAsUser ?? psc.runAsUser;
  const gid = sc.runAsGroup ?? psc.runAsGroup;
  const user = uid === undefined ? '' : gid === undefined ? String(uid) : `${uid}:${gid}`;
  const caps = obj(sc.capabilities);
  const hostNetwork = spec.hostNetwork === true;
  const grace = Number(spec.terminationGracePeriodSeconds ?? 30);
  return {
    Image: String(c.image),
    // command replaces the image's ENTRYPOINT (and then its CMD too), args its CMD: Docker's merge
    // of Entrypoint and Cmd at create is the same rule.
    Entrypoint: strings(c.command),
    Cmd: strings(c.args),
    Env: input.env,
    WorkingDir: String(c.workingDir ?? ''),
    User: user,
    Tty: c.tty === true,
    OpenStdin: c.stdin === true,
    StdinOnce: c.stdinOnce === true,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Labels: input.labels,
    StopTimeout: grace,
    // Only in the host's network: dockerd refuses exposed ports with another container's network.
    ExposedPorts:
      hostNetwork && list(c.ports).length
        ? Object.fromEntries(
            list(c.ports).map((p) => [`${p.containerPort}/${String(p.protocol ?? 'TCP').toLowerCase()}`, {}]),
          )
        : null,
    HostConfig: {
      NetworkMode: hostNetwork ? 'host' : `container:${sandboxId}`,
      IpcMode: spec.hostIPC === true ? 'host' : `container:${sandboxId}`,
      PidMode:
        spec.hostPID === true
          ? 'host'
          : spec.shareProcessNamespace === true
            ? `container:${sandboxId}`
            : input.pidTarget
              ? `container:${input.pidTarget}`
              : '',
      Binds: input.binds.length ? input.binds : null,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      Privileged: sc.privileged === true,
      ReadonlyRootfs: sc.readOnlyRootFilesystem === true,
      CapAdd: strings(caps.add),
      CapDrop: strings(caps.drop),
      SecurityOpt: input.seccomp ? [input.seccomp] : null,
      ...resourcesOf(c),
    },
  };
}
