// Starts what `npm start -- --web` starts, against a given engine, and a headless Debian Chromium.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { repoRoot } from '../conformance/harness.ts';

export const chromiumPath = process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotsDir = path.join(repoRoot, 'test/e2e/screenshots');
export const hasChromium = existsSync(chromiumPath);

export interface WebMode {
  url: string;
  child: ChildProcess;
  /** The app's settings live here (BERTH_CONFIG_DIR): a fresh temp dir, never the user's own. */
  configDir: string;
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

export interface WebModeOptions {
  configDir?: string;
  /** More environment for the app (after DOCKER_HOST and BERTH_CONFIG_DIR). */
  env?: NodeJS.ProcessEnv;
}

function appEnv(dockerHost: string | undefined, configDir: string, extra?: NodeJS.ProcessEnv) {
  const env: NodeJS.ProcessEnv = { ...process.env, BERTH_CONFIG_DIR: configDir, ...extra };
  if (dockerHost) env.DOCKER_HOST = dockerHost;
  else delete env.DOCKER_HOST;
  return env;
}

async function track(
  child: ChildProcess,
  configDir: string,
  ownsConfigDir: boolean,
  timeoutMs: number,
): Promise<WebMode> {
  const url = await waitForUrl(child, timeoutMs);
  return {
    url,
    child,
    configDir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (ownsConfigDir) rmSync(configDir, { recursive: true, force: true });
    },
  };
}

const tempConfigDir = () => mkdtempSync(path.join(os.tmpdir(), 'berth-config-'));

/** `node build/start.mjs --web`: builds the app (when dist/ is older than its sources), then serves it. */
export function startWebMode(dockerHost: string, opts: WebModeOptions = {}): Promise<WebMode> {
  const configDir = opts.configDir ?? tempConfigDir();
  // BERTH_WEB_NODE_ARGS: flags for the web server's Node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
  const nodeArgs = (process.env.BERTH_WEB_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(repoRoot, 'build/start.mjs'), '--web'], {
    env: appEnv(dockerHost, configDir, opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(child, configDir, !opts.configDir, 120_000);
}

/**
 * The already built web server alone (after startWebMode built it once). No `dockerHost`: the app
 * picks its default endpoint (or starts berthd itself with BERTH_MANAGED_ENGINE=1 in `opts.env`).
 */
export function startBuiltWebServer(
  dockerHost: string | undefined,
  opts: WebModeOptions = {},
): Promise<WebMode> {
  const configDir = opts.configDir ?? tempConfigDir();
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/web/main.mjs')], {
    env: appEnv(dockerHost, configDir, opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(child, configDir, !opts.configDir, 30_000);
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

/** The window size of the e2e tests (the screenshots in the README have it). */
export const appViewport = { width: 1100, height: 680 };

/** Chromium and a page on which the tests drive the app: dark theme, actions waiting up to `timeoutMs`. */
export async function launchAppPage(
  viewport = appViewport,
  timeoutMs = 15_000,
): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport, colorScheme: 'dark' });
  page.setDefaultTimeout(timeoutMs);
  return { browser, page };
}
