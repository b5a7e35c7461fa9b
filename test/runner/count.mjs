// Sums the results that results-reporter.mjs wrote (test/run.mjs runs one file at a time). Suites are not tests (their tests are counted); a
// file that reported no test of its own — it registered none, or exited before its tests reported
// (the runner then stands in one result named after the file) — is a failure, whatever its exit code.

/** @param {string} jsonl the reporter's output; @param {string[]} files the test files that were run */
export function countResults(jsonl, files) {
  // A test defined in a helper module (the sweep's scenarios) reports the helper's path as its file.
  // With one file per run every result is that file's, so the rows are put back under it.
  const only = files.length === 1 ? files[0] : null;
  const rows = jsonl
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .map((r) =>
      only && r.file !== null ? { ...r, file: only, name: r.name === r.file ? only : r.name } : r,
    );
  let pass = 0;
  let fail = 0;
  let skipped = 0;
  const failures = [];
  const reported = new Set();
  for (const r of rows) {
    const standIn = r.file !== null && r.name === r.file && r.nesting === 0;
    if (r.suite && r.outcome === 'pass') {
      // A skipped suite reports none of its tests: it stands for one skipped test.
      if (r.skip || r.todo) skipped++;
      if (r.file) reported.add(r.file);
      continue;
    }
    if (standIn) {
      fail++;
      failures.push(
        r.outcome === 'pass'
          ? `${r.file}: no test reported (it registered none, or exited before its tests finished)`
          : `${r.file}: the file failed outside its tests`,
      );
      continue;
    }
    if (r.file) reported.add(r.file);
    if (r.suite) {
      // A suite whose tests failed is counted by them; it fails on its own when a hook or its body did.
      if (r.failureType === 'subtestsFailed') continue;
      fail++;
      failures.push(`${r.file ?? ''}: suite "${r.name}" failed (a hook or its body)`);
    } else if (r.skip || r.todo) skipped++;
    else if (r.outcome === 'pass') pass++;
    else {
      fail++;
      failures.push(
        `${r.file ?? ''}: ${r.name}${r.why ? `\n      ${r.why.replaceAll('\n', '\n      ')}` : ''}`,
      );
    }
  }
  for (const f of files) {
    if (!reported.has(f) && !rows.some((r) => r.file === f)) {
      fail++;
      failures.push(`${f}: no test reported`);
    }
  }
  return { pass, fail, skipped, failures };
}
