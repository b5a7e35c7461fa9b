import { listContainers } from '../containers/views.ts';
import type { Engine } from '../engine.ts';

/**
 * `docker system df`: what images, containers and volumes take. Layers shared between images count
 * once in LayersSize and as SharedSize in each image that has them.
 */
export async function diskUsage(engine: Engine) {
  const containers = await listContainers(engine.containers, { all: true, size: true, filters: {} });
  const recs = engine.containers.store.all();
  const images = (await engine.images.list({ all: true })) as Array<
    Record<string, unknown> & { Id: string; Size: number }
  >;
  const layers = engine.images.store.layers;
  const layerUse = new Map<string, number>();
  for (const rec of engine.images.store.all())
    for (const c of rec.chainIds) layerUse.set(c, (layerUse.get(c) ?? 0) + 1);
  let layersSize = 0;
  for (const c of layerUse.keys()) layersSize += await layers.size(c);
  const withUse = [];
  for (const img of images) {
    const rec = engine.images.store.get(img.Id);
    let shared = 0;
    for (const c of rec?.chainIds ?? []) if ((layerUse.get(c) ?? 0) > 1) shared += await layers.size(c);
    withUse.push({ ...img, SharedSize: shared, Containers: recs.filter((r) => r.Image === img.Id).length });
  }
  return {
    LayersSize: layersSize,
    Images: withUse,
    Containers: containers,
    Volumes: await engine.volumes.usage(),
    BuildCache: [],
  };
}
