/** The runtime part of an image config (Docker's `container_config`-style capitalised fields). */
export interface ImageRuntimeConfig {
  User?: string;
  Env?: string[];
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  StopSignal?: string;
  Healthcheck?: {
    Test?: string[];
    Interval?: number;
    Timeout?: number;
    StartPeriod?: number;
    StartInterval?: number;
    Retries?: number;
  } | null;
  OnBuild?: string[] | null;
  Shell?: string[] | null;
  ArgsEscaped?: boolean;
  /** The image the config was made from, as dockerd's builder records it (its parent's ID). */
  Image?: string;
}

export interface ImageHistory {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
  author?: string;
}

/** An OCI / Docker image config blob; its sha256 is the image ID. */
export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  comment?: string;
  /** The container `docker commit` (or a build step) made the image from. */
  container?: string;
  config?: ImageRuntimeConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: ImageHistory[];
}

/** Docker's name for the host architecture (amd64, arm64…). */
export const hostArchitecture = process.arch === 'x64' ? 'amd64' : process.arch;
