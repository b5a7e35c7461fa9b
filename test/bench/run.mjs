#!/usr/bin/env node
// npm run bench: the benchmarks in turn, each in its own process, then one check that they left the
// host's links and iptables rules as they found them (test/runner/host-state.mjs). Exits non-zero when
// a benchmark failed or the host differs.
//   node test/bench/run.mjs              all benchmarks
//   node test/bench/run.mjs network      some of them (engine | images | network | app | logs | kube-store | kube | kube-ui | vm)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHost, snapshot } from '../runner/host-state.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const all = ['engine', 'images', 'network', 'app', 'logs', 'kube-store', 'kube', 'kube-ui', 'vm'];
const wanted = process.argv.slice(2);
for (const w of wanted) {
  if (!all.includes(w)) {
    console.error(`unknown benchmark: ${w} (have: ${all.join(', ')})`);
    process.exit(2);
  }
}

const before = snapshot();
let failed = false;
for (const name of wanted.length ? wanted : all) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `test/bench/${name}.bench.ts`], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.log(`benchmark ${name} failed (${r.status ?? r.signal})`);
    failed = true;
    break;
  }
}
console.log('\n=== host state ===');
const host = checkHost(before);
process.exit(failed || host.fail ? 1 : 0);
