// The differential sweep: scenarios that drive the real docker CLI and pin what a script sees — exit
// code, stdout, stderr word for word, and what the command leaves behind — written as dockerd 20.10
// answers. Each file runs against one engine (berthd, or dockerd with BERTH_TARGET=dockerd), so the
// same expectations prove that the scenario is Docker's behaviour and that berthd has it.
//
// A scenario is one node:test test. Between scenarios everything a scenario made is removed
// (containers, and images, volumes and networks that were not there when the file started), so each
// starts from the same engine: busybox:latest loaded, the default networks, nothing else.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Daemon, loadBusybox, type RunResult, startDaemon, stopDaemon, target } from '../harness.ts';

export type Engine = 'berthd' | 'dockerd';

/** What a command must give: exit code, and stdout/stderr after `normalize` (exactly, or a match). */
export interface Expect {
  code: number;
  stdout?: string | RegExp;
  stderr?: string | RegExp;
}

export interface Ctx {
  d: Daemon;
  engine: Engine;
  /** Runs docker; setup steps use it through `must`. */
  docker(args: string[], input?: string): RunResult;
  /** Runs docker and fails the scenario unless it exits 0; returns stdout. */
  must(args: string[], input?: string): string;
}

export interface Scenario {
  name: string;
  /** Steps before the command: docker argv (each must exit 0), or code. */
  setup?: (string[] | ((ctx: Ctx) => void | Promise<void>))[];
  /** The command under test: docker argv, or code that runs it. */
  run: string[] | ((ctx: Ctx) => RunResult | Promise<RunResult>);
  input?: string;
  /** What it gives, or a function that checks it (and may look at what it left behind). */
  expect: Expect | ((r: RunResult, ctx: Ctx) => void | Promise<void>);
  /** Commands that look at what the command left, each with what it must give. */
  then?: { run: string[]; expect: Expect }[];
  /** Only on one engine, with the reason (say why the other differs, and that it is deliberate). */
  only?: { engine: Engine; why: string };
}

/** The parts of output that differ run to run on any engine: ids, digests, times and ages. */
export function normalize(s: string): string {
  return s
    .replace(/sha256:[0-9a-f]{64}/g, 'sha256:<digest>')
    .replace(/\b[0-9a-f]{64}\b/g, '<id>')
    .replace(/\b[0-9a-f]{12}\b/g, '<short-id>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<time>')
    .replace(
      /\b(Less than a second|About a minute|About an hour|\d+ (seconds?|minutes?|hours?|days?|weeks?|months?|years?)) ago\b/g,
      '<ago>',
    )
    .replace(
      /\bUp (Less than a second|About a minute|About an hour|\d+ (seconds?|minutes?|hours?|days?))\b/g,
      'Up <duration>',
    );
}

function check(what: string, got: string, want: string | RegExp | undefined): void {
  if (want === undefined) return;
  const n = normalize(got);
  if (typeof want === 'string') assert.equal(n, want, `${what} (normalized)`);
  else assert.match(n, want, `${what} (normalized)`);
}

export function checkResult(r: RunResult, e: Expect, what = 'the command'): void {
  check(`${what}: stdout`, r.stdout, e.stdout);
  check(`${what}: stderr`, r.stderr, e.stderr);
  assert.equal(r.code, e.code, `${what}: exit code (stderr: ${r.stderr})`);
}

/** The engine's own directories in output (volume mount points, host paths) as `<data-root>` and `<root>`. */
export function localPaths(d: Daemon, r: RunResult): RunResult {
  const local = (s: string) => s.replaceAll(d.dataRoot, '<data-root>').replaceAll(d.root, '<root>');
  return { code: r.code, stdout: local(r.stdout), stderr: local(r.stderr) };
}

function names(d: Daemon, args: string[]): Set<string> {
  return new Set(d.docker(args).stdout.split('\n').filter(Boolean));
}

/** Registers one test per scenario, against the engine of this run, under `area`. */
export function sweep(area: string, scenarios: Scenario[]): void {
  describe(`sweep: ${area} (${target})`, () => {
    let d: Daemon;
    let ctx: Ctx;
    let baseline: { images: Set<string>; tags: Set<string>; volumes: Set<string>; networks: Set<string> };
    const tags = () =>
      [...names(d, ['images', '--format', '{{.Repository}}:{{.Tag}}'])].filter((t) => t !== '<none>:<none>');
    before(async () => {
      d = await startDaemon();
      await loadBusybox(d);
      const docker = (args: string[], input?: string) => d.docker(args, input === undefined ? {} : { input });
      ctx = {
        d,
        engine: target,
        docker,
        must(args, input) {
          const r = docker(args, input);
          assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
          return r.stdout;
        },
      };
      baseline = {
        images: names(d, ['images', '-aq', '--no-trunc']),
        tags: new Set(tags()),
        volumes: names(d, ['volume', 'ls', '-q']),
        networks: names(d, ['network', 'ls', '-q', '--no-trunc']),
      };
    });
    after(async () => {
      if (d) await stopDaemon(d);
    });

    /** Everything a scenario made goes, so the next one starts where this file started. */
    const reset = () => {
      const ids = [...names(d, ['ps', '-aq'])];
      if (ids.length) d.docker(['rm', '-f', '-v', ...ids]);
      const images = [...names(d, ['images', '-aq', '--no-trunc'])].filter((i) => !baseline.images.has(i));
      if (images.length) d.docker(['rmi', '-f', ...images]);
      const volumes = [...names(d, ['volume', 'ls', '-q'])].filter((v) => !baseline.volumes.has(v));
      if (volumes.length) d.docker(['volume', 'rm', '-f', ...volumes]);
      const nets = [...names(d, ['network', 'ls', '-q', '--no-trunc'])].filter(
        (n) => !baseline.networks.has(n),
      );
      if (nets.length) d.docker(['network', 'rm', ...nets]);
      // busybox:latest may have been untagged or retagged by a scenario: it is the base of the next one.
      if (d.docker(['image', 'inspect', 'busybox:latest']).code !== 0) {
        const base = [...baseline.images][0];
        if (base) d.docker(['tag', base, 'busybox:latest']);
      }
      // Tags a scenario put on the images that stay.
      const extra = tags().filter((t) => !baseline.tags.has(t));
      if (extra.length) d.docker(['rmi', ...extra]);
    };

    for (const s of scenarios) {
      const skip = s.only && s.only.engine !== target ? `${s.only.engine} only: ${s.only.why}` : false;
      test(s.name, { skip }, async () => {
        // The commands run synchronously: let the daemon's log pipe drain first (a full one blocks dockerd).
        await new Promise((r) => setImmediate(r));
        try {
          for (const step of s.setup ?? []) {
            if (typeof step === 'function') await step(ctx);
            else ctx.must(step);
          }
          const r = localPaths(
            d,
            typeof s.run === 'function' ? await s.run(ctx) : ctx.docker(s.run, s.input),
          );
          if (typeof s.expect === 'function') await s.expect(r, ctx);
          else checkResult(r, s.expect, `docker ${typeof s.run === 'function' ? '…' : s.run.join(' ')}`);
          for (const t of s.then ?? [])
            checkResult(localPaths(d, ctx.docker(t.run)), t.expect, `docker ${t.run.join(' ')}`);
        } finally {
          reset();
        }
      });
    }
  });
}
