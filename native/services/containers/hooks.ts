import type { OciMount } from '../../runtime/mounts.ts';
import type { ContainerSpecInput } from '../../runtime/spec.ts';
import type { ContainerRecord } from './model.ts';

/**
 * The parts of a container that other services own (volumes and mounts, networks, healthchecks).
 * The container operations call them at fixed points of the life cycle; each service implements its
 * part in its own module and the engine wires it in. The defaults do nothing.
 */
export interface ContainerVolumes {
  /** At create: validates Binds/Mounts/Volumes, creates named and anonymous volumes, records them. */
  prepare(rec: ContainerRecord): Promise<void>;
  /** At start, after the rootfs is mounted: the OCI mounts of the container (copy-up happens here). */
  mounts(rec: ContainerRecord, rootfs: string): Promise<OciMount[]>;
  /** At remove: forgets the container's use of its volumes; removes anonymous ones when `removeVolumes`. */
  release(rec: ContainerRecord, removeVolumes: boolean): Promise<void>;
  /** `Mounts` of inspect and of `docker ps`. */
  view(rec: ContainerRecord): object[];
}

export interface ContainerNetwork {
  /** At create: validates NetworkMode, NetworkingConfig and PortBindings; records endpoints. */
  prepare(rec: ContainerRecord, networkingConfig: unknown): Promise<void>;
  /**
   * At start, before the runtime creates the container: the network namespace it joins, and the
   * setup of its interfaces, which may finish while the runtime creates the container (`ready`
   * must settle before the container's process starts). `pins` (unshare flags such as `--ipc=FILE`)
   * are pinned with its new network namespace, which is then made and set up in one go (`pinned`: they
   * were; no namespace is made for host, none or container: networks).
   */
  attach(
    rec: ContainerRecord,
    opts?: { pins?: string[] },
  ): Promise<{ network: ContainerSpecInput['network']; ready?: Promise<void>; pinned?: boolean }>;
  /** After the container stopped (or failed to start): tears down its interfaces and published ports. */
  detach(rec: ContainerRecord): Promise<void>;
  /** At remove: frees addresses and forgets endpoints. */
  release(rec: ContainerRecord): Promise<void>;
  /** `NetworkSettings` of inspect. */
  view(rec: ContainerRecord): object;
  /** `Ports` of `docker ps`. */
  ports(rec: ContainerRecord): object[];
}

export interface ContainerHealth {
  /** The container started: begin probing if it has a healthcheck. */
  started(rec: ContainerRecord): void;
  /** The container stopped: stop probing. */
  stopped(rec: ContainerRecord): void;
}

export const noVolumes: ContainerVolumes = {
  prepare: async () => undefined,
  mounts: async () => [],
  release: async () => undefined,
  view: () => [],
};

export const noHealth: ContainerHealth = { started: () => undefined, stopped: () => undefined };
