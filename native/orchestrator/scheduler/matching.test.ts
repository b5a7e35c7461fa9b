import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNode } from './fixtures.ts';
import { labelSelectorMatches, nodeSelectorMatches, requirementMatches, tolerates } from './matching.ts';

test('node selector requirements: In, NotIn, Exists, DoesNotExist, Gt, Lt', () => {
  const labels = { zone: 'a', cores: '8' };
  const cases: [string, string, string[] | undefined, boolean][] = [
    ['zone', 'In', ['a', 'b'], true],
    ['zone', 'In', ['b'], false],
    ['zone', 'NotIn', ['b'], true],
    ['zone', 'NotIn', ['a'], false],
    ['missing', 'NotIn', ['a'], true],
    ['zone', 'Exists', undefined, true],
    ['missing', 'Exists', undefined, false],
    ['missing', 'DoesNotExist', undefined, true],
    ['zone', 'DoesNotExist', undefined, false],
    ['cores', 'Gt', ['4'], true],
    ['cores', 'Gt', ['8'], false],
    ['cores', 'Lt', ['16'], true],
    ['zone', 'Gt', ['1'], false],
    ['cores', 'Bogus', ['8'], false],
  ];
  for (const [key, operator, values, want] of cases)
    assert.equal(requirementMatches({ key, operator, values }, labels), want, `${key} ${operator} ${values}`);
});

test('node selector terms are ORed, a term ANDed, an empty term matches nothing, matchFields names the node', () => {
  const node = makeNode('n1', { labels: { zone: 'a', disk: 'ssd' } });
  const term = (matchExpressions: unknown[], matchFields: unknown[] = []) => ({
    matchExpressions,
    matchFields,
  });
  const cases: [string, unknown[], boolean][] = [
    ['one matching term', [term([{ key: 'zone', operator: 'In', values: ['a'] }])], true],
    [
      'ANDed within a term',
      [
        term([
          { key: 'zone', operator: 'In', values: ['a'] },
          { key: 'disk', operator: 'In', values: ['hdd'] },
        ]),
      ],
      false,
    ],
    [
      'ORed across terms',
      [term([{ key: 'zone', operator: 'In', values: ['b'] }]), term([{ key: 'disk', operator: 'Exists' }])],
      true,
    ],
    ['an empty term', [term([])], false],
    [
      'matchFields metadata.name',
      [term([], [{ key: 'metadata.name', operator: 'In', values: ['n1'] }])],
      true,
    ],
    [
      'matchFields another name',
      [term([], [{ key: 'metadata.name', operator: 'In', values: ['n2'] }])],
      false,
    ],
    ['no terms', [], false],
  ];
  for (const [name, nodeSelectorTerms, want] of cases)
    assert.equal(nodeSelectorMatches({ nodeSelectorTerms }, node), want, name);
});

test('label selectors: nil matches nothing, {} everything', () => {
  assert.equal(labelSelectorMatches(undefined, { a: 'b' }), false);
  assert.equal(labelSelectorMatches({}, {}), true);
  assert.equal(labelSelectorMatches({ matchLabels: { a: 'b' } }, { a: 'b' }), true);
  assert.equal(
    labelSelectorMatches({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['b'] }] }, { a: 'b' }),
    false,
  );
});

test('tolerations: key, value, effect; Exists with no key tolerates everything', () => {
  const taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
  const cases: [Record<string, unknown>, boolean][] = [
    [{ key: 'k', value: 'v', effect: 'NoSchedule' }, true],
    [{ key: 'k', operator: 'Equal', value: 'v' }, true],
    [{ key: 'k', value: 'w' }, false],
    [{ key: 'k', operator: 'Exists' }, true],
    [{ key: 'k', operator: 'Exists', effect: 'NoExecute' }, false],
    [{ operator: 'Exists' }, true],
    [{ key: 'other', operator: 'Exists' }, false],
    [{ key: 'k', operator: 'Gt', value: 'v' }, false],
  ];
  for (const [t, want] of cases) assert.equal(tolerates(t, taint), want, JSON.stringify(t));
});
