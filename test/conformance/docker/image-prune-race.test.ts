import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { multiLayerImageTar } from '../../fixtures/images.ts';
import {
  type Daemon,
  eventually,
  fixturesOut,
  loadBusybox,
  type RunResult,
  startDaemon,
  stopDaemon,
} from '../harness.ts';
import { type Registry, startRegistry } from '../registry.ts';

interface Failure {
  command: string;
  code: number;
  output: string;
}

// dockerd answers a prune that overlaps another with 409 "a prune operation is already running";
// berthd queues it, so that every prune the desktop app or the CLI sends succeeds.
const onlyBerthd =
  process.env.BERTH_TARGET === 'dockerd' &&
  'berthd only: dockerd refuses overlapping prunes (409 "a prune operation is already running")';

describe('image prune racing builds, pulls, runs and lookups (berthd)', { skip: onlyBerthd }, () => {
  let d: Daemon;
  let reg: Registry;
  let pulled: string;
  const dirs: string[] = [];
  const failures: Failure[] = [];

  const ok = (args: string[]): string => {
    const r = d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const context = (dockerfile: string, files: Record<string, string>) => {
    const dir = mkdtempSync('/tmp/race-ctx-');
    dirs.push(dir);
    writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    return dir;
  };
  /** Runs `times` docker commands one after another, recording each that fails or says the wrong thing. */
  const repeat = async (
    times: number,
    step: (i: number) => { args: string[]; expect?: (r: RunResult) => boolean },
  ) => {
    for (let i = 0; i < times; i++) {
      const { args, expect } = step(i);
      const r = await d.dockerAsync(args).done;
      if (r.code !== 0 || (expect && !expect(r)))
        failures.push({ command: `docker ${args.join(' ')}`, code: r.code, output: r.stdout + r.stderr });
    }
  };

  before(async () => {
    reg = await startRegistry();
    d = await startDaemon();
    await loadBusybox(d);
    // An image only a digest names: prune takes it (as dockerd does), while pulls bring it back.
    ok(['load', '-i', await multiLayerImageTar(fixturesOut)]);
    ok(['tag', 'berth-test/layers', `${reg.localhost}/layers:1`]);
    const push = ok(['push', `${reg.localhost}/layers:1`]);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push)?.[1];
    assert.ok(digest, push);
    pulled = `${reg.localhost}/layers@${digest}`;
    ok(['rmi', 'berth-test/layers', `${reg.localhost}/layers:1`]);
  });
  after(async () => {
    await stopDaemon(d);
    await reg.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('no command fails and every tagged image still runs and saves', async () => {
    const app = context('FROM busybox\nRUN echo one > /one\nCOPY f /f\nCMD ["cat", "/f"]\n', { f: 'app\n' });
    const appId = ok(['build', '-q', '-t', 'app:1', app]).trim();
    // Each churn build retags churn:1, leaving the one before dangling for a prune to take while the
    // next build reuses the RUN step they share.
    const churn = context('FROM busybox\nRUN echo shared > /shared\nCOPY f /f\nCMD ["cat", "/f"]\n', {
      f: 'churn 0\n',
    });
    const rounds = 8;
    let pruned = 0;
    await Promise.all([
      ...[0, 1, 2].map(() =>
        repeat(4 * rounds, () => ({
          args: ['image', 'prune', '-f'],
          expect: (r) => {
            if (r.stdout.includes('deleted: ')) pruned++;
            return /^(Deleted Images:\n(?:(?:untagged|deleted): \S+\n)+\n)?Total reclaimed space: /.test(
              r.stdout,
            );
          },
        })),
      ),
      repeat(rounds, (i) => {
        writeFileSync(path.join(churn, 'f'), `churn ${i}\n`);
        return { args: ['build', '-q', '-t', 'churn:1', churn] };
      }),
      repeat(rounds, () => ({
        args: ['build', '-q', '-t', 'app:1', app],
        expect: (r) => r.stdout.trim() === appId,
      })),
      repeat(rounds, () => ({ args: ['run', '--rm', 'app:1'], expect: (r) => r.stdout === 'app\n' })),
      // A pull finds layers present that a prune is deleting; the image it records is the next prune's.
      repeat(2 * rounds, () => ({ args: ['pull', '-q', pulled], expect: (r) => r.stdout === `${pulled}\n` })),
      repeat(4 * rounds, (i) => ({
        args: i % 2 ? ['history', 'app:1'] : ['image', 'inspect', 'app:1'],
      })),
      repeat(4 * rounds, (i) => ({ args: i % 2 ? ['images', '-a'] : ['images'] })),
    ]);
    assert.deepEqual(failures, []);
    assert.doesNotMatch(d.log(), /ENOENT/);
    assert.ok(pruned >= 2, `prunes deleted images while the rest ran (${pruned} did)`);

    assert.equal(ok(['run', '--rm', 'app:1']), 'app\n');
    assert.equal(ok(['run', '--rm', 'churn:1']), `churn ${rounds - 1}\n`);
    const saved = path.join(mkdtempSync('/tmp/race-save-'), 'images.tar');
    dirs.push(path.dirname(saved));
    ok(['save', '-o', saved, 'app:1', 'churn:1', 'busybox']);
    assert.ok(statSync(saved).size > 1_000_000);

    // Nothing leaked: with every image gone, so are every layer and blob.
    ok(['image', 'prune', '-a', '-f']);
    assert.equal(ok(['images', '-a', '-q']), '');
    const image = path.join(d.dataRoot, 'image');
    await eventually(
      () =>
        readdirSync(path.join(image, 'layers')).length === 0 &&
        readdirSync(path.join(image, 'blobs', 'sha256')).length === 0,
      10_000,
      'the image store to be empty',
    );
  });
});
