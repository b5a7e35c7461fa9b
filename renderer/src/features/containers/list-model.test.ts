import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerSummary } from '../../../../electron/contract/index.ts';
import { filterContainers, listRows, stateSummary } from './list-model.ts';

function c(name: string, extra: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    id: `${name}-id`,
    name,
    image: 'busybox',
    state: 'running',
    status: '',
    created: 0,
    ports: [],
    ...extra,
  };
}

const any = { search: '', onlyRunning: false, health: 'any' as const };
const names = (list: { name: string }[]) => list.map((x) => x.name);

test('search matches name, image, id prefix, state, health, compose project and service', () => {
  const list = [
    c('alpha-1'),
    c('beta', { state: 'exited' }),
    c('sick', { health: 'unhealthy' }),
    c('shop_web_1', { composeProject: 'shop', composeService: 'frontend' }),
  ];
  assert.deepEqual(names(filterContainers(list, { ...any, search: 'ALPHA' })), ['alpha-1']);
  assert.deepEqual(names(filterContainers(list, { ...any, search: 'exited' })), ['beta']);
  assert.deepEqual(names(filterContainers(list, { ...any, search: 'unhealthy' })), ['sick']);
  assert.deepEqual(names(filterContainers(list, { ...any, search: 'shop' })), ['shop_web_1']);
  assert.deepEqual(names(filterContainers(list, { ...any, search: 'frontend' })), ['shop_web_1']);
  assert.equal(filterContainers(list, { ...any, search: 'busybox' }).length, 4);
  assert.equal(filterContainers(list, { ...any, search: '  ' }).length, 4);
});

test('only running and the health filter', () => {
  const list = [
    c('up'),
    c('down', { state: 'exited' }),
    c('sick', { health: 'unhealthy' }),
    c('fine', { health: 'healthy' }),
  ];
  assert.deepEqual(names(filterContainers(list, { ...any, onlyRunning: true })), ['up', 'sick', 'fine']);
  assert.deepEqual(names(filterContainers(list, { ...any, health: 'unhealthy' })), ['sick']);
  assert.deepEqual(names(filterContainers(list, { ...any, health: 'healthy' })), ['fine']);
});

test('a compose project is one row with its containers under it, placed by the sort; collapsed, alone', () => {
  const list = [
    c('zeta'),
    c('shop_worker_1', { composeProject: 'shop', state: 'exited' }),
    c('alpha'),
    c('shop_db_1', { composeProject: 'shop' }),
  ];
  const rows = (o: Partial<Parameters<typeof listRows>[1]> = {}) =>
    listRows(list, { sort: { key: 'name', descending: false }, usage: {}, collapsed: {}, ...o }).map((r) =>
      r.kind === 'project' ? `[${r.project}]` : `${r.inProject ? '  ' : ''}${r.container.name}`,
    );
  assert.deepEqual(rows(), ['alpha', '[shop]', '  shop_db_1', '  shop_worker_1', 'zeta']);
  assert.deepEqual(rows({ collapsed: { shop: true } }), ['alpha', '[shop]', 'zeta']);
  assert.deepEqual(rows({ sort: { key: 'name', descending: true } }), [
    'zeta',
    '[shop]',
    '  shop_worker_1',
    '  shop_db_1',
    'alpha',
  ]);
  // By CPU, busiest first; a project counts the sum of its containers; no figures sort last.
  const usage = {
    'zeta-id': { id: 'zeta-id', cpuPercent: 5, memoryUsage: 1, memoryLimit: 0 },
    'shop_db_1-id': { id: 'shop_db_1-id', cpuPercent: 30, memoryUsage: 1, memoryLimit: 0 },
  };
  assert.deepEqual(rows({ sort: { key: 'cpu', descending: false }, usage }), [
    '[shop]',
    '  shop_db_1',
    '  shop_worker_1',
    'zeta',
    'alpha',
  ]);
  assert.deepEqual(rows({ sort: { key: 'state', descending: false }, collapsed: { shop: true } }), [
    'alpha',
    '[shop]',
    'zeta',
  ]);
});

test('stateSummary counts states, running first', () => {
  assert.equal(
    stateSummary([c('a', { state: 'exited' }), c('b'), c('d', { state: 'exited' })]),
    '1 running, 2 exited',
  );
});
