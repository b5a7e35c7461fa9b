// The cells of `docker system df`, written as the docker CLI writes them, so that the dashboard and the
// CLI say the same.
import type { DiskUsageRow } from '../../../../electron/contract/index.ts';
import type { Route } from '../../store/index.ts';
import { dockerSize } from '../../ui/format.ts';

/** `71.68kB (25%)`: the share is of the type's size, rounded down; the build cache has none. */
export function reclaimableText(row: DiskUsageRow): string {
  const size = dockerSize(row.reclaimable);
  if (row.type === 'Build Cache' || row.size <= 0) return size;
  return `${size} (${Math.trunc((row.reclaimable * 100) / row.size)}%)`;
}

/** The screen that lists a type's things (the build cache has none). */
export const diskTypeScreen: Record<DiskUsageRow['type'], Route | null> = {
  Images: { screen: 'images' },
  Containers: { screen: 'containers' },
  'Local Volumes': { screen: 'volumes' },
  'Build Cache': null,
};
