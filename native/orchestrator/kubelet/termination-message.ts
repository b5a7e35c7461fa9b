// Termination messages, as kubelet 1.32 reads them: each container gets a file of its own under the
// pod's folder (`containers/<name>/<attempt>`, made empty before the container starts, writable by any
// user) bind-mounted at its terminationMessagePath; when the container has exited, the last 4096 bytes
// of that file are its `state.terminated.message`, or, with FallbackToLogsOnError, an empty file and a
// non-zero exit, the last 80 lines (at most 2048 bytes) of its log. The status then keeps each
// message to its share of 12 KiB over all the pod's containers (the status manager's normalizeStatus).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ContainerInfo, ContainerOperations } from '../../services/containers/operations.ts';
import { attemptOf, Label } from './names.ts';
import { podDir } from './volumes.ts';

type Obj = Record<string, unknown>;

export const maxContainerMessageBytes = 4096;
export const maxPodMessageBytes = 12 * 1024;
export const maxLogMessageBytes = 2048;
export const maxLogMessageLines = 80;

const messagePath = (c: Obj) =>
  c.terminationMessagePath === undefined ? '/dev/termination-log' : String(c.terminationMessagePath);

export const terminationFile = (root: string, uid: string, container: string, attempt: number) =>
  path.join(podDir(root, uid), 'containers', container, String(attempt));

/**
 * Makes the container's (empty) message file and returns its bind, or nothing when the container asks
 * for no message (an empty path). Mode 0666: a container running as any user may write it.
 */
export async function terminationBind(
  root: string,
  uid: string,
  c: Obj,
  attempt: number,
): Promise<string | undefined> {
  const at = messagePath(c);
  if (!at) return undefined;
  const file = terminationFile(root, uid, String(c.name), attempt);
  // The kubelet's own small file: synchronous calls (core/fsutil.ts says why).
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '');
  chmodSync(file, 0o666);
  return `${file}:${at}:rw`;
}

/** The last `max` bytes of a file (kubelet's tail.ReadAtMost); undefined when there is none. */
async function readTail(file: string, max: number): Promise<Buffer | undefined> {
  const h = await fs.open(file, 'r').catch(() => undefined);
  if (!h) return undefined;
  try {
    const { size } = await h.stat();
    const len = Math.min(size, max);
    const buf = Buffer.alloc(len);
    await h.read(buf, 0, len, size - len);
    return buf;
  } finally {
    await h.close();
  }
}

/** The tail of a container's log for FallbackToLogsOnError: 80 lines, then their last 2048 bytes. */
async function logTail(ops: ContainerOperations, id: string): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of ops.logs(id, { tail: maxLogMessageLines })) chunks.push(Buffer.from(c.text));
  } catch {
    return '';
  }
  const all = Buffer.concat(chunks);
  return all.subarray(Math.max(0, all.length - maxLogMessageBytes)).toString();
}

/** The message of an exited container (its spec `c`), or '' when it left none. */
export async function terminationMessage(
  ops: ContainerOperations,
  root: string,
  info: ContainerInfo,
  c: Obj,
): Promise<string> {
  const fallback =
    c.terminationMessagePolicy === 'FallbackToLogsOnError' &&
    info.State.ExitCode !== 0 &&
    info.State.Status !== 'created';
  let data: Buffer | undefined;
  if (messagePath(c)) {
    const file = terminationFile(
      root,
      info.Labels[Label.podUid] ?? '',
      info.Labels[Label.containerName] ?? '',
      attemptOf(info.Labels),
    );
    data = await readTail(file, maxContainerMessageBytes).catch(() => undefined);
  }
  if (data?.length) return data.toString();
  return fallback ? logTail(ops, info.Id) : '';
}

/** A message cut to the first `max` bytes, on a character boundary. */
export function truncateBytes(message: string, max: number): string {
  const buf = Buffer.from(message);
  if (buf.length <= max) return message;
  let end = max;
  // Back off a cut through a multi-byte character (its continuation bytes are 10xxxxxx).
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString();
}
