#!/usr/bin/env node
// Runs every test suite with Node's test runner and prints one closing line:
// `N passed, N failed, N skipped`, summed over the suites and the host-state check. Exits non-zero when anything failed. The counts
// come from the runner's structured events (test/runner/results-reporter.mjs), never from text a test
// or a daemon may print.
//   node test/run.mjs            all suites
//   node test/run.mjs unit       one suite (unit | integration | conformance | conformance-etcd | e2e | vm)
// unit: the tests beside the source, with seams and no engine; integration: the app's main process
// (electron/main) against a real berthd, a registry and dockerd (test/integration); conformance: the
// engine against the docker CLI and dockerode; e2e: the UI in Chromium.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countResults } from './runner/count.mjs';
import { checkHost, snapshot } from './runner/host-state.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

function find(dir, pred, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) find(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out.sort();
}

const isTest = (p) => p.endsWith('.test.ts') || p.endsWith('.test.mjs');
const suites = {
  unit: () =>
    ['native', 'electron', 'renderer', 'vm', 'build', 'test/runner', 'test/unit'].flatMap((d) =>
      find(d, isTest),
    ),
  integration: () => find('test/integration', isTest),
  conformance: () => [...find('test/conformance', isTest), ...find('test/api', isTest)],
  // The cluster's scenarios again on the etcd store (the conformance suite runs them on SQLite), so both
  // backends meet the real kubectl and client-node: the ones that write most through the API.
  'conformance-etcd': () =>
    ['kubectl', 'client-node', 'apply', 'workloads'].map((f) => `test/conformance/kubernetes/${f}.test.ts`),
  e2e: () => find('test/e2e', isTest),
  // The VM end to end: the image built, booted under qemu (TCG here), the host connected to it.
  vm: () => find('test/vm', isTest),
};
/** Files of a suite run at once (others: one at a time, as they start daemons and share the host). */
const suiteJobs = { unit: 2, conformance: 2 };
/** Environment a suite's files run with, beyond the runner's own. */
const suiteEnv = { 'conformance-etcd': { BERTH_KUBE_STORE: 'etcd' } };

/** Type checking and lint count as one test each: the tree must stay clean. */
function runStatic() {
  console.log('\n=== suite static: typecheck and lint ===');
  let pass = 0;
  let fail = 0;
  for (const [name, cmd, args] of [
    [
      'typecheck (tsc --noEmit, strict)',
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'],
    ],
    [
      'lint and format (biome check)',
      process.execPath,
      ['node_modules/@biomejs/biome/bin/biome', 'check', '.'],
    ],
  ]) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status === 0) {
      pass++;
      console.log(`✔ ${name}`);
    } else {
      fail++;
      console.log(`✖ ${name}\n${(r.stdout ?? '') + (r.stderr ?? '')}`.slice(0, 20000));
    }
  }
  return { pass, fail, skipped: 0 };
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : ['static', ...Object.keys(suites)];
for (const n of names) {
  if (!suites[n] && n !== 'static') {
    console.error(`unknown suite: ${n} (have: ${Object.keys(suites).join(', ')})`);
    process.exit(2);
  }
}

const needSetup = ['integration', 'conformance', 'conformance-etcd', 'e2e', 'vm'];
if (names.some((n) => needSetup.includes(n)) && process.env.BERTH_SKIP_SETUP !== '1') {
  const r = spawnSync('sh', ['build/setup.sh'], {
    stdio: 'inherit',
    env: { ...process.env, BERTH_SETUP_TESTS: '1' },
  });
  if (r.status !== 0) {
    console.error('setup failed: the tests need the packages above');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

/** Every suite's failures, repeated above the closing line where a reader of the log's tail sees them. */
const allFailures = [];
const reportDir = mkdtempSync(path.join(os.tmpdir(), 'berth-test-results-'));
process.on('exit', () => rmSync(reportDir, { recursive: true, force: true }));

/**
 * Runs a suite's files, one at a time or `jobs` at once (the unit suite: its files need no engine and
 * mostly wait on tsx's start), so that every result belongs to the file that ran (a test a helper module
 * defines reports the helper's path), and sums them. Each file's output is printed whole when it ends.
 */
async function runSuite(name, files) {
  const sum = { pass: 0, fail: 0, skipped: 0 };
  if (files.length === 0) return sum;
  const jobs = suiteJobs[name] ?? 1;
  console.log(`\n=== suite ${name}: ${files.length} files${jobs > 1 ? `, ${jobs} at a time` : ''} ===`);
  const failures = [];
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const r = await runFile(`${name}-${i}`, files[i], suiteEnv[name], jobs > 1);
      sum.pass += r.pass;
      sum.fail += r.fail;
      sum.skipped += r.skipped;
      failures.push(...r.failures);
    }
  };
  const began = Date.now();
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
  // Each suite's wall time, so that the CI budget (45 minutes here) can be followed suite by suite.
  const s = Math.round((Date.now() - began) / 1000);
  console.log(
    `\n=== suite ${name}: ${sum.pass} passed, ${sum.fail} failed in ${Math.floor(s / 60)}m${s % 60}s ===`,
  );
  if (failures.length) console.log(`\nsuite ${name} failures:\n  ${failures.join('\n  ')}`);
  allFailures.push(...failures);
  return sum;
}

function runFile(key, file, env = {}, buffered = false) {
  return new Promise((resolve) => {
    const results = path.join(reportDir, `${key}.jsonl`);
    const args = [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${path.join(root, 'test/runner/results-reporter.mjs')}`,
      `--test-reporter-destination=${results}`,
      '--test-timeout=600000',
      file,
    ];
    const began = Date.now();
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', buffered ? 'pipe' : 'inherit', buffered ? 'pipe' : 'inherit'],
      env: { ...process.env, ...env },
    });
    const out = [];
    child.stdout?.on('data', (d) => out.push(d));
    child.stderr?.on('data', (d) => out.push(d));
    child.on('close', (code) => {
      if (out.length) process.stdout.write(Buffer.concat(out));
      let jsonl = '';
      try {
        jsonl = readFileSync(results, 'utf8');
      } catch {
        // No results at all: the runner failed before any test reported.
      }
      const res = countResults(jsonl, [path.resolve(root, file)]);
      if (code !== 0 && res.fail === 0) {
        res.fail = 1;
        res.failures.push(`${file}: the test runner exited with ${code}`);
      }
      // Each file's wall time, for following the CI budget file by file.
      console.log(
        `--- ${file}: ${res.pass} passed, ${res.fail} failed in ${((Date.now() - began) / 1000).toFixed(1)}s`,
      );
      resolve(res);
    });
  });
}

// Tests start daemons that make bridges, veths and iptables chains: after all suites, the host's links
// and rules must be the ones found before (one more test, listing what differs).
const hostBefore = snapshot();
let pass = 0;
let fail = 0;
let skipped = 0;
const suiteResults = [];
for (const n of names) suiteResults.push(n === 'static' ? runStatic() : await runSuite(n, suites[n]()));
console.log('\n=== host state ===');
suiteResults.push(checkHost(hostBefore));
for (const r of suiteResults) {
  pass += r.pass;
  fail += r.fail;
  skipped += r.skipped;
}
if (allFailures.length) console.log(`\n=== failures ===\n  ${allFailures.join('\n  ')}`);
console.log(`\n${pass} passed, ${fail} failed, ${skipped} skipped`);
process.exit(fail > 0 ? 1 : 0);
