// Kubernetes' channel protocols over WebSocket (k8s.io/streaming's wsstream): every message is one
// channel's data, the channel in the first byte (binary) or as an ASCII digit before base64 (text).
// Remote command (exec, attach): 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize; v4 makes the error
// channel a metav1.Status, v5 adds 255 "close" (the client closed a stream, e.g. stdin). Port-forward
// (v4): for the n-th port, data on 2n and errors on 2n+1, each opened by the port in two bytes LE.
import type { Status } from '../status.ts';

export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export interface ChannelProtocol {
  /** The Sec-WebSocket-Protocol value ('' when the client named none). */
  name: string;
  base64: boolean;
  /** The error channel carries a metav1.Status (v4+) rather than a message. */
  statusErrors: boolean;
  /** The client may close a stream with channel 255 (v5). */
  streamClose: boolean;
}

const protocol = (name: string, base64: boolean, statusErrors: boolean, streamClose = false) => ({
  name,
  base64,
  statusErrors,
  streamClose,
});

/** Exec and attach, in the order the kubelet lists them (the client's order decides). */
export const remoteCommandProtocols: readonly ChannelProtocol[] = [
  protocol('v5.channel.k8s.io', false, true, true),
  protocol('v4.channel.k8s.io', false, true),
  protocol('v4.base64.channel.k8s.io', true, true),
  protocol('channel.k8s.io', false, false),
  protocol('base64.channel.k8s.io', true, false),
  protocol('', false, false),
];

/** Port-forward over channels, as the kubelet serves it (client-node's PortForward picks v4). */
export const portForwardProtocols: readonly ChannelProtocol[] = [
  protocol('v4.channel.k8s.io', false, false),
  protocol('v4.base64.channel.k8s.io', true, false),
  protocol('', false, false),
];

export const protocolNamed = (list: readonly ChannelProtocol[], name: string) =>
  list.find((p) => p.name === name);

/** One channel's data as a message: the bytes to send and whether the message is binary. */
export function encodeChannel(p: ChannelProtocol, channel: number, data: Buffer): [Buffer | string, boolean] {
  if (p.base64) return [String.fromCharCode(0x30 + channel) + data.toString('base64'), false];
  const out = Buffer.allocUnsafe(data.length + 1);
  out[0] = channel;
  data.copy(out, 1);
  return [out, true];
}

/** A received message as channel and data; undefined for an empty one (there is no channel). */
export function decodeChannel(
  p: ChannelProtocol,
  message: Buffer,
  binary: boolean,
): { channel: number; data: Buffer } | undefined {
  if (message.length === 0) return undefined;
  if (p.base64 && !binary)
    return { channel: message[0] - 0x30, data: Buffer.from(message.subarray(1).toString(), 'base64') };
  return { channel: message[0], data: message.subarray(1) };
}

/** How a command ended: its exit code, or why it could not run. */
export type CommandResult = { exitCode: number } | { error: string };

/**
 * The error channel's payload for a result, as the kubelet writes it: a Status for v4+ (Success, or
 * Failure with reason NonZeroExitCode and an ExitCode cause, from which kubectl takes its own exit
 * code), the message alone for older protocols (nothing on success).
 */
export function errorChannelPayload(p: ChannelProtocol, result: CommandResult): Buffer | undefined {
  const status = resultStatus(result);
  if (p.statusErrors) return Buffer.from(JSON.stringify(status));
  return status.status === 'Success' ? undefined : Buffer.from(status.message ?? '');
}

export function resultStatus(result: CommandResult): Omit<Status, 'code'> & { code?: number } {
  if ('error' in result)
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `Internal error occurred: error executing command in container: ${result.error}`,
      reason: 'InternalError',
      details: { causes: [{ reason: '', message: result.error }] },
      code: 500,
    };
  if (result.exitCode === 0) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command, exit code ${result.exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(result.exitCode) }] },
  };
}

/** A resize message (`{"Width":80,"Height":24}`) as a terminal size; undefined when malformed. */
export function parseResize(data: Buffer): { width: number; height: number } | undefined {
  try {
    const v = JSON.parse(data.toString()) as Record<string, unknown>;
    // The kubelet decodes with Go's encoding/json, which matches field names without regard to case:
    // kubectl sends {"Width","Height"}, client-node {"width","height"}.
    const field = (name: string) => {
      const key = Object.keys(v).find((k) => k.toLowerCase() === name);
      return key === undefined ? undefined : v[key];
    };
    const width = Number(field('width'));
    const height = Number(field('height'));
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) return undefined;
    return { width, height };
  } catch {
    return undefined;
  }
}

/** The first message on a port-forward channel: the port, two bytes little-endian. */
export function portPrefix(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port, 0);
  return b;
}
