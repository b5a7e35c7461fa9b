import { invalid } from '../../core/errors.ts';
import type { Sys } from '../../core/sys.ts';
import { isMounted } from '../../storage/container-rootfs.ts';

/**
 * The local driver's options: `type`, `device` and `o` are mount(8)'s `-t`, source and `-o`
 * (`--opt type=tmpfs --opt device=tmpfs --opt o=size=64m`, or `type=none,o=bind,device=/src`).
 */
const validOptions = new Set(['type', 'device', 'o', 'size']);
const requires: Record<string, string[]> = { device: ['type'], type: ['device'], o: ['device', 'type'] };

/** dockerd's validateOpts of the local driver; messages without the `create x: ` prefix. */
export function localOptionsError(opts: Record<string, string>): string | undefined {
  for (const k of Object.keys(opts)) if (!validOptions.has(k)) return `invalid option: ${JSON.stringify(k)}`;
  if ('size' in opts) return 'quota size requested but no quota support';
  for (const [k, needs] of Object.entries(requires)) {
    if (!(k in opts)) continue;
    for (const n of needs) if (!(n in opts)) return `missing required option: ${JSON.stringify(n)}`;
  }
  return undefined;
}

/** Whether a volume needs a mount of its own (otherwise its `_data` directory is the volume). */
export function needsMount(opts: Record<string, string> | null): boolean {
  return !!opts && (opts.type !== undefined || opts.device !== undefined);
}

export async function mountLocal(sys: Sys, opts: Record<string, string>, dataDir: string): Promise<void> {
  if (await isMounted(dataDir)) return;
  if (!opts.device) throw invalid('missing device in volume options');
  const args = ['-t', opts.type || 'none'];
  if (opts.o) args.push('-o', opts.o);
  args.push(opts.device, dataDir);
  const r = await sys.run('mount', args);
  if (r.code !== 0) {
    const msg =
      (r.stderr || r.stdout)
        .split('\n')
        .map((l) => l.trim().replace(/^mount: /, ''))
        .filter((l) => l && !l.startsWith('dmesg(1)'))
        .join('; ') || `exit status ${r.code}`;
    throw invalid(`failed to mount local volume: ${msg}`);
  }
}

export async function unmountLocal(sys: Sys, dataDir: string): Promise<void> {
  for (let i = 0; i < 10 && (await isMounted(dataDir)); i++) {
    const r = await sys.run('umount', [dataDir]);
    if (r.code !== 0) {
      if (i >= 5) await sys.run('umount', ['-l', dataDir]);
      await new Promise((res) => setTimeout(res, 50 * (i + 1)));
    }
  }
}
