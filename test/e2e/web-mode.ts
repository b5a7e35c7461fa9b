// Starts what `npm start -- --web` starts, against a given engine, and a headless Debian Chromium.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { repoRoot } from '../conformance/harness.ts';

export const chromiumPath = process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotsDir = path.join(repoRoot, 'test/e2e/screenshots');
export const hasChromium = existsSync(chromiumPath);

export interface WebMode {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns a command that prints `Berth UI: <url>` and waits for that line. */
function waitForUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`no URL printed in ${timeoutMs} ms:\n${out}\n${err}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^Berth UI: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) =>
      reject(new Error(`exited with ${code} before printing a URL:\n${out}\n${err}`)),
    );
  });
}

async function track(child: ChildProcess, timeoutMs: number): Promise<WebMode> {
  const url = await waitForUrl(child, timeoutMs);
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `node build/start.mjs --web`: builds the app, then serves it. */
export function startWebMode(dockerHost: string): Promise<WebMode> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'build/start.mjs'), '--web'], {
    env: { ...process.env, DOCKER_HOST: dockerHost },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(child, 120_000);
}

/** The already built web server alone (after startWebMode built it once). */
export function startBuiltWebServer(dockerHost: string): Promise<WebMode> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/web/main.mjs')], {
    env: { ...process.env, DOCKER_HOST: dockerHost },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(child, 30_000);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
