import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ignored, readDockerignore } from './dockerignore.ts';

describe('.dockerignore', () => {
  test('reading: comments and blanks go, paths are cleaned, a leading / goes', () => {
    assert.deepEqual(readDockerignore('# c\n\n /root.txt \n!  keep/x\nsub/../y\n./z/\n'), [
      'root.txt',
      '!keep/x',
      'y',
      'z',
    ]);
  });

  test('matching: `**`, `*` within a segment, the last rule decides, parents match', () => {
    const rules = readDockerignore('**/*.log\n!keep/*.log\nbuild\n*.tmp\n');
    assert.equal(ignored('a/b/x.log', rules), true);
    assert.equal(ignored('x.log', rules), true);
    assert.equal(ignored('keep/k.log', rules), false);
    assert.equal(ignored('build/out/bin', rules), true);
    assert.equal(ignored('sub/a.tmp', rules), false);
    assert.equal(ignored('a.tmp', rules), true);
    assert.equal(ignored('Dockerfile', rules), false);
    assert.equal(ignored('.', rules), false);
  });
});
