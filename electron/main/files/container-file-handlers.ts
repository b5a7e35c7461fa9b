// The Files tab of a container: list, preview, download, upload and new folder through the archive API
// (stopped containers too); delete through `rm -rf` run in the container, since the engine has no
// API for it, so only while the container runs.
import { PassThrough, type Readable } from 'node:stream';
import type { ContainerFileListing, FilePreview, TransferTicket } from '../../contract/index.ts';
import type { EngineClient } from '../engine/engine-client.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';
import {
  containerTarget,
  listFolder,
  makeFolder,
  normalizePath,
  openFile,
  putTar,
  statPath,
} from './container-files.ts';
import { previewBytesFor, previewOf, readHead } from './file-preview.ts';
import type { Transfers } from './transfers.ts';

export type ContainerFileChannels =
  | 'containers.files'
  | 'containers.preview'
  | 'containers.download'
  | 'containers.upload'
  | 'containers.mkdir'
  | 'containers.deletePath';

/** Everything a stream sends, until it ends (an exec's multiplexed output, headers stripped). */
async function output(client: EngineClient, stream: Readable): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => {
    if (text.length < 4096) text += d.toString();
  });
  client.docker.modem.demuxStream(stream, out, out);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  return text.trim();
}

/** `rm -rf -- path` in the running container, as root. */
async function removeInContainer(client: EngineClient, id: string, path: string): Promise<void> {
  const container = client.docker.getContainer(id);
  const info = await container.inspect();
  const name = info.Name.replace(/^\//, '');
  if (!info.State.Running || info.State.Paused) {
    throw new HandlerError(
      'conflict',
      'container.not_running',
      `${name} is ${info.State.Paused ? 'paused' : 'stopped'}: a container's files can be deleted only while ` +
        `it runs (the engine deletes nothing in a stopped container). Start ${name}, then delete ${path}.`,
    );
  }
  const exec = await container.exec({
    Cmd: ['rm', '-rf', '--', path],
    AttachStdout: true,
    AttachStderr: true,
    User: '0',
  });
  const said = await output(client, (await exec.start({ hijack: true, stdin: false })) as Readable);
  const { ExitCode } = await exec.inspect();
  if (ExitCode === 0) return;
  if (ExitCode === 126 || ExitCode === 127 || /executable file not found|not found in \$PATH/.test(said)) {
    throw new HandlerError(
      'unsupported',
      'container.no_rm',
      `${name} has no rm command, so its files cannot be deleted here: ${said || `exit code ${ExitCode}`}`,
    );
  }
  throw new HandlerError(
    'internal',
    'container.rm_failed',
    `cannot delete ${path}: ${said || `exit code ${ExitCode}`}`,
  );
}

export function containerFileHandlers(
  client: EngineClient,
  transfers: Transfers,
): Pick<InvokeHandlers, ContainerFileChannels> {
  const target = (id: string) => containerTarget(client, id);
  return {
    async 'containers.files'({ id, path }): Promise<ContainerFileListing> {
      return listFolder(target(id), path);
    },

    async 'containers.preview'({ id, path }): Promise<FilePreview> {
      const file = await openFile(target(id), path);
      const head = await readHead(file.stream, previewBytesFor(file.name, file.size));
      return previewOf(file.name, file.size, head);
    },

    async 'containers.download'({ id, path }): Promise<TransferTicket> {
      const file = await openFile(target(id), path);
      return transfers.download({ name: file.name, size: file.size, body: file.stream });
    },

    async 'containers.upload'({ id, path }): Promise<TransferTicket> {
      const t = target(id);
      const dir = normalizePath(path);
      const st = await statPath(t, dir === '/' ? '/' : `${dir}/`, dir);
      if (st.type !== 'dir') {
        throw new HandlerError('invalid_argument', 'files.not_a_folder', `${dir} is not a folder`);
      }
      const sink = new PassThrough();
      return transfers.upload({ name: dir, sink, done: putTar(t, dir, sink) });
    },

    async 'containers.mkdir'({ id, path }) {
      await makeFolder(target(id), path);
    },

    async 'containers.deletePath'({ id, path }) {
      const file = normalizePath(path);
      if (file === '/' || file.split('/').includes('..')) {
        throw new HandlerError('invalid_argument', 'files.bad_path', `${path} cannot be deleted here`);
      }
      await statPath(target(id), file);
      await removeInContainer(client, id, file);
    },
  };
}
