// A reporter for Node's test runner that writes one JSON line per finished test to its destination:
// what test/run.mjs counts from. Counting from structured events, not from text a test can print.
export default async function* resultsReporter(source) {
  for await (const ev of source) {
    if (ev.type !== 'test:pass' && ev.type !== 'test:fail') continue;
    const d = ev.data;
    yield `${JSON.stringify({
      outcome: ev.type === 'test:pass' ? 'pass' : 'fail',
      name: d.name,
      file: d.file ?? null,
      nesting: d.nesting,
      suite: d.details?.type === 'suite',
      skip: d.skip !== undefined && d.skip !== false,
      todo: d.todo !== undefined && d.todo !== false,
      failureType: ev.type === 'test:fail' ? (d.details?.error?.failureType ?? null) : null,
      why: ev.type === 'test:fail' ? why(d.details?.error) : null,
    })}\n`;
  }
}

/** The first lines of a failure's message (the cause's, for a test's own assertion): what CI shows. */
function why(error) {
  const e = error?.cause ?? error;
  if (!e) return null;
  const text = String(e.message ?? e).trim();
  return text.split('\n').slice(0, 12).join('\n').slice(0, 1500);
}
