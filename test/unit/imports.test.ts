import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { edgesOf, globToRegExp, importsOf, resolveImport, violations } from './imports.ts';

describe('importsOf', () => {
  test('finds every form of import and re-export, with its line', () => {
    const src = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      'import {',
      '  c,',
      "} from './c.ts';",
      "export { d } from './d.ts';",
      "export * from './e.ts';",
      "import './side-effect.css';",
      "const f = await import('./f.ts');",
      "import React from 'react';",
    ].join('\n');
    assert.deepEqual(importsOf(src), [
      { specifier: './a.ts', line: 1 },
      { specifier: '../b.ts', line: 2 },
      { specifier: './c.ts', line: 5 },
      { specifier: './d.ts', line: 6 },
      { specifier: './e.ts', line: 7 },
      { specifier: './side-effect.css', line: 8 },
      { specifier: './f.ts', line: 9 },
      { specifier: 'react', line: 10 },
    ]);
  });

  test('skips imports that comments and strings only mention', () => {
    const src = [
      '/**',
      " * import { x } from './x.ts';",
      " * await import('./w.ts')",
      ' */',
      "// import './y.ts';",
      "const glob = 'src/**'; const s = \"import { q } from './q.ts'\";",
      "import { z } from './z.ts';",
    ].join('\n');
    assert.deepEqual(importsOf(src), [{ specifier: './z.ts', line: 7 }]);
  });
});

describe('globToRegExp', () => {
  test('** spans folders, * stays within one, {a,b} is either', () => {
    assert.ok(globToRegExp('renderer/src/ui/**').test('renderer/src/ui/a/b/C.tsx'));
    assert.ok(globToRegExp('renderer/src/ui/**').test('renderer/src/ui/C.tsx'));
    assert.ok(!globToRegExp('renderer/src/ui/**').test('renderer/src/uix/C.tsx'));
    assert.ok(globToRegExp('native/**/routes/*.ts').test('native/dockerapi/routes/images.ts'));
    assert.ok(!globToRegExp('native/**/routes/*.ts').test('native/dockerapi/routes/x/images.ts'));
    assert.ok(globToRegExp('native/{runtime,storage}/**').test('native/storage/layers.ts'));
    assert.ok(!globToRegExp('native/{runtime,storage}/**').test('native/registry/client.ts'));
  });

  test('a package name matches the package and its subpaths only', () => {
    assert.ok(globToRegExp('react').test('react'));
    assert.ok(globToRegExp('react').test('react/jsx-runtime'));
    assert.ok(!globToRegExp('react').test('react-dom'));
  });
});

describe('violations', () => {
  const rule = { from: 'app/ui/**', to: 'app/features/**', message: 'ui stays below features' };

  test('resolves relative specifiers from the importing file, whatever its depth', () => {
    assert.equal(resolveImport('app/ui/deep/X.tsx', '../../features/a/B.tsx'), 'app/features/a/B.tsx');
    assert.equal(resolveImport('app/ui/X.tsx', 'zustand'), 'zustand');
    const edges = [
      ...edgesOf('app/ui/X.tsx', "import { B } from '../features/a/B.tsx';"),
      ...edgesOf('app/ui/deep/Y.tsx', "import type { C } from '../../features/c.ts';"),
      ...edgesOf('app/features/a/B.tsx', "import { X } from '../../ui/X.tsx';"),
      ...edgesOf('app/ui/Z.tsx', "import { f } from './features/f.ts';"),
    ];
    const found = violations(edges, [rule]);
    assert.deepEqual(
      found.map((v) => `${v.from}:${v.line} -> ${v.to}`),
      ['app/ui/X.tsx:1 -> app/features/a/B.tsx', 'app/ui/deep/Y.tsx:1 -> app/features/c.ts'],
    );
    assert.equal(found[0].rule, rule);
  });

  test('leaves the files a rule excepts alone', () => {
    const edges = edgesOf('app/ui/X.test.ts', "import { B } from '../features/B.tsx';");
    assert.equal(violations(edges, [rule]).length, 1);
    assert.equal(violations(edges, [{ ...rule, except: '**/*.test.ts' }]).length, 0);
  });
});
