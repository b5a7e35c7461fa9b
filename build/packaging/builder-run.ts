// Runs electron-builder's CLI and passes its lines on, except where it fails to download: then its stack
// trace (and the progress lines before it) give way to one line that says what it tried and how to fix it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import readline from 'node:readline';
import { downloadUrl, type ElectronTarget, unavailableLine } from './electron-source.ts';

export interface BuilderOptions {
  projectDir: string;
  /** The configuration file, relative to projectDir or absolute. */
  config: string;
  /** Platform, arch and target flags, and -c.key=value overrides. */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Where electron-builder's own lines go. */
  print: (line: string) => void;
}

export interface BuilderResult {
  code: number;
  /** The one line that replaces electron-builder's output when a download failed. */
  failure: string | null;
}

const cli = createRequire(import.meta.url).resolve('electron-builder/cli.js');
const ansi = /\x1b\[[0-9;]*m/g;
const networkError =
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|getaddrinfo|RequestError|HTTPError|Response code \d{3}|socket hang up)\b/;

/** `⨯ <message>  failedTask=build stackTrace=…` → the message. */
const errorMessage = (line: string) =>
  line
    .replace(/^\s*⨯\s*/, '')
    .split(/\s{2,}(?:failedTask|error|stackTrace)=/)[0]
    .trim();

/**
 * What a failed run's output means, as one line, or null when it is no download failure (then the
 * output speaks for itself). `electronTarget` is set while electron-builder was getting Electron;
 * `buildingTarget` names the package it was making.
 */
export function describeFailure(
  errorLines: string[],
  electronTarget: ElectronTarget | null,
  buildingTarget: string | null,
  env: NodeJS.ProcessEnv,
): string | null {
  if (!networkError.test(errorLines.join('\n'))) return null;
  const message = errorMessage(errorLines.find((l) => /failedTask=/.test(l)) ?? errorLines[0] ?? '');
  const url = /\bfor (https?:\/\/\S+)/.exec(message)?.[1];
  const reason = url ? message.replace(` for ${url}`, '') : message;
  if (electronTarget)
    return unavailableLine(electronTarget, url ?? downloadUrl(electronTarget, env), reason, env);
  return (
    `berth: electron-builder could not download its tools${buildingTarget ? ` for ${buildingTarget}` : ''} ` +
    `(${url ? `tried ${url}: ` : ''}${reason}). ` +
    `Fix: network access, or ELECTRON_BUILDER_BINARIES_MIRROR=<a mirror of electron-builder-binaries' releases>`
  );
}

export function runElectronBuilder(o: BuilderOptions): Promise<BuilderResult> {
  const child = spawn(
    process.execPath,
    [cli, '--projectDir', o.projectDir, '--config', o.config, ...o.args],
    { cwd: o.projectDir, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Lines are held until Electron is in place, so that a failure to get it prints nothing else.
  let holding = true;
  const held: string[] = [];
  const errorLines: string[] = [];
  let electronTarget: ElectronTarget | null = null;
  let buildingTarget: string | null = null;
  // Once it has reported a failure, electron-builder may still wait 30 s on a timer that @electron/get
  // leaves behind; a second of quiet after the report ends it.
  let quiet: NodeJS.Timeout | undefined;
  const onLine = (raw: string) => {
    const line = raw.replace(ansi, '');
    if (quiet || /failedTask=/.test(line)) {
      clearTimeout(quiet);
      quiet = setTimeout(() => child.kill('SIGTERM'), 1000);
    }
    if (errorLines.length || /^\s*⨯/.test(line)) {
      errorLines.push(line);
      return;
    }
    const step = /^\s*•\s+(\S+)/.exec(line)?.[1];
    if (step === 'building') buildingTarget = /\btarget=(\S+)/.exec(line)?.[1] ?? null;
    if (step === 'packaging') {
      // One such line per arch: Electron for that arch is got next.
      const m = /platform=(\S+)\s+arch=(\S+)\s+electron=(\S+)/.exec(line);
      if (m) electronTarget = { platform: m[1] === 'mac' ? 'darwin' : m[1], arch: m[2], version: m[3] };
      buildingTarget = null;
    } else if (electronTarget && step && step !== 'downloading' && step !== 'downloaded') {
      electronTarget = null;
      if (holding) {
        holding = false;
        for (const h of held) o.print(h);
        held.length = 0;
      }
    }
    if (holding) held.push(line);
    else o.print(line);
  };
  readline.createInterface({ input: child.stdout }).on('line', onLine);
  readline.createInterface({ input: child.stderr }).on('line', onLine);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(quiet);
      const status = code ?? 1;
      const failure =
        status === 0 ? null : describeFailure(errorLines, electronTarget, buildingTarget, o.env);
      if (!failure) for (const l of [...held, ...errorLines]) o.print(l);
      resolve({ code: status, failure });
    });
  });
}
