import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { contextNamespace, hasContext, kubeConfigFor } from './context-config.ts';
import { KubeContexts, memoryActiveContext } from './contexts.ts';
import {
  configFor,
  kubeconfigPrecedence,
  readKubeconfigs,
  readKubeconfigsSync,
  withCurrentContext,
} from './kubeconfig-files.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kube-cfg-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const userConfig = `# my clusters
apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://prod.example:6443
    certificate-authority: ca.crt   # relative to this file
- name: berth
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: me
  user: {token: abc}
- name: berth
  user: {token: xyz}
contexts:
- name: prod
  context: {cluster: prod, user: me, namespace: shop}
- name: berth
  context: {cluster: berth, user: berth}
current-context: prod   # what kubectl uses
preferences: {}
`;
const second = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {server: "https://shadowed.example"}
- name: lab
  cluster: {server: "http://127.0.0.1:8001"}
users: [{name: me, user: {token: other}}]
contexts:
- {name: lab, context: {cluster: lab, user: me}}
- {name: prod, context: {cluster: lab, user: me}}
current-context: lab
`;

describe('the kubeconfig, as kubectl reads it', () => {
  const a = path.join(dir, 'a.yaml');
  const b = path.join(dir, 'b.yaml');
  writeFileSync(a, userConfig);
  writeFileSync(b, second);
  const env = { KUBECONFIG: [a, path.join(dir, 'missing'), b].join(path.delimiter), HOME: dir };

  test("$KUBECONFIG's files in order, else ~/.kube/config", () => {
    assert.deepEqual(kubeconfigPrecedence(env), [a, path.join(dir, 'missing'), b]);
    assert.deepEqual(kubeconfigPrecedence({ HOME: '/home/x' }), ['/home/x/.kube/config']);
    assert.deepEqual(kubeconfigPrecedence({ KUBECONFIG: '', HOME: '/h' }), ['/h/.kube/config']);
  });

  test("merged: the first file to name an entry wins; Berth's context first, then file order", async () => {
    const k = new KubeContexts({ env, active: memoryActiveContext() });
    const v = await k.view();
    assert.deepEqual(v.files, [a, b]);
    assert.equal(v.error, undefined);
    assert.deepEqual(v.contexts, [
      {
        name: 'berth',
        cluster: 'berth',
        server: 'https://127.0.0.1:6443',
        user: 'berth',
        berth: true,
        current: false,
      },
      {
        name: 'prod',
        cluster: 'prod',
        server: 'https://prod.example:6443',
        user: 'me',
        namespace: 'shop',
        berth: false,
        current: true,
      },
      {
        name: 'lab',
        cluster: 'lab',
        server: 'http://127.0.0.1:8001',
        user: 'me',
        berth: false,
        current: false,
      },
    ]);
    assert.equal(v.active, 'prod', "the kubeconfig's current context until the app chooses");
    const set = await readKubeconfigs(env);
    const prod = configFor(set, 'prod');
    assert.equal(
      prod?.getCurrentCluster()?.caFile,
      path.join(dir, 'ca.crt'),
      'paths are relative to their file',
    );
    assert.equal(prod?.getCurrentUser()?.token, 'abc');
  });

  test('the active context is the app choice and never written to the kubeconfig; useContext writes only current-context', async () => {
    const k = new KubeContexts({ env, active: memoryActiveContext() });
    const v = await k.setActive('lab');
    assert.equal(v.active, 'lab');
    assert.equal(readFileSync(a, 'utf8'), userConfig);
    await assert.rejects(k.setActive('nope'), /has no context nope/);
    const used = await k.useContext('berth');
    assert.equal(used.contexts.find((c) => c.current)?.name, 'berth');
    assert.equal(
      readFileSync(a, 'utf8'),
      userConfig.replace('current-context: prod', 'current-context: berth'),
    );
    assert.equal(readFileSync(b, 'utf8'), second, 'the other files are left alone');
    writeFileSync(a, userConfig);
  });

  test('current-context edits keep every other byte', () => {
    assert.equal(withCurrentContext('a: 1\n', 'x'), 'a: 1\ncurrent-context: x\n');
    assert.equal(withCurrentContext('a: 1', 'x'), 'a: 1\ncurrent-context: x\n');
    assert.equal(withCurrentContext('', 'x'), 'current-context: x\n');
    assert.equal(withCurrentContext('current-context: ""\n# c\n', 'y'), 'current-context: y\n# c\n');
    assert.equal(
      withCurrentContext('current-context:\nkind: Config\n', 'y'),
      'current-context: y\nkind: Config\n',
    );
    assert.equal(
      withCurrentContext("current-context: 'old' # why\n", 'a b: c'),
      'current-context: "a b: c" # why\n',
    );
    assert.throws(() => withCurrentContext('- a\n', 'x'), /not a mapping/);
  });

  test('a missing kubeconfig is an empty list; an unreadable one says why', async () => {
    const none = new KubeContexts({ env: { HOME: path.join(dir, 'nohome') }, active: memoryActiveContext() });
    assert.deepEqual(await none.view(), { contexts: [], active: null, files: [] });
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'clusters: [oops\n');
    const v = await new KubeContexts({ env: { KUBECONFIG: bad }, active: memoryActiveContext() }).view();
    assert.match(v.error ?? '', new RegExp(`cannot read ${bad}: `));
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, 'locked.yaml');
      writeFileSync(locked, second);
      chmodSync(locked, 0);
      const l = await new KubeContexts({ env: { KUBECONFIG: locked }, active: memoryActiveContext() }).view();
      assert.match(l.error ?? '', /EACCES/);
    }
  });
  test('a channel that must answer at once reads the same merge; Berth’s admin kubeconfig stands in for berth', async () => {
    const prod = kubeConfigFor('prod', env);
    assert.equal(prod.getCurrentContext(), 'prod');
    assert.equal(prod.getCurrentCluster()?.caFile, path.join(dir, 'ca.crt'), 'paths relative to their file');
    assert.equal(prod.getCurrentUser()?.token, 'abc', 'the first file to name the user wins');
    assert.equal(contextNamespace(prod), 'shop');
    assert.equal(contextNamespace(kubeConfigFor('lab', env)), 'default');
    assert.deepEqual(readKubeconfigsSync(env), await readKubeconfigs(env));

    const admin = path.join(dir, 'admin.kubeconfig');
    writeFileSync(
      admin,
      'apiVersion: v1\nkind: Config\nclusters: [{name: berth, cluster: {server: "https://127.0.0.1:7443"}}]\n' +
        'users: [{name: berth, user: {token: admin}}]\ncontexts: [{name: berth, context: {cluster: berth, user: berth}}]\n',
    );
    const lone = { KUBECONFIG: b, HOME: dir };
    assert.equal(hasContext('berth', lone), false);
    assert.equal(kubeConfigFor('berth', lone, [admin]).getCurrentCluster()?.server, 'https://127.0.0.1:7443');
    assert.equal(
      kubeConfigFor('berth', env, [admin]).getCurrentCluster()?.server,
      'https://127.0.0.1:6443',
      "the user's own entry first",
    );
    assert.throws(
      () => kubeConfigFor('nope', { KUBECONFIG: path.join(dir, 'bad2.yaml') }),
      (err: Error & { code?: string }) => err.code === 'kube.context_not_found',
    );
  });
});
