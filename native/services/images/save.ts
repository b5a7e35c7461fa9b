import { createReadStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { hexOf } from '../../storage/content-store.ts';
import type { ImageRecord, ImageStore } from '../../storage/image-store.ts';
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
      for (const diff of rec.diffIds) {
        const dir = hexOf(diff);
        layers.push(`${dir}/layer.tar`);
        if (written.has(diff)) continue;
        written.add(diff);
        await addEntry(pack, { name: `${dir}/`, type: 'directory', mode: 0o755, mtime: epoch });
        await addEntry(pack, { name: `${dir}/VERSION`, mode: 0o644, mtime: epoch }, '1.0');
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
    await addEntry(pack, { name: 'manifest.json', mode: 0o644, mtime: epoch }, JSON.stringify(manifest));
    if (Object.keys(repositories).length)
      await addEntry(pack, { name: 'repositories', mode: 0o644, mtime: epoch }, JSON.stringify(repositories));
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
  }
  await done;
}
