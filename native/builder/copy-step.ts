import type { Stats } from 'node:fs';
import path from 'node:path';
import { invalid } from '../core/errors.ts';
import type { LayerTarWriter } from '../storage/layer-tar.ts';
import { copySourcesHash, expandSource, writeCopyLayer } from './copy.ts';
import type { Instruction } from './parser.ts';

/** A COPY or ADD, resolved against where it reads: what its history says, and how to write its layer. */
export interface PreparedCopy {
  /** dockerd's commit comment: `COPY file:<sum> in /dest ` (with `--chown=u:g` glued before the sum). */
  comment: string;
  write(tar: LayerTarWriter, probe: (abs: string) => Promise<Stats | undefined>): Promise<void>;
}

export interface CopyInput {
  ins: Instruction;
  /** The instruction's words after variable expansion (sources, then the destination). */
  words: string[];
  workingDir: string;
  /** Where the sources are read: the context dir, or another stage's or image's filesystem. */
  srcRoot: string;
  /** The context tar's sums when reading the context; undefined for another stage or image. */
  sums: Map<string, string> | undefined;
  chown: { uid: number; gid: number } | undefined;
}

/** Expands the sources (globs), checks them and names them as dockerd does. */
export async function prepareCopy(c: CopyInput): Promise<PreparedCopy> {
  const { ins, words } = c;
  if (words.length < 2) throw invalid(`${ins.cmd} requires at least two arguments`);
  const sources = words.slice(0, -1);
  const rawDest = words[words.length - 1];
  let dest = path.posix.resolve(c.workingDir || '/', rawDest);
  if ((rawDest.endsWith('/') || rawDest === '.' || rawDest.endsWith('/.')) && dest !== '/') dest += '/';
  const chmod = ins.flags.chmod;
  if (chmod !== undefined && !/^[0-7]{3,4}$/.test(chmod)) throw invalid(`invalid chmod parameter: ${chmod}`);
  const expanded: string[] = [];
  for (const pattern of sources) {
    const found = await expandSource(c.srcRoot, pattern);
    if (found.length === 0)
      throw invalid(
        c.sums
          ? `${ins.cmd} failed: file not found in build context or excluded by .dockerignore: stat ${pattern}: file does not exist`
          : `${ins.cmd} failed: stat ${pattern}: file does not exist`,
      );
    expanded.push(...found);
  }
  const hash = await copySourcesHash(c.srcRoot, expanded, c.sums);
  const chownText = ins.flags.chown ? `--chown=${ins.flags.chown}` : '';
  return {
    comment: `${ins.cmd} ${chownText}${hash} in ${rawDest} `,
    write: (tar, probe) =>
      writeCopyLayer(tar, {
        srcRoot: c.srcRoot,
        sources: expanded,
        dest,
        chown: c.chown,
        chmod: chmod === undefined ? undefined : Number.parseInt(chmod, 8),
        extractArchives: ins.cmd === 'ADD' && c.sums !== undefined,
        probe,
      }),
  };
}

/** Remote sources need the network, which berthd builds do not have; the line is named. */
export function refuseRemoteSources(ins: Instruction, words: string[]): void {
  for (const s of words.slice(0, -1))
    if (/^(https?|git|ssh):\/\//i.test(s) || s.startsWith('git@'))
      throw invalid(
        `Dockerfile line ${ins.line}: ${ins.cmd}: remote source ${s} is not supported: berthd builds have no network access`,
      );
}
