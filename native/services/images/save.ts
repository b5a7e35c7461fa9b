import { createReadStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { hexOf } from '../../storage/content-store.ts';
import type { ImageConfig, ImageRecord, ImageStore } from '../../storage/image-store.ts';
import { familiarName, parseReference } from '../../storage/reference.ts';

const epoch = new Date(0);

function addEntry(
  pack: tarStream.Pack,
  header: Partial<tarStream.Header> & { name: string },
  data?: Buffer | string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (err?: Error | null) => (err ? reject(err) : resolve());
    if (data === undefined) pack.entry(header, cb);
    else pack.entry(header, data, cb);
  });
}

async function addFile(pack: tarStream.Pack, name: string, file: string): Promise<void> {
  const { size } = await fs.stat(file);
  await new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ name, size, mtime: epoch, mode: 0o644 }, (err) =>
      err ? reject(err) : resolve(),
    );
    pipeline(createReadStream(file), entry).catch(reject);
  });
}

/** The empty container config Go writes for a v1 layer's `container_config`. */
const emptyContainerConfig = {
  Hostname: '',
  Domainname: '',
  User: '',
  AttachStdin: false,
  AttachStdout: false,
  AttachStderr: false,
  Tty: false,
  OpenStdin: false,
  StdinOnce: false,
  Env: null,
  Cmd: null,
  Image: '',
  Volumes: null,
  WorkingDir: '',
  Entrypoint: null,
  OnBuild: null,
  Labels: null,
};

/**
 * A layer directory's legacy v1 `json`, as dockerd writes it: the top layer carries the image's
 * config, the ones below only their place in the chain.
 */
function v1Json(id: string, parent: string | undefined, top: ImageConfig | undefined): object {
  const base = { id, ...(parent ? { parent } : {}) };
  if (!top)
    return {
      ...base,
      created: epoch.toISOString().replace('.000', ''),
      container_config: emptyContainerConfig,
      os: 'linux',
    };
  return {
    ...base,
    ...(top.comment ? { comment: top.comment } : {}),
    created: top.created ?? epoch.toISOString(),
    ...(top.container ? { container: top.container } : {}),
    container_config: emptyContainerConfig,
    ...(top.author ? { author: top.author } : {}),
    config: top.config ?? {},
    architecture: top.architecture,
    ...(top.variant ? { variant: top.variant } : {}),
    os: top.os,
  };
}

/**
 * Writes a docker-save archive as dockerd's classic store does: `<diffID hex>/layer.tar` (plus VERSION),
 * `<image ID hex>.json`, `manifest.json` with Config, RepoTags and Layers, and `repositories`.
 */
export async function saveArchive(
  store: ImageStore,
  images: Array<{ rec: ImageRecord; tags: string[] }>,
  out: NodeJS.WritableStream,
): Promise<void> {
  const pack = tarStream.pack();
  const done = pipeline(pack, out);
  try {
    const manifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
    const repositories: Record<string, Record<string, string>> = {};
    const written = new Set<string>();
    for (const { rec, tags } of images) {
      const layers: string[] = [];
      const config = await store.config(rec.id);
      let parent: string | undefined;
      for (const [i, diff] of rec.diffIds.entries()) {
        const dir = hexOf(diff);
        layers.push(`${dir}/layer.tar`);
        const top = i === rec.diffIds.length - 1;
        const json = JSON.stringify(v1Json(dir, parent, top ? config : undefined));
        parent = dir;
        if (written.has(diff)) continue;
        written.add(diff);
        await addEntry(pack, { name: `${dir}/`, type: 'directory', mode: 0o755, mtime: epoch });
        await addEntry(pack, { name: `${dir}/VERSION`, mode: 0o644, mtime: epoch }, '1.0');
        await addEntry(pack, { name: `${dir}/json`, mode: 0o644, mtime: epoch }, json);
        await addFile(pack, `${dir}/layer.tar`, store.content.path(diff));
      }
      const configName = `${hexOf(rec.id)}.json`;
      if (!written.has(rec.id)) {
        written.add(rec.id);
        await addEntry(
          pack,
          { name: configName, mode: 0o644, mtime: epoch },
          await store.content.read(rec.id),
        );
      }
      manifest.push({ Config: configName, RepoTags: tags.length ? tags : null, Layers: layers });
      const top = rec.diffIds[rec.diffIds.length - 1];
      for (const t of tags) {
        const ref = parseReference(t);
        const repo = familiarName(ref);
        repositories[repo] = { ...(repositories[repo] ?? {}), [ref.tag ?? 'latest']: hexOf(top ?? rec.id) };
      }
    }
    // Written as Go's json.Encoder writes them: with a newline.
    await addEntry(
      pack,
      { name: 'manifest.json', mode: 0o644, mtime: epoch },
      `${JSON.stringify(manifest)}\n`,
    );
    if (Object.keys(repositories).length)
      await addEntry(
        pack,
        { name: 'repositories', mode: 0o644, mtime: epoch },
        `${JSON.stringify(repositories)}\n`,
      );
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
  }
  await done;
}
