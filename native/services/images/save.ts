import { createReadStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import type { ImageRecord, ImageStore } from '../../storage/image-store.ts';
import { familiarName, parseReference } from '../../storage/reference.ts';

const hex = (d: string) => d.replace(/^sha256:/, '');
const epoch = new Date(0);

function addEntry(pack: tarStream.Pack, name: string, data: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, mtime: epoch, mode: 0o644 }, data, (err) => (err ? reject(err) : resolve()));
  });
}

/** Writes a docker-save archive (manifest.json, repositories, <diffID>/layer.tar, <id>.json). */
export async function saveArchive(
  store: ImageStore,
  images: Array<{ rec: ImageRecord; tags: string[] }>,
  out: NodeJS.WritableStream,
): Promise<void> {
  const pack = tarStream.pack();
  const done = pipeline(pack, out as NodeJS.WritableStream & { end(): void });
  const manifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
  const repositories: Record<string, Record<string, string>> = {};
  const written = new Set<string>();
  for (const { rec, tags } of images) {
    const layers: string[] = [];
    for (const diff of rec.diffIds) {
      const name = `${hex(diff)}/layer.tar`;
      layers.push(name);
      if (written.has(diff)) continue;
      written.add(diff);
      const file = store.blobPath(diff);
      const { size } = await fs.stat(file);
      await addEntry(pack, `${hex(diff)}/VERSION`, '1.0');
      await new Promise<void>((resolve, reject) => {
        const entry = pack.entry({ name, size, mtime: epoch, mode: 0o644 }, (err) =>
          err ? reject(err) : resolve(),
        );
        pipeline(createReadStream(file), entry).catch(reject);
      });
    }
    const configName = `${hex(rec.id)}.json`;
    if (!written.has(rec.id)) {
      written.add(rec.id);
      await addEntry(pack, configName, await store.readBlob(rec.id));
    }
    manifest.push({ Config: configName, RepoTags: tags.length ? tags : null, Layers: layers });
    for (const t of tags) {
      const ref = parseReference(t);
      const repo = familiarName(ref);
      repositories[repo] = {
        ...(repositories[repo] ?? {}),
        [ref.tag ?? 'latest']: hex(rec.diffIds.length ? rec.diffIds[rec.diffIds.length - 1] : rec.id),
      };
    }
  }
  await addEntry(pack, 'manifest.json', JSON.stringify(manifest));
  if (Object.keys(repositories).length) await addEntry(pack, 'repositories', JSON.stringify(repositories));
  pack.finalize();
  await done;
}
