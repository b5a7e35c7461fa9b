// The machine's seam to the host: files, processes, QMP and probes. Providers and MachineManager reach the
// operating system only through this, so unit tests run them against FakeHost (fake-host.ts) and the real
// tests against nodeHost (node-host.ts). vm does not import native/, so this is its own, smaller Sys.

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** stdout and stderr are appended to this file (a long-lived process must not fill a pipe nobody reads). */
  outputFile?: string;
  /**
   * The process outlives this one and its terminal's signals: a machine `berth start` started keeps
   * running after the CLI exits, and a later process attaches to it.
   */
  detached?: boolean;
}

/** A process a provider started and watches. */
export interface HostProcess {
  readonly pid: number;
  /** Settles once it has ended (a failure to start at all is an exit with code 127). */
  readonly exited: Promise<ExitStatus>;
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
}

export interface Host {
  readonly platform: 'linux' | 'darwin' | 'win32';
  readonly arch: 'x64' | 'arm64';
  readonly isRoot: boolean;
  readonly homedir: string;
  /** The host kernel's release: a remembered accelerator verdict is for one kernel. */
  readonly kernelRelease: string;

  readText(file: string): Promise<string | null>;
  /** The bytes of `file` from `offset` to its end (empty when it is missing or not longer). */
  readFrom(file: string, offset: number): Promise<Buffer>;
  /** Replaces `file` whole (temp file + rename), creating its directory. */
  writeFile(file: string, data: string | Buffer, mode?: number): Promise<void>;
  appendFile(file: string, data: string): Promise<void>;
  /**
   * Unpacks the gzip file `source` into `file` (temp file + rename), streamed on the thread pool: a
   * kernel's tens of megabytes are never held whole, and the caller's other work goes on meanwhile.
   */
  gunzipFile(source: string, file: string): Promise<void>;
  exists(file: string): Promise<boolean>;
  /** Whether this process may read and write it (a /dev/kvm that exists may still be closed to us). */
  readWrite(file: string): Promise<boolean>;
  mkdir(dir: string): Promise<void>;
  /** Removes a file or a whole directory; no error when it is missing. */
  remove(file: string): Promise<void>;

  /** The full path of an executable on PATH, or null. */
  which(command: string): Promise<string | null>;
  run(command: string, args: string[], opts?: { timeoutMs?: number }): Promise<RunResult>;
  spawn(command: string, args: string[], opts?: SpawnOptions): HostProcess;
  /** Whether a process of that pid exists. */
  alive(pid: number): boolean;
  kill(pid: number, signal: 'SIGTERM' | 'SIGKILL'): void;

  /** One QMP command over the unix socket: capabilities negotiated, the command's `return` value. */
  qmp(socket: string, command: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<unknown>;
  /** A TCP port on 127.0.0.1 that nothing listens on right now. */
  freePort(): Promise<number>;
  /** Whether a Docker API answers `GET /_ping` on this unix socket. */
  pingDocker(socket: string, timeoutMs: number): Promise<boolean>;
}
