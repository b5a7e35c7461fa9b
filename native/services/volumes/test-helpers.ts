import { systemClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/log.ts';
import { hostSys, type Sys } from '../../core/sys.ts';
import { testDir } from '../../core/test-dir.ts';
import type { EventInput } from '../events.ts';
import { VolumeService } from './service.ts';

/** A Sys that records mount(8) and umount(8) instead of running them, and runs everything else. */
export function recordingSys(): Sys & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    run: async (cmd, args, opts) => {
      if (cmd === 'mount' || cmd === 'umount') {
        calls.push([cmd, ...args]);
        return { code: 0, stdout: '', stderr: '' };
      }
      return hostSys.run(cmd, args, opts);
    },
    kill: () => true,
    alive: () => false,
  };
}

/** A volume service over a fresh temp root; its events are recorded and passed to `onEvent`. */
export async function newVolumes(sys: Sys = recordingSys(), onEvent: (e: EventInput) => void = () => {}) {
  const root = testDir('berth-volumes-');
  const events: EventInput[] = [];
  const svc = new VolumeService({
    root,
    sys,
    log: silentLogger,
    clock: systemClock,
    emit: (e) => {
      events.push(e);
      onEvent(e);
    },
  });
  await svc.init([]);
  return { svc, root, events };
}
