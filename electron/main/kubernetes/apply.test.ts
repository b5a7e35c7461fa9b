import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ApplyServer, applyYaml, outcome } from './apply.ts';
import type { KubeObjectDoc } from './apply-documents.ts';
import type { KubeResponse } from './kube-request.ts';

/**
 * A small in-memory server: stores objects by path, bumps resourceVersion only when content changes,
 * refuses what `reject` says with a 422 Status, and records every request.
 */
function fakeServer(reject: (o: KubeObjectDoc) => KubeResponse | null = () => null) {
  const store = new Map<string, KubeObjectDoc>();
  const calls: string[] = [];
  let rv = 100;
  const server: ApplyServer = {
    async resource(apiVersion, kind) {
      const known: Record<string, { plural: string; namespaced: boolean }> = {
        'v1/ConfigMap': { plural: 'configmaps', namespaced: true },
        'v1/Namespace': { plural: 'namespaces', namespaced: false },
        'apps/v1/Deployment': { plural: 'deployments', namespaced: true },
      };
      return known[`${apiVersion}/${kind}`] ?? null;
    },
    async get(path) {
      calls.push(`GET ${path}`);
      return structuredClone(store.get(path) ?? null);
    },
    async apply(path, object, dryRun) {
      calls.push(`${dryRun ? 'DRY' : 'APPLY'} ${path}`);
      const refused = reject(object);
      if (refused) return refused;
      if (!dryRun && /\/namespaces\/([^/]+)\//.test(path)) {
        const ns = /\/namespaces\/([^/]+)\//.exec(path)![1];
        if (ns === 'team' && !store.has(`/api/v1/namespaces/${ns}`))
          return { status: 404, body: { details: { kind: 'namespaces', name: ns } }, text: '' };
      }
      if (dryRun && /\/namespaces\/([^/]+)\//.test(path)) {
        const ns = /\/namespaces\/([^/]+)\//.exec(path)![1];
        if (ns === 'team' && !store.has(`/api/v1/namespaces/${ns}`))
          return {
            status: 404,
            body: {
              reason: 'NotFound',
              message: `namespaces "${ns}" not found`,
              details: { kind: 'namespaces', name: ns },
            },
            text: '',
          };
      }
      const before = store.get(path);
      const content = (o: KubeObjectDoc | undefined) =>
        JSON.stringify({ ...o, metadata: { ...o?.metadata, resourceVersion: 0 } });
      const next = {
        ...object,
        metadata: { ...object.metadata, resourceVersion: before?.metadata.resourceVersion },
      };
      if (!before || content(before) !== content(next)) next.metadata.resourceVersion = String(++rv);
      if (!dryRun) store.set(path, next);
      else next.metadata.resourceVersion = before?.metadata.resourceVersion;
      return { status: before ? 200 : 201, body: next, text: '' };
    },
    async replace(path, object, dryRun) {
      calls.push(`${dryRun ? 'DRY-PUT' : 'PUT'} ${path}`);
      const before = store.get(path);
      if (!before) return { status: 404, body: { reason: 'NotFound', message: 'not found' }, text: '' };
      const want = object.metadata.resourceVersion;
      if (want && want !== before.metadata.resourceVersion)
        return {
          status: 409,
          body: {
            reason: 'Conflict',
            message: `Operation cannot be fulfilled on configmaps "${object.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
          },
          text: '',
        };
      const next = { ...object, metadata: { ...object.metadata, resourceVersion: String(++rv) } };
      if (!dryRun) store.set(path, next);
      return { status: 200, body: dryRun ? { ...next, metadata: before.metadata } : next, text: '' };
    },
  };
  return { server, store, calls };
}

const cm = (name: string, value: string, ns = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}data:\n  k: "${value}"\n`;

test('created, then unchanged, then configured; the default namespace is the context’s', async () => {
  const { server, store } = fakeServer();
  const first = await applyYaml(server, { yaml: cm('a', '1'), dryRun: false }, 'dev');
  assert.deepEqual(
    first.map((r) => [r.outcome, r.kind, r.name, r.namespace, r.line]),
    [['created', 'ConfigMap', 'a', 'dev', 1]],
  );
  assert.ok(store.has('/api/v1/namespaces/dev/configmaps/a'));
  const again = await applyYaml(server, { yaml: cm('a', '1'), dryRun: false }, 'dev');
  assert.equal(again[0].outcome, 'unchanged');
  const changed = await applyYaml(server, { yaml: cm('a', '2'), dryRun: false, namespace: 'dev' }, 'other');
  assert.equal(changed[0].outcome, 'configured');
});

test('a dry run persists nothing and still says what would happen', async () => {
  const { server, store, calls } = fakeServer();
  const r = await applyYaml(server, { yaml: cm('a', '1'), dryRun: true }, 'default');
  assert.equal(r[0].outcome, 'created');
  assert.equal(store.size, 0);
  assert.ok(
    calls.every((c) => !c.startsWith('APPLY')),
    calls.join('\n'),
  );
});

test('a syntax error sends nothing: the invalid document says its line, the others that they were not sent', async () => {
  const { server, calls } = fakeServer();
  const yaml = `${cm('a', '1')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [b\n`;
  const r = await applyYaml(server, { yaml, dryRun: false }, 'default');
  assert.deepEqual(calls, []);
  assert.equal(r[0].outcome, 'unchanged');
  assert.match(r[0].message ?? '', /not sent: document 2 \(line 8\)/);
  assert.equal(r[1].outcome, 'invalid');
  assert.equal(r[1].line, 8);
  assert.ok((r[1].causes?.[0].line ?? 0) >= 11, JSON.stringify(r[1]));
});

test("a refused dry run applies nothing; the server's causes come back at their lines", async () => {
  const { server, store, calls } = fakeServer((o) =>
    o.metadata.name === 'bad'
      ? {
          status: 422,
          body: {
            kind: 'Status',
            message: 'ConfigMap "bad" is invalid: data.k: Invalid value',
            reason: 'Invalid',
            details: { causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value', field: 'data.k' }] },
          },
          text: '',
        }
      : null,
  );
  const r = await applyYaml(
    server,
    { yaml: `${cm('good', '1')}---\n${cm('bad', '1')}`, dryRun: false },
    'default',
  );
  assert.equal(store.size, 0, 'nothing was created');
  assert.ok(
    calls.every((c) => !c.startsWith('APPLY')),
    calls.join('\n'),
  );
  assert.equal(r[0].outcome, 'unchanged');
  assert.match(r[0].message ?? '', /failed the server's dry run/);
  assert.equal(r[1].outcome, 'failed');
  assert.equal(r[1].message, 'ConfigMap "bad" is invalid: data.k: Invalid value');
  assert.deepEqual(r[1].causes, [{ field: 'data.k', message: 'Invalid value', line: 13 }]);
});

test('a kind the server does not know fails its document and stops the apply', async () => {
  const { server, store } = fakeServer();
  const yaml = `${cm('a', '1')}---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n`;
  const r = await applyYaml(server, { yaml, dryRun: false }, 'default');
  assert.equal(store.size, 0);
  assert.deepEqual(
    r.map((x) => x.outcome),
    ['unchanged', 'failed'],
  );
  assert.match(r[1].message ?? '', /no kind Widget in example.com\/v1/);
});

test('a namespace made earlier in the same YAML counts as there for the dry run of what goes in it', async () => {
  const { server, store } = fakeServer();
  const yaml = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n---\n${cm('a', '1', 'team')}`;
  const r = await applyYaml(server, { yaml, dryRun: false }, 'default');
  assert.deepEqual(
    r.map((x) => [x.outcome, x.namespace]),
    [
      ['created', undefined],
      ['created', 'team'],
    ],
  );
  assert.ok(store.has('/api/v1/namespaces/team/configmaps/a'));
});

test('outcome: 201 is created; a dry run compares content, a real apply the resourceVersion', () => {
  const obj = (rv: string, k = '1') =>
    ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', resourceVersion: rv },
      data: { k },
    }) as KubeObjectDoc;
  const res = (status: number, body: KubeObjectDoc): KubeResponse => ({ status, body, text: '' });
  assert.equal(outcome(res(201, obj('2')), null, false), 'created');
  assert.equal(outcome(res(200, obj('2')), obj('2'), false), 'unchanged');
  assert.equal(outcome(res(200, obj('3')), obj('2'), false), 'configured');
  assert.equal(outcome(res(200, obj('2', '1')), obj('2', '1'), true), 'unchanged');
  assert.equal(outcome(res(200, obj('2', '9')), obj('2', '1'), true), 'configured');
});

test('an edit replaces the one object it holds: what it removed goes, an older version is refused', async () => {
  const { server, store, calls } = fakeServer();
  const path = '/api/v1/namespaces/default/configmaps/a';
  await applyYaml(server, { yaml: `${cm('a', '1')}  other: "x"\n`, dryRun: false }, 'default');
  assert.deepEqual(store.get(path)?.data, { k: '1', other: 'x' });
  const rv = store.get(path)?.metadata.resourceVersion;
  const edited = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  resourceVersion: "${rv}"\ndata:\n  k: "2"\n`;
  calls.length = 0;
  const r = await applyYaml(server, { yaml: edited, dryRun: false, replace: true }, 'default');
  assert.deepEqual(calls, [`GET ${path}`, `DRY-PUT ${path}`, `PUT ${path}`]);
  assert.equal(r[0].outcome, 'configured');
  assert.deepEqual(store.get(path)?.data, { k: '2' }, 'the key the edit removed is gone');

  // The same text again: its resourceVersion is now an old one.
  const stale = await applyYaml(server, { yaml: edited, dryRun: false, replace: true }, 'default');
  assert.equal(stale[0].outcome, 'failed');
  assert.match(stale[0].message ?? '', /the object has been modified/);
  assert.deepEqual(store.get(path)?.data, { k: '2' });

  const two = await applyYaml(
    server,
    { yaml: `${cm('a', '1')}---\n${cm('b', '1')}`, dryRun: false, replace: true },
    'default',
  );
  assert.deepEqual(
    two.map((x) => [x.outcome, x.message]),
    [
      ['invalid', 'an edit replaces one object: this text has 2 documents'],
      ['invalid', 'an edit replaces one object: this text has 2 documents'],
    ],
  );
});
