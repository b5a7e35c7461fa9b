import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import {
  adminKubeconfig,
  entriesOf,
  type KubeconfigEntries,
  mergeIntoFile,
  mergeKubeconfig,
} from './kubeconfig.ts';

const entries: KubeconfigEntries = {
  cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'Q0E=' },
  user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' },
  context: { cluster: 'berth', user: 'berth' },
};

const existing = `# my clusters, hand-written
apiVersion: v1
kind: Config
clusters:
  # production first
  - name: prod
    cluster:
      server: https://prod.example:6443 # the load balancer
  - name: berth
    cluster:
      server: https://127.0.0.1:9999
users:
  - name: me
    user:
      token: abc
contexts:
  - name: prod
    context: { cluster: prod, user: me }
current-context: prod
preferences: {}
`;

test('merge adds the berth entries, keeps comments, order and the current context', () => {
  const out = mergeKubeconfig(existing, entries, { useContext: false });
  assert.ok(out.startsWith('# my clusters, hand-written\n'));
  assert.ok(out.includes('# production first'));
  assert.ok(out.includes('server: https://prod.example:6443 # the load balancer'));
  assert.ok(out.includes('context: { cluster: prod, user: me }'), 'flow style of other entries kept');
  const cfg = parse(out);
  assert.equal(cfg['current-context'], 'prod');
  assert.deepEqual(
    cfg.clusters.map((c: { name: string }) => c.name),
    ['prod', 'berth'],
    'the existing berth entry is replaced in place',
  );
  assert.equal(cfg.clusters[1].cluster.server, 'https://127.0.0.1:6443');
  assert.deepEqual(
    cfg.users.map((u: { name: string }) => u.name),
    ['me', 'berth'],
  );
  assert.deepEqual(cfg.contexts[1], { name: 'berth', context: { cluster: 'berth', user: 'berth' } });
  assert.equal(cfg.users[0].user.token, 'abc');
});

test('merge switches the current context only when asked, or when there is none', () => {
  assert.equal(parse(mergeKubeconfig(existing, entries, { useContext: true }))['current-context'], 'berth');
  const none = parse(mergeKubeconfig('', entries, { useContext: false }));
  assert.equal(none['current-context'], 'berth');
  assert.equal(none.kind, 'Config');
  const emptySections = parse(
    mergeKubeconfig('apiVersion: v1\nkind: Config\nclusters:\nusers: []\n', entries, { useContext: false }),
  );
  assert.equal(emptySections.clusters[0].name, 'berth');
});

test('a kubeconfig that is not YAML is refused, and the file is left as it was', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-kubeconfig-'));
  try {
    const file = path.join(dir, 'config');
    const broken = 'clusters: [\n  - name: x\n';
    await fs.writeFile(file, broken, { mode: 0o640 });
    await assert.rejects(mergeIntoFile(file, entries, { useContext: false }), /not a valid kubeconfig/);
    assert.equal(await fs.readFile(file, 'utf8'), broken);
    await fs.writeFile(file, existing, { mode: 0o640 });
    await mergeIntoFile(file, entries, { useContext: false });
    assert.equal((await fs.stat(file)).mode & 0o777, 0o640, 'the mode is kept');
    const fresh = path.join(dir, 'new', 'config');
    await mergeIntoFile(fresh, entries, { useContext: false });
    assert.equal((await fs.stat(fresh)).mode & 0o777, 0o600);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('the admin kubeconfig round-trips through entriesOf', () => {
  const text = adminKubeconfig(entries);
  assert.deepEqual(entriesOf(text), entries);
  assert.equal(parse(text)['current-context'], 'berth');
});
