// The runner's counting, on real runs of Node's test runner over small files made here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { countResults } from './count.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-runner-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(files, helpers = {}) {
  for (const [name, body] of Object.entries(helpers)) writeFileSync(path.join(dir, name), body);
  const paths = Object.entries(files).map(([name, body]) => {
    const p = path.join(dir, name);
    writeFileSync(p, `import { test, describe, before } from 'node:test';\n${body}\n`);
    return p;
  });
  const out = path.join(dir, `${Object.keys(files).join('-')}.jsonl`);
  // Not inside this test's own runner context: a plain child, as test/run.mjs starts it.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  spawnSync(
    process.execPath,
    [
      '--test',
      `--test-reporter=${path.join(here, 'results-reporter.mjs')}`,
      `--test-reporter-destination=${out}`,
      ...paths,
    ],
    { env, encoding: 'utf8' },
  );
  return countResults(readFileSync(out, 'utf8'), paths);
}

test('tests count, suites do not; skips and todos are skipped', () => {
  const r = run({
    'plain.test.mjs': `describe('s', () => { test('a', () => {}); test('b', { skip: 'why' }, () => {}); });
test('c', () => {}); test('d', { todo: true }, () => {});`,
  });
  assert.deepEqual([r.pass, r.fail, r.skipped], [2, 0, 2]);
});

test('text a test prints cannot change the count', () => {
  const r = run({
    'prints.test.mjs': `test('a', () => { console.log('ℹ pass 99'); console.log('# pass 99'); });`,
  });
  assert.deepEqual([r.pass, r.fail], [1, 0]);
});

test('a file that registers no test is a failure', () => {
  const r = run({ 'empty.test.mjs': `console.log('nothing');` });
  assert.deepEqual([r.pass, r.fail], [0, 1]);
  assert.match(r.failures[0], /no test reported/);
});

test('a file that exits early with status 0 is a failure, not a pass', () => {
  const r = run({
    'exits.test.mjs': `test('one', () => {}); test('two', () => { process.exit(0); }); test('three', () => {});`,
  });
  assert.equal(r.fail, 1);
  assert.equal(r.pass, 0);
});

test('a failing hook fails its suite and cancels its tests; a failing test fails once', () => {
  const r = run({
    'hooks.test.mjs': `describe('h', () => { before(() => { throw new Error('boom'); }); test('p', () => {}); });
describe('f', () => { test('bad', () => { throw new Error('x'); }); test('ok', () => {}); });`,
  });
  assert.deepEqual([r.pass, r.fail], [1, 3]);
});

test("a failure carries the first lines of its assertion's message, for CI's tail", () => {
  const r = run({
    'why.test.mjs': `test('unequal', () => { throw Object.assign(new Error('expected 2\\nactual 1'), { code: 'X' }); });`,
  });
  assert.equal(r.fail, 1);
  assert.match(r.failures[0], /unequal\n {6}expected 2\n {6}actual 1$/);
});

test('a skipped suite counts as one skipped test', () => {
  const r = run({
    'skipsuite.test.mjs': `describe('s', { skip: 'no binary' }, () => { test('p', () => {}); });`,
  });
  assert.deepEqual([r.pass, r.fail, r.skipped], [0, 0, 1]);
});

test("tests a helper module defines are the file's own, when one file runs", () => {
  const r = run(
    { 'uses-helper.test.mjs': `import { scenarios } from './helper.mjs';\nscenarios(['x', 'y']);` },
    {
      'helper.mjs': `import { describe, test } from 'node:test';
export function scenarios(names) {
  describe('area', () => { for (const n of names) test(n, () => {}); });
}`,
    },
  );
  assert.deepEqual(r, { pass: 2, fail: 0, skipped: 0, failures: [] });
});
