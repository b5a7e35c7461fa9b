// The volume side the orchestrator holds (as it holds operations.ts for containers): the engine's
// named volumes, which back PersistentVolumes of the default `local-path` StorageClass, so that a
// claim's data is a volume `docker volume ls` shows.
export interface VolumeOperations {
  /** Makes the volume (the one there is returned as it is); resolves with where its data lives. */
  create(name: string, labels: Record<string, string>): Promise<{ Mountpoint: string }>;
  /** Removes it; a volume that is gone already is not an error, one still in use is (conflict). */
  remove(name: string): Promise<void>;
}
