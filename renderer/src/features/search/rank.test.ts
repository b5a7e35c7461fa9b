import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerSummary } from '../../../../electron/contract/index.ts';
import { rankItems, scoreText, searchItems } from './rank.ts';

const container = (name: string, image = 'busybox', id = `${name}0123456789abcdef`): ContainerSummary => ({
  id,
  name,
  image,
  state: 'running',
  status: '',
  created: 0,
  ports: [],
});

const items = searchItems({
  containers: [container('web-server', 'nginx:1.27'), container('webhook'), container('db', 'postgres:16')],
  images: [
    { id: 'sha256:aaaa1111', tags: ['busybox:1.36', 'busybox:latest'], size: 1, created: 0, usedBy: [] },
    {
      id: 'sha256:bbbb2222',
      tags: ['nginx:1.27'],
      size: 1,
      created: 0,
      usedBy: [{ id: 'web-server-id', name: 'web-server', running: true }],
    },
  ],
  volumes: [{ name: 'pgdata', driver: 'local', mountpoint: '/x', labels: {}, usedBy: ['db'] }],
  networks: [
    {
      id: 'cafe0001',
      name: 'backend',
      driver: 'bridge',
      scope: 'local',
      internal: false,
      builtin: false,
      containers: [],
    },
  ],
  screens: [
    { route: { screen: 'images' }, label: 'Images' },
    { route: { screen: 'volumes' }, label: 'Volumes' },
  ],
});

const titles = (query: string) =>
  rankItems(items, query).flatMap((g) => g.hits.map((h) => `${g.kind}:${h.item.title}`));

test('scoreText: exact over prefix over a word start over a substring over letters in order', () => {
  const exact = scoreText('web', 'web');
  const prefix = scoreText('web', 'web-server');
  const word = scoreText('server', 'web-server');
  const inner = scoreText('erver', 'web-server');
  const letters = scoreText('wbsrv', 'web-server');
  assert.ok(exact > prefix && prefix > word && word > inner && inner > letters && letters > 0);
  assert.equal(scoreText('xyz', 'web-server'), 0);
  assert.equal(scoreText('x', 'box'), 400 - 2, 'one letter matches as a substring only');
  assert.equal(scoreText('q', 'web'), 0);
});

test('a partial container name finds it first; a closer name ranks above a looser one', () => {
  assert.deepEqual(titles('serv')[0], 'container:web-server');
  const web = titles('web');
  assert.deepEqual(web.slice(0, 2), ['container:webhook', 'container:web-server']);
});

test('an image by a tag, by the tag part alone and by its ID with or without sha256:', () => {
  assert.equal(titles('busybox:1.36')[0], 'image:busybox:1.36');
  assert.equal(titles('latest')[0], 'image:busybox:1.36');
  assert.equal(titles('bbbb22')[0], 'image:nginx:1.27');
  assert.equal(titles('sha256:aaaa')[0], 'image:busybox:1.36');
});

test('a container is found by its image too, below the image itself', () => {
  const nginx = titles('nginx');
  assert.ok(nginx.indexOf('image:nginx:1.27') < nginx.indexOf('container:web-server'), nginx.join());
  assert.ok(nginx.includes('container:web-server'));
});

test('volumes, networks and screens; groups ordered by their best hit; nothing for no match', () => {
  assert.equal(titles('pgd')[0], 'volume:pgdata');
  assert.equal(titles('backe')[0], 'network:backend');
  assert.equal(titles('volumes')[0], 'screen:Volumes');
  assert.deepEqual(titles('zzzz'), []);
  const groups = rankItems(items, 'db').map((g) => g.kind);
  assert.equal(groups[0], 'container');
});

test('an empty query lists the first items of each kind, in the fixed order of kinds', () => {
  const groups = rankItems(items, '  ', 2);
  assert.deepEqual(
    groups.map((g) => g.kind),
    ['container', 'image', 'volume', 'network', 'screen'],
  );
  assert.equal(groups[0].hits.length, 2);
});
