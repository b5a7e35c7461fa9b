// Where electron-builder will get Electron's binary for a package, decided before anything is built:
// electronDist given by the user, the binary `npm install` already put in node_modules/electron/dist, the
// zip in @electron/get's cache (with its SHASUMS256.txt seeded, else @electron/get goes online anyway), or
// a download, which is tried with a HEAD request so that an unreachable source fails at once, in one line.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ElectronTarget {
  version: string;
  /** Node's platform names, which are Electron's too: linux, darwin, win32. */
  platform: string;
  arch: string;
}

export type ElectronSource =
  | { kind: 'given' }
  | { kind: 'installed'; dir: string }
  | { kind: 'cached'; zip: string }
  | { kind: 'download'; url: string };

export const artifactFile = (t: ElectronTarget) => `electron-v${t.version}-${t.platform}-${t.arch}.zip`;

/** The variable @electron/get reads for `name` (.npmrc, package.json config, then the environment). */
function mirrorVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const snake = name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return (
    env[`npm_config_electron_${name.toLowerCase()}`] ||
    env[`NPM_CONFIG_ELECTRON_${snake.toUpperCase()}`] ||
    env[`npm_config_electron_${snake}`] ||
    env[`npm_package_config_electron_${name}`] ||
    env[`npm_package_config_electron_${snake}`] ||
    env[`ELECTRON_${snake.toUpperCase()}`] ||
    undefined
  );
}

/** The URL @electron/get downloads the zip from (its getArtifactRemoteURL, for a release version). */
export function downloadUrl(t: ElectronTarget, env: NodeJS.ProcessEnv): string {
  const base = mirrorVar(env, 'mirror') ?? 'https://github.com/electron/electron/releases/download/';
  const dir = (mirrorVar(env, 'customDir') ?? `v${t.version}`).replace('{{ version }}', t.version);
  const file = mirrorVar(env, 'customFilename') ?? artifactFile(t);
  return `${base}${dir}/${file}`;
}

/** @electron/get's default cache root (env-paths("electron").cache), which electron-builder uses. */
export function electronCacheRoot(env: NodeJS.ProcessEnv, platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'electron');
  if (platform === 'win32')
    return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'electron', 'Cache');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'electron');
}

/** Where @electron/get keeps a download: a folder named by the sha256 of the URL without its file name. */
export function cachedZipPath(cacheRoot: string, url: string): string {
  const u = new URL(url);
  const auth = u.username ? `${u.username}${u.password ? `:${u.password}` : ''}@` : '';
  const dir = `${u.protocol}//${auth}${u.host}${path.posix.dirname(u.pathname)}`;
  return path.join(
    cacheRoot,
    createHash('sha256').update(dir).digest('hex'),
    path.posix.basename(u.pathname),
  );
}

/** A SHASUMS256 file at the cache root that names the zip lets electron-builder verify it offline. */
function seededChecksums(cacheRoot: string, t: ElectronTarget): boolean {
  for (const name of [`SHASUMS256.txt-${t.version}`, 'SHASUMS256.txt']) {
    try {
      if (readFileSync(path.join(cacheRoot, name), 'utf8').includes(artifactFile(t))) return true;
    } catch {
      // not seeded under this name
    }
  }
  return false;
}

export interface SourceContext {
  env: NodeJS.ProcessEnv;
  /** The unpacked binary `npm install` fetched (node_modules/electron/dist), when it exists. */
  installedDist: string | null;
  /** The user passed electronDist to electron-builder. */
  electronDistGiven: boolean;
}

export function findElectronSource(t: ElectronTarget, ctx: SourceContext): ElectronSource {
  if (ctx.electronDistGiven) return { kind: 'given' };
  if (ctx.installedDist && t.platform === process.platform && t.arch === process.arch)
    return { kind: 'installed', dir: ctx.installedDist };
  const url = downloadUrl(t, ctx.env);
  const root = electronCacheRoot(ctx.env);
  const zip = cachedZipPath(root, url);
  if (existsSync(zip) && seededChecksums(root, t)) return { kind: 'cached', zip };
  return { kind: 'download', url };
}

/** Node's fetch ignores proxies, where @electron/get may use one: with a proxy set, no probe. */
export const proxied = (env: NodeJS.ProcessEnv) =>
  Boolean(
    env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy || env.GLOBAL_AGENT_HTTPS_PROXY,
  );

/** Null when the URL answers (a redirect counts: releases are served from elsewhere), else why not. */
export async function probe(url: string, timeoutMs = 15_000): Promise<string | null> {
  try {
    const res = await fetch(url, {
      method: 'HEAD',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return res.status < 400 ? null : `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  } catch (err) {
    const e = err as Error & { cause?: Error };
    if (e.name === 'TimeoutError') return `no answer in ${Math.round(timeoutMs / 1000)} s`;
    return e.cause?.message ?? e.message;
  }
}

/** The one line `npm run dist` ends with when it cannot get Electron: what it tried, and the ways out. */
export function unavailableLine(
  t: ElectronTarget,
  tried: string,
  reason: string,
  env: NodeJS.ProcessEnv,
): string {
  const root = electronCacheRoot(env);
  return (
    `berth: cannot get Electron ${t.version} for ${t.platform}-${t.arch} to package (tried ${tried}: ${reason}). ` +
    `Fix: network access, ELECTRON_MIRROR=<a mirror's URL>, the zip cached at ` +
    `${cachedZipPath(root, downloadUrl(t, env))} with SHASUMS256.txt-${t.version} in ${root}, ` +
    `or npm run dist -- -c.electronDist=<an unpacked Electron or its zip>`
  );
}
