// What the cp scenarios copy from and into: a folder on the host and a running container, the same
// on both engines, and a way to read back what a copy left.
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import type { RunResult } from '../harness.ts';
import type { Ctx } from './sweep.ts';

/**
 * The host side, made afresh: h/file, h/dir/{y,sub/x}, h/link → file, h/owned (1234:2345), and
 * t/file/inner and t/dir (names that collide with the container's /d/file and /d/dir).
 */
export function hostTree(c: Ctx): void {
  const h = path.join(c.d.root, 'h');
  rmSync(h, { recursive: true, force: true });
  mkdirSync(path.join(h, 'dir/sub'), { recursive: true });
  writeFileSync(path.join(h, 'file'), 'file\n');
  writeFileSync(path.join(h, 'dir/y'), 'top\n');
  writeFileSync(path.join(h, 'dir/sub/x'), 'inner\n');
  symlinkSync('file', path.join(h, 'link'));
  mkdirSync(path.join(h, 'owned'));
  writeFileSync(path.join(h, 'owned/o'), 'o\n');
  chownSync(path.join(h, 'owned'), 1234, 2345);
  chownSync(path.join(h, 'owned/o'), 1234, 2345);
  mkdirSync(path.join(h, 't/file'), { recursive: true });
  writeFileSync(path.join(h, 't/file/inner'), 'inner\n');
  writeFileSync(path.join(h, 't/dir'), 'not a folder\n');
}

/** A path in the host folder, kept as written: a trailing `/` or `/.` means something to cp. */
export const host = (c: Ctx, rel = '') => `${c.d.root}/h${rel ? `/${rel}` : ''}`;

/** A running container `ct` with /d/e/g, /d/file, /d/dir/, /f, and links /dl → /d, /fl → /f, /dang → nowhere, /d/lk → file. */
export const runningCt: string[][] = [
  ['run', '-d', '--name', 'ct', 'busybox', 'sleep', '300'],
  [
    'exec',
    'ct',
    'sh',
    '-c',
    'mkdir -p /d/e /d/dir && echo de > /d/e/g && echo df > /d/file && echo old > /f && ' +
      'ln -s /d /dl && ln -s /f /fl && ln -s nowhere /dang && ln -s file /d/lk',
  ],
];

/** Lists a folder of a running container: path, type, mode, owner, size and link target of everything in it. */
export function tree(ct: string, dir: string): string[] {
  return [
    'exec',
    ct,
    'sh',
    '-c',
    `find ${dir} | sort | while read f; do echo "$f $(stat -c '%F %a %u:%g %s' "$f") $(readlink "$f")"; done`,
  ];
}

/** The CLI's own race: its tar writer may log the pipe the daemon closed, before or after its error. */
const cliRace = '(time="[^"]*" level=error msg="[^"]*"\\n)*';

/** The CLI's error `message` alone on stderr, but for the lines of that race on either side of it. */
export function cliError(message: string): RegExp {
  return new RegExp(`^${cliRace}${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n${cliRace}$`);
}

/** A tar made here, for `docker cp - ct:/path`. */
export async function tarOf(
  entries: {
    name: string;
    type?: 'file' | 'directory' | 'symlink' | 'link';
    data?: string;
    linkname?: string;
    uid?: number;
    gid?: number;
    mode?: number;
  }[],
): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const e of entries) {
    const head = {
      name: e.name,
      type: e.type ?? 'file',
      mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      linkname: e.linkname,
      mtime: new Date(0),
    };
    if (e.type === 'file' || !e.type) pack.entry(head, e.data ?? '');
    else pack.entry(head);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The entries of a tar, one line each: name, type, mode, owner names, size and link target. */
export async function listTar(bytes: Buffer, withData = false): Promise<string> {
  const extract = tarStream.extract();
  Readable.from([bytes]).pipe(extract);
  const lines: string[] = [];
  for await (const e of extract) {
    const h = e.header;
    const mode = ((h.mode ?? 0) & 0o7777).toString(8);
    let line = `${h.name} ${h.type} ${mode} ${h.uname}:${h.gname} ${h.size}${h.linkname ? ` -> ${h.linkname}` : ''}`;
    const data: Buffer[] = [];
    for await (const chunk of e) data.push(chunk as Buffer);
    if (withData && data.length) line += ` ${JSON.stringify(Buffer.concat(data).toString())}`;
    lines.push(line);
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** `docker cp … -` with the tar it writes read as a listing (see listTar) in stdout. */
export async function cpOut(c: Ctx, args: string[], withData = false): Promise<RunResult> {
  const r = dockerBytes(c, args);
  return {
    code: r.code,
    stdout: r.code === 0 ? await listTar(r.stdout, withData) : r.stdout.toString(),
    stderr: r.stderr,
  };
}

/** Runs docker and keeps stdout as bytes (a tar), for `docker cp ct:/path -` and `docker export`. */
export function dockerBytes(c: Ctx, args: string[]): { code: number; stdout: Buffer; stderr: string } {
  const r = spawnSync('docker', args, {
    env: { ...process.env, DOCKER_HOST: c.d.host, DOCKER_CONFIG: path.join(c.d.root, 'docker-config') },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? 1, stdout: r.stdout ?? Buffer.alloc(0), stderr: r.stderr?.toString() ?? '' };
}
