import { resizeTerminal } from '../../runtime/conmon.ts';
import { bundleDir, type ContainerContext } from '../context.ts';
import { guard } from './state.ts';

/**
 * Sets the size of a running container's terminal (through conmon's ctl fifo). Without a TTY there
 * is nothing to size, and dockerd says yes all the same; a container that is not running is refused.
 */
export async function resizeContainer(
  ctx: ContainerContext,
  ref: string,
  height: number,
  width: number,
): Promise<void> {
  const rec = ctx.store.get(ref);
  guard.resize(rec);
  if (rec.Config.Tty) await resizeTerminal(bundleDir(ctx, rec.Id), height, width);
}
