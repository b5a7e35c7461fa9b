// A terminal in a pod's container: an exec with a TTY over the API server's exec WebSocket
// (client-node's Exec: v5.channel.k8s.io, else v4), driven as a terminal session's process. Sizes go
// on the resize channel (4) as kubectl writes them, `{"Width":…,"Height":…}`: client-node's own queue
// writes the keys in lower case, which a kubelet's Go decoder takes but a stricter server (berthd's)
// does not. The exit code comes in the error channel's Status. Closing the WebSocket ends the session:
// the server ends stdin and the command's terminal, as kubectl's Ctrl-D or a lost link does.
import { PassThrough } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import type WebSocket from 'isomorphic-ws';
import { HandlerError } from '../ipc/errors.ts';
import type { TerminalProcess } from '../terminals/terminal-session.ts';
import { kubeJson } from './kube-request.ts';

export interface PodExecTarget {
  context: string;
  namespace: string;
  pod: string;
  container?: string;
  cmd?: string[];
}

export interface PodTerminal {
  process: TerminalProcess;
  container: string;
  command: string[];
}

/** Opens the exec: the seam the terminal sessions call for a `pod` target. */
export type PodExecSpawner = (
  target: PodExecTarget,
  size: { cols: number; rows: number },
) => Promise<PodTerminal>;

/**
 * The shell a pod's terminal runs when none is asked for: bash where the image has it, else sh (as
 * Lens and Headlamp do), so that line editing works in the images that allow it.
 */
export const defaultShell = ['/bin/sh', '-c', 'command -v bash >/dev/null 2>&1 && exec bash || exec sh'];

/** The exit code a Status says: Success is 0, NonZeroExitCode carries it in a cause; else unknown. */
export function exitCodeOf(status: V1Status | undefined): number | null {
  if (!status) return null;
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const n = Number(cause?.message);
  return cause && Number.isInteger(n) ? n : null;
}

/** The resize channel's message: the channel byte, then the size as kubectl's TerminalSize JSON. */
export function resizeMessage(cols: number, rows: number): Buffer {
  return Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: cols, Height: rows }))]);
}

class PodExecProcess implements TerminalProcess {
  private readonly early: string[] = [];
  private dataListener: ((d: string) => void) | null = null;
  private exitListener: ((code: number | null) => void) | null = null;
  private exitCode: number | null | undefined;
  private status: V1Status | undefined;
  private socket: WebSocket.WebSocket | null = null;
  private readonly exited: Promise<void>;
  private markExited = () => {};

  constructor(
    readonly stdout: PassThrough,
    readonly stdin: PassThrough,
    private size: { cols: number; rows: number },
  ) {
    this.exited = new Promise((r) => {
      this.markExited = r;
    });
    stdout.setEncoding('utf8');
    stdout.on('data', (d: string) => {
      if (this.dataListener) this.dataListener(d);
      else this.early.push(d);
    });
  }

  attach(ws: WebSocket.WebSocket): void {
    this.socket = ws;
    this.sendSize();
    ws.on('close', () => this.end());
    ws.on('error', () => this.end());
  }

  onStatus(status: V1Status): void {
    this.status = status;
  }

  private end(): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = exitCodeOf(this.status);
    this.markExited();
    this.exitListener?.(this.exitCode);
  }

  onData(listener: (data: string) => void): void {
    this.dataListener = listener;
    for (const d of this.early.splice(0)) listener(d);
  }

  onExit(listener: (code: number | null) => void): void {
    this.exitListener = listener;
    if (this.exitCode !== undefined) listener(this.exitCode);
  }

  write(data: string): void {
    this.stdin.write(data);
  }

  async resize(cols: number, rows: number): Promise<void> {
    this.size = { cols, rows };
    this.sendSize();
  }

  private sendSize(): void {
    const ws = this.socket;
    if (ws && ws.readyState === ws.OPEN) ws.send(resizeMessage(this.size.cols, this.size.rows));
  }

  async kill(): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.socket?.close();
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 3000))]);
    if (this.exitCode === undefined) {
      this.socket?.terminate();
      this.end();
    }
  }
}

interface PodSpecView {
  spec?: { containers?: { name: string }[] };
  metadata?: { annotations?: Record<string, string> };
  status?: { phase?: string };
}

/** The container kubectl picks without `-c`: the default-container annotation, else the first. */
async function pickContainer(kc: KubeConfig, t: PodExecTarget): Promise<string> {
  if (t.container) return t.container;
  const pod = await kubeJson<PodSpecView>(kc, {
    path: `/api/v1/namespaces/${encodeURIComponent(t.namespace)}/pods/${encodeURIComponent(t.pod)}`,
  });
  const names = pod.spec?.containers?.map((c) => c.name) ?? [];
  const preferred = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  const name = preferred && names.includes(preferred) ? preferred : names[0];
  if (!name) throw new HandlerError('not_found', 'kube.no_container', `pod ${t.pod} has no container`);
  return name;
}

export function podExecSpawner(configFor: (context: string) => KubeConfig): PodExecSpawner {
  return async (t, size) => {
    const kc = configFor(t.context);
    const container = await pickContainer(kc, t);
    const command = t.cmd?.length ? t.cmd : defaultShell;
    const stdout = new PassThrough();
    const stdin = new PassThrough();
    const proc = new PodExecProcess(stdout, stdin, size);
    let ws: WebSocket.WebSocket;
    try {
      ws = await new Exec(kc).exec(t.namespace, t.pod, container, command, stdout, null, stdin, true, (s) =>
        proc.onStatus(s),
      );
    } catch (err) {
      const m = err instanceof Error ? err.message : String(err);
      throw new HandlerError(
        /404/.test(m) ? 'not_found' : 'unreachable',
        'kube.exec_failed',
        `cannot open a terminal in ${t.pod}/${container}: ${m}`,
      );
    }
    proc.attach(ws);
    return { process: proc, container, command };
  };
}
