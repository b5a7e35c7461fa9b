// What the streaming subresources ask of whoever runs the pods (the kubelet): run a command in a
// container, attach to one, open a connection to a pod's port. The protocol layer (WebSocket, the
// channel protocols, SPDY for port-forward) stays here; a backend sees typed arguments, async
// iterables and a Duplex, like the engine's container interface it sits on.
import type { Duplex } from 'node:stream';
import type { StdioChunk } from '../../../services/stdio.ts';
import type { KubeObject } from '../registry.ts';
import { badRequest } from '../status.ts';

export interface TerminalSize {
  width: number;
  height: number;
}

export interface StreamOptions {
  /** The client's input; its end is the client closing stdin. Absent when stdin was not asked for. */
  stdin?: AsyncIterable<Buffer>;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  /** Terminal sizes as the client's window changes (tty only). */
  resize?: AsyncIterable<TerminalSize>;
  /** Aborted when the client goes away before the output ends (stop the exec, let go of the attach). */
  signal: AbortSignal;
}

/**
 * Exec and attach. Each resolves once the command (or attachment) is under way, or rejects before
 * anything is sent — the rejection (an ApiError, or an engine error) answers the upgrade, since a
 * failure after it leaves kubectl unable to fall back. The output is the engine's stdio chunks;
 * an exec's ends with `{stream: 'exit', code}`, which becomes the error channel's Status. An
 * attachment ends when the container's output does.
 */
export interface RemoteCommandBackend {
  exec(
    pod: KubeObject,
    container: string,
    command: string[],
    opts: StreamOptions,
  ): Promise<AsyncIterable<StdioChunk>>;
  attach(pod: KubeObject, container: string, opts: StreamOptions): Promise<AsyncIterable<StdioChunk>>;
}

/** Port-forward: a connection to the pod's port (in its network namespace). */
export interface PortForwardBackend {
  connect(pod: KubeObject, port: number): Promise<Duplex>;
}

/** What the kubelet answers for a container that is not running, in its words (kubectl shows them). */
export const containerNotFound = (container: string) => badRequest(`container not found ("${container}")`);
