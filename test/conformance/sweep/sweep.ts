// The differential sweep: scenarios that drive the real docker CLI and pin what a script sees — exit
// code, stdout, stderr word for word, and what the command leaves behind — written as dockerd 20.10
// answers. Each file runs against one engine (berthd, or dockerd with BERTH_TARGET=dockerd), so the
// same expectations prove that the scenario is Docker's behaviour and that berthd has it.
//
// A scenario is one node:test test. Between scenarios everything a scenario made is removed
// (containers, and images, volumes and networks that were not there when the file started), so each
// starts from the same engine: busybox:latest loaded, the default networks, nothing else.
import assert from 'node:assert/strict';
import http from 'node:http';
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

/**
 * A request to the engine's API on its socket, for the clean-up between scenarios: the same listings
 * and removals as `docker ps -aq` / `docker rm -f -v`, at a few milliseconds each instead of the CLI's
 * 50 ms start (six listings after each of some 450 scenarios).
 */
function api<T = unknown>(d: Daemon, method: string, p: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: d.socket, method, path: `/v1.41${p}` }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve((text && res.headers['content-type']?.includes('json') ? JSON.parse(text) : text) as T);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

type ImageSummary = { Id: string; RepoTags: string[] | null };

/** The tags images carry (`<none>:<none>` is none). */
const tagsOf = (images: ImageSummary[]) =>
  images.flatMap((i) => i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');

interface Listing {
  containers: string[];
  images: string[];
  tags: string[];
  volumes: string[];
  networks: string[];
}

/** What the engine holds: container, image (intermediate ones too), volume and network ids, and tags. */
async function listing(d: Daemon): Promise<Listing> {
  const [containers, images, volumes, networks] = await Promise.all([
    api<{ Id: string }[]>(d, 'GET', '/containers/json?all=1'),
    api<ImageSummary[]>(d, 'GET', '/images/json?all=1'),
    api<{ Volumes: { Name: string }[] | null }>(d, 'GET', '/volumes'),
    api<{ Id: string }[]>(d, 'GET', '/networks'),
  ]);
  return {
    containers: containers.map((c) => c.Id),
    images: images.map((i) => i.Id),
    tags: tagsOf(images),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name),
    networks: networks.map((n) => n.Id),
  };
}

/** Registers one test per scenario, against the engine of this run, under `area`. */
export function sweep(area: string, scenarios: Scenario[]): void {
  describe(`sweep: ${area} (${target})`, () => {
    let d: Daemon;
    let ctx: Ctx;
    let baseline: { images: Set<string>; tags: Set<string>; volumes: Set<string>; networks: Set<string> };
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
      const held = await listing(d);
      baseline = {
        images: new Set(held.images),
        tags: new Set(held.tags),
        volumes: new Set(held.volumes),
        networks: new Set(held.networks),
      };
    });
    after(async () => {
      if (d) await stopDaemon(d);
    });

    /**
     * Everything a scenario made goes, so the next one starts where this file started. One removal at a
     * time, in the listing's order (newest first), as `docker rm -f` and `docker rmi -f` do; a removal
     * that fails is left, as there.
     */
    const reset = async () => {
      const held = await listing(d);
      for (const id of held.containers) await api(d, 'DELETE', `/containers/${id}?force=1&v=1`);
      for (const id of held.images.filter((i) => !baseline.images.has(i)))
        await api(d, 'DELETE', `/images/${id}?force=1`);
      for (const v of held.volumes.filter((v) => !baseline.volumes.has(v)))
        await api(d, 'DELETE', `/volumes/${encodeURIComponent(v)}?force=1`);
      for (const n of held.networks.filter((n) => !baseline.networks.has(n)))
        await api(d, 'DELETE', `/networks/${n}`);
      // What is left to look at is the images' tags.
      const tags = tagsOf(await api<ImageSummary[]>(d, 'GET', '/images/json?all=1'));
      // busybox:latest may have been untagged or retagged by a scenario: it is the base of the next one.
      if (!tags.includes('busybox:latest')) {
        const base = [...baseline.images][0];
        if (base) await api(d, 'POST', `/images/${base}/tag?repo=busybox&tag=latest`);
      }
      // Tags a scenario put on the images that stay.
      for (const t of tags.filter((t) => !baseline.tags.has(t)))
        await api(d, 'DELETE', `/images/${encodeURIComponent(t)}`);
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
          await reset();
        }
      });
    }
  });
}
