import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { tarOf } from '../../../test/fixtures/images.ts';
import { sha256 } from '../../core/ids.ts';
import { silentLogger } from '../../core/log.ts';
import { hostSys } from '../../core/sys.ts';
import type { ImageRecord } from '../../storage/image-store.ts';
import { commitImage } from './commit.ts';
import { type ImageEvent, ImageService } from './service.ts';

/** Where the fixture tars are cached across test runs. */
export const fixturesDir = path.join(os.tmpdir(), 'berth-image-fixtures');

export interface TestService {
  svc: ImageService;
  root: string;
  events: ImageEvent[];
  users: Map<string, Array<{ id: string; running: boolean }>>;
}

/** An image service over a fresh temp root, recording events, with settable container users. */
export async function newService(): Promise<TestService> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-images-'));
  const events: ImageEvent[] = [];
  const users = new Map<string, Array<{ id: string; running: boolean }>>();
  const svc = new ImageService({
    root,
    log: silentLogger,
    sys: hostSys,
    emit: (e) => events.push(e),
    usedBy: (id) => users.get(id) ?? [],
  });
  await svc.init();
  return { svc, root, events, users };
}

export async function loadBuffer(svc: ImageService, tar: Buffer): Promise<string[]> {
  const messages: string[] = [];
  await svc.load(Readable.from([tar]), (m) => messages.push((m as { stream: string }).stream));
  return messages;
}

export async function loadFile(svc: ImageService, file: string): Promise<string[]> {
  return loadBuffer(svc, await fs.readFile(file));
}

export async function saveToBuffer(svc: ImageService, refs: string[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  await svc.save(refs, out);
  return Buffer.concat(chunks);
}

/**
 * An image on `parent` as a build step makes it: with a layer of `files`, or metadata only. `cmd`
 * keeps two steps made in the same millisecond apart.
 */
export async function stepImage(
  svc: ImageService,
  parent: string | undefined,
  cmd: string,
  files?: Record<string, string>,
): Promise<ImageRecord> {
  const lease = svc.lease();
  try {
    let layerTar: { file: string; diffId: string } | undefined;
    if (files) {
      const tar = await tarOf(Object.entries(files).map(([name, data]) => ({ name, data })));
      layerTar = { file: svc.store.newTempPath('layer'), diffId: sha256(tar) };
      await fs.writeFile(layerTar.file, tar);
    }
    return await commitImage(svc.store, {
      parentId: parent,
      layerTar,
      runtime: { Cmd: [cmd] },
      history: { created_by: cmd, ...(files ? {} : { empty_layer: true }) },
      lease,
    });
  } finally {
    lease.release();
  }
}
