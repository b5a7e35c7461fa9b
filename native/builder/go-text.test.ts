import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { goDuration, goList, goQuote, goQuotedList, goQuoteRune } from './go-text.ts';

describe('history text as Go prints it', () => {
  test('durations', () => {
    assert.equal(goDuration(0), '0s');
    assert.equal(goDuration(5e9), '5s');
    assert.equal(goDuration(500e6), '500ms');
    assert.equal(goDuration(90e9), '1m30s');
    assert.equal(goDuration(3600e9), '1h0m0s');
    assert.equal(goDuration(1.5e9), '1.5s');
  });

  test('an integer under %q is the character it stands for', () => {
    assert.equal(goQuoteRune(0), "'\\x00'");
    assert.equal(goQuoteRune(2), "'\\x02'");
    assert.equal(goQuoteRune(10), "'\\n'");
    assert.equal(goQuoteRune(65), "'A'");
    assert.equal(goQuoteRune(39), "'\\''");
  });

  test('strings and lists under %q and %v', () => {
    assert.equal(goQuote('say "hi"\t\\'), '"say \\"hi\\"\\t\\\\"');
    assert.equal(goQuotedList(['CMD-SHELL', 'true || exit 1']), '["CMD-SHELL" "true || exit 1"]');
    assert.equal(goList(['/bin/sh', '-ec']), '[/bin/sh -ec]');
  });
});
