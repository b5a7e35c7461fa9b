// The Kubernetes screens in web mode (Debian's Chromium) against two real berthd clusters named in one
// KUBECONFIG list, with kubectl preparing the state: a Deployment's pods listed with their readiness
// changing live, a scale from the UI that kubectl sees, a second context listed and switched to, a
// secret whose value stays hidden until asked, a port-forward started from a pod's detail, used and
// stopped, and the cluster card (state, version, merge, a reset refused with its reason). Screenshots of
// the screens go to test/e2e/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { entriesOf } from '../../native/orchestrator/apiserver/kubeconfig.ts';
import { kindWords } from '../../renderer/src/features/kubernetes/kinds.ts';
import { eventually, loadBusybox } from '../conformance/harness.ts';
import { type Cluster, startCluster } from '../conformance/kubernetes/cluster.ts';
import { freePort } from '../conformance/net.ts';
import { layoutProblems } from './layout.ts';
import { KubernetesPage } from './pages/kubernetes.ts';
import { Notices } from './pages/notices.ts';
import { Shell } from './pages/shell.ts';
import {
  appViewport,
  hasChromium,
  launchAppPage,
  screenshotsDir,
  startWebMode,
  type WebMode,
} from './web-mode.ts';

const skip = hasChromium ? false : 'no Chromium at /usr/bin/chromium: apt-get install -y chromium';

/** A Deployment whose pods turn ready when /tmp/ready exists in them (kubectl exec makes it). */
const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: busybox:latest
        command: [sh, -c, 'sleep 3600']
        readinessProbe: {exec: {command: [cat, /tmp/ready]}, periodSeconds: 1}
`;

/** A pod serving /etc on 8080, ready once httpd answers there. */
const httpPod = `apiVersion: v1
kind: Pod
metadata: {name: http, namespace: default, labels: {run: http}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: http
    image: busybox:latest
    command: [httpd, -f, -p, '8080', -h, /etc]
    ports: [{containerPort: 8080}]
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
`;

/** The second cluster's admin kubeconfig under other names, so both fit in one KUBECONFIG list. */
function renamed(kubeconfig: string, name: string, server?: string): string {
  const e = entriesOf(readFileSync(kubeconfig, 'utf8'));
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: server ? { ...e.cluster, server } : e.cluster }],
    users: [{ name, user: e.user }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  });
}

describe('Kubernetes in web mode', { skip }, () => {
  let one: Cluster;
  let two: Cluster;
  let dir: string;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  let kube: KubernetesPage;
  const shot = (name: string) => page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) });

  before(async () => {
    // Both at once: each picks a service range under a host-wide lock, clear of the other's addresses.
    [one, two] = await Promise.all([startCluster(), startCluster()]);
    const ranges = [one, two].map((c) =>
      c.ok(['get', 'service', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']),
    );
    assert.notEqual(ranges[0], ranges[1], `two clusters, two service ranges: ${ranges.join(' ')}`);
    await Promise.all([loadBusybox(one.daemon), loadBusybox(two.daemon)]);
    dir = mkdtempSync('/tmp/bt-kube-ui-');
    const second = path.join(dir, 'second.kubeconfig');
    writeFileSync(second, renamed(two.kubeconfig, 'second'));
    // A context whose server is a port nothing listens on: the screens must say so, with its name.
    const gone = path.join(dir, 'gone.kubeconfig');
    writeFileSync(gone, renamed(two.kubeconfig, 'gone', `https://127.0.0.1:${await freePort()}`));
    one.ok(['apply', '-f', '-'], deployment);
    one.ok([
      'create',
      'secret',
      'generic',
      'creds',
      '--from-literal=password=s3cret-Pa55',
      '--from-literal=user=admin',
    ]);
    one.ok(['create', 'service', 'nodeport', 'web', '--tcp=8080:80']);
    two.ok(['run', 'elsewhere', '--image=busybox:latest', '--restart=Never', '--', 'sleep', '3600']);
    web = await startWebMode(one.daemon.host, { env: { KUBECONFIG: `${one.kubeconfig}:${second}:${gone}` } });
    ({ browser, page } = await launchAppPage());
    mkdirSync(screenshotsDir, { recursive: true });
    await new Shell(page).goto(web.url);
    kube = new KubernetesPage(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    await Promise.all([one?.stop(), two?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the pods list shows the Deployment’s pods, and their readiness as it changes', async () => {
    await kube.open('Pods');
    assert.equal(await kube.context.inputValue(), 'berth', "Berth's context is the active one");
    await kube.activeContext.filter({ hasText: 'berth' }).waitFor();
    await eventually(async () => (await kube.rows.count()) === 2, 60_000, 'two pods of web');
    const pods = (await kube.names()).sort();
    assert.ok(
      pods.every((n) => n.startsWith('web-')),
      pods.join(),
    );
    await eventually(
      async () => (await kube.row(pods[0]).getAttribute('data-status')) === 'Running',
      60_000,
      `${pods[0]} running`,
    );
    assert.equal(await kube.row(pods[0]).getAttribute('data-ready'), '0/1', 'not ready before /tmp/ready');
    assert.match((await kube.row(pods[0]).textContent()) ?? '', /ReplicaSet\/web-/);

    one.ok(['exec', pods[0], '--', 'touch', '/tmp/ready']);
    await kube.row(pods[0]).and(page.locator('[data-ready="1/1"]')).waitFor({ timeout: 30_000 });
    assert.equal(await kube.row(pods[1]).getAttribute('data-ready'), '0/1', 'the other pod is as it was');
    one.ok(['exec', pods[1], '--', 'touch', '/tmp/ready']);
    await kube.row(pods[1]).and(page.locator('[data-ready="1/1"]')).waitFor({ timeout: 30_000 });

    await kube.search.fill(pods[1]);
    await eventually(async () => (await kube.names()).join() === pods[1], 5000, 'the search keeps one pod');
    await kube.search.fill('');
    // An age shows its date and time on hover (formatted then, not for every row as the list draws).
    const age = kube.row(pods[0]).locator('.kube-age');
    assert.equal(await age.getAttribute('title'), null);
    await age.hover();
    const created = one.ok(['get', 'pod', pods[0], '-o', 'jsonpath={.metadata.creationTimestamp}']);
    const local = await page.evaluate((iso) => new Date(iso).toLocaleString(), created);
    assert.equal(await age.getAttribute('title'), local);
    await page.mouse.move(0, 0);
    await shot('kube-pods');
  });

  test('scaling a deployment from the UI: kubectl sees the replicas', async () => {
    await kube.open('Deployments');
    await kube.row('web').waitFor();
    await kube.openObject('web');
    await kube.scale(3);
    await eventually(
      () => one.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']).trim() === '3',
      20_000,
      'kubectl sees 3 replicas',
    );
    await kube.detail.getByTestId('kube-facts').getByText('/3').first().waitFor({ timeout: 30_000 });
    await shot('kube-deployment');
    await kube.tab('History');
    await page.getByTestId('revision').first().waitFor();
    await kube.tab('YAML');
    assert.match((await page.getByTestId('object-yaml').textContent()) ?? '', /replicas: 3/);
  });

  test('editing a deployment’s YAML: a refused value is marked at its line; a good edit is stored', async () => {
    await kube.open('Deployments');
    await kube.openObject('web');
    await kube.tab('YAML');
    await page.getByRole('button', { name: 'Edit YAML', exact: true }).click();
    const editor = page.getByTestId('edit-yaml').getByLabel('YAML', { exact: true });
    const text = await editor.inputValue();
    assert.doesNotMatch(text, /^status:/m, 'what the server owns is left out');
    assert.match(text, /^ {2}resourceVersion: /m, 'the version the edit starts from is kept');
    const at = /^ {2}replicas: \d+$/m.exec(text);
    assert.ok(at, text);
    const line = text.slice(0, at.index).split('\n').length;
    await editor.fill(text.replace(at[0], '  replicas: -1'));
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByRole('status').getByText('The server refused the dry run: nothing was applied').waitFor();
    await page.locator(`.yaml-line-number.marked[data-line="${line}"]`).waitFor();
    const problem = page.locator('[aria-label="Problems"] li', { hasText: `Line ${line}` });
    assert.match((await problem.textContent()) ?? '', /spec\.replicas/);
    await problem.scrollIntoViewIfNeeded();
    await shot('kube-edit-yaml');
    assert.equal(one.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']).trim(), '3');

    // An annotation added and the replicas set to 2: the object is replaced, and the editor closes.
    const edited = text
      .replace(at[0], '  replicas: 2')
      .replace(/^ {2}annotations:\n/m, '  annotations:\n    edited-by: berth-e2e\n');
    await editor.fill(edited);
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByTestId('edit-yaml').waitFor({ state: 'detached', timeout: 20_000 });
    assert.equal(
      one.ok([
        'get',
        'deployment',
        'web',
        '-o',
        'jsonpath={.spec.replicas} {.metadata.annotations.edited-by}',
      ]),
      '2 berth-e2e',
    );
    await eventually(
      async () => /edited-by: berth-e2e/.test((await page.getByTestId('object-yaml').textContent()) ?? ''),
      20_000,
      'the YAML tab shows the stored object',
    );
  });

  test('a secret’s values stay hidden until asked', async () => {
    await kube.open('Secrets');
    await kube.row('creds').waitFor();
    assert.ok(!(await page.content()).includes('s3cret-Pa55'), 'not in the list');
    await kube.openObject('creds');
    await kube.tab('Data');
    await page.getByTestId('secret-key').first().waitFor();
    assert.equal(await page.getByTestId('secret-hidden').count(), 2);
    assert.ok(!(await page.content()).includes('s3cret-Pa55'), 'hidden in the detail');
    await page.getByRole('button', { name: 'Show password', exact: true }).click();
    await page.getByTestId('secret-value').filter({ hasText: 's3cret-Pa55' }).waitFor();
    assert.equal(await page.getByTestId('secret-hidden').count(), 1, 'only the key asked for is shown');
    await shot('kube-secret');
    await page.getByRole('button', { name: 'Hide password', exact: true }).click();
    assert.ok(!(await page.content()).includes('s3cret-Pa55'), 'hidden again');
    await kube.tab('YAML');
    const yaml = (await page.getByTestId('object-yaml').textContent()) ?? '';
    assert.match(yaml, /password: \(hidden/);
    assert.ok(!yaml.includes(Buffer.from('s3cret-Pa55').toString('base64')), 'nor in base64 in the YAML');
    assert.equal(
      await page.getByRole('button', { name: 'Edit YAML' }).count(),
      0,
      'no edit of hidden values',
    );
  });

  test('services list their type and ports; events are listed live', async () => {
    await kube.open('Services');
    await kube.row('web').waitFor();
    assert.equal(await kube.row('web').getAttribute('data-type'), 'NodePort');
    assert.match((await kube.row('web').textContent()) ?? '', /8080:\d+\/TCP/);
    await shot('kube-services');
    await kube.open('Events');
    await eventually(async () => (await kube.rows.count()) > 0, 20_000, 'events listed');
    await shot('kube-events');
  });

  test('a second context is listed; switching to it shows its pods, and the kubeconfig is not written', async () => {
    await kube.open('Pods');
    const options = await kube.context
      .locator('option')
      .evaluateAll((os) => os.map((o) => o.getAttribute('value')));
    assert.deepEqual(options, ['berth', 'gone', 'second'], "every context, Berth's first");
    const before = readFileSync(one.kubeconfig, 'utf8');
    await kube.useContext('second');
    await kube.row('elsewhere').waitFor({ timeout: 30_000 });
    assert.ok(!(await kube.names()).some((n) => n.startsWith('web-')), 'none of the first cluster’s pods');
    await shot('kube-second-context');
    assert.equal(readFileSync(one.kubeconfig, 'utf8'), before, 'switching wrote nothing');
    await kube.useContext('berth');
    await eventually(async () => (await kube.names()).some((n) => n.startsWith('web-')), 30_000, 'back');
  });

  test('a cluster that cannot be reached says so, with the context’s name, instead of an empty list', async () => {
    await kube.open('Pods');
    await kube.useContext('gone');
    await kube.problem.waitFor({ timeout: 60_000 });
    const text = (await kube.problem.textContent()) ?? '';
    assert.match(text, /context gone/);
    assert.equal(await kube.problem.getAttribute('data-kind'), 'unreachable', text);
    assert.equal(await kube.rows.count(), 0);
    await shot('kube-unreachable');
    await kube.useContext('berth');
    await eventually(async () => (await kube.names()).some((n) => n.startsWith('web-')), 30_000, 'back');
  });

  test('a port-forward from a pod’s detail: listed with its link, it answers on 127.0.0.1, and Stop ends it', async () => {
    // Ready once httpd listens: a pod that is Running may not be listening yet.
    one.ok(['apply', '-f', '-'], httpPod);
    await kube.open('Pods');
    await kube.row('http').and(page.locator('[data-ready="1/1"]')).waitFor({ timeout: 60_000 });
    await kube.openObject('http');
    await kube.tab('Port-forward');
    const remote = page.getByLabel('Remote port');
    await eventually(async () => (await remote.inputValue()) === '8080', 20_000, 'the declared port offered');
    await page.getByRole('button', { name: 'Forward', exact: true }).click();
    const forward = page.locator('tr[data-target="pod/http"]');
    await forward.locator('a').waitFor({ timeout: 20_000 });
    const url = (await forward.locator('a').getAttribute('href')) ?? '';
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const answer = await fetch(`${url}hostname`).then(
      (r) => r.text(),
      async (err: Error) => `${err.message}: ${await forward.textContent()}`,
    );
    assert.equal(answer.trim(), 'http', 'the pod answers');
    await shot('kube-port-forward');

    // Every forward is on the Port forwards screen too; Stop ends it there.
    await kube.nav.getByRole('button', { name: 'Port forwards', exact: true }).click();
    await forward.waitFor();
    await forward.getByRole('button', { name: 'Stop', exact: true }).click();
    await forward.waitFor({ state: 'detached', timeout: 10_000 });
    await assert.rejects(fetch(`${url}hostname`), 'nothing listens once stopped');
    one.ok(['delete', 'pod', 'http', '--wait=false']);
  });

  test('at 900×700 the Kubernetes screens hold: every list, a pod’s and a deployment’s tabs, Apply YAML, the forwards', async () => {
    const notices = new Notices(page);
    const found: string[] = [];
    const check = async (where: string) => {
      await notices.dismissAll();
      // Lists and tabs fill in over a moment (events, logs, the terminal): measure what the user sees.
      await page.waitForTimeout(300);
      for (const p of await layoutProblems(page)) found.push(`${where}: ${p}`);
    };
    await kube.open('Pods');
    await kube.useContext('berth');
    await kube.useNamespace(null);
    // A sort by a column the narrow window leaves out stays as it was: pods by node, descending (one
    // node: the ties go by name, ascending), where sorting by name instead would give the reverse.
    await eventually(
      async () => (await kube.names()).filter((n) => n.startsWith('web-')).length >= 2,
      30_000,
      'two pods of web',
    );
    await page.setViewportSize({ width: 1400, height: 700 });
    const nodeHeader = page.locator('thead').getByRole('button', { name: /^Node/ });
    await nodeHeader.click();
    await nodeHeader.click();
    await page.locator('thead').getByRole('button', { name: 'Node ↑' }).waitFor();
    const byName = [...(await kube.names())].sort();
    assert.deepEqual(await kube.names(), byName, 'one node: its pods by name');
    await page.setViewportSize({ width: 900, height: 700 });
    try {
      await nodeHeader.waitFor({ state: 'detached' });
      assert.deepEqual(await kube.names(), byName, 'still sorted by node with the node column gone');
      await page.locator('thead').getByRole('button', { name: /^Name/ }).click();
      for (const title of Object.values(kindWords).map((k) => k.title)) {
        await kube.open(title);
        await check(title);
      }
      await kube.open('Pods');
      let pod = '';
      await eventually(
        async () => {
          pod = (await kube.names()).find((n) => n.startsWith('web-')) ?? '';
          return pod !== '';
        },
        30_000,
        'a pod of web listed',
      );
      await kube.openObject(pod);
      for (const tab of ['Overview', 'Events', 'YAML', 'Logs', 'Terminal', 'Port-forward']) {
        await kube.tab(tab);
        await check(`pod ${tab}`);
      }
      // A forward to a port nothing in the pod listens on: it goes on listening, and says why the
      // connection failed, in the kubelet's words.
      await page.getByLabel('Remote port').fill('9');
      await page.getByRole('button', { name: 'Forward', exact: true }).click();
      const forward = page.locator(`tr[data-target="pod/${pod}"]`);
      await forward.locator('a').waitFor({ timeout: 20_000 });
      const url = (await forward.locator('a').getAttribute('href')) ?? '';
      await assert.rejects(fetch(url), 'the pod refuses port 9');
      await forward
        .getByRole('status')
        .filter({
          hasText:
            /^Last connection failed: error forwarding port 9 to pod web-[^,]+, uid [0-9a-f-]+: dial tcp4 [\d.]+:9: connect: connection refused$/,
        })
        .waitFor({ timeout: 10_000 });
      await check('pod Port-forward, a forward whose connection failed');
      await shot('kube-900-port-forward');
      await kube.open('Deployments');
      await kube.openObject('web');
      for (const tab of ['Overview', 'History', 'Events', 'YAML']) {
        await kube.tab(tab);
        await check(`deployment ${tab}`);
      }
      for (const tool of ['Apply YAML', 'Port forwards']) {
        await kube.nav.getByRole('button', { name: tool, exact: true }).click();
        await check(tool);
      }
      await forward.getByRole('button', { name: 'Stop', exact: true }).click();
      await forward.waitFor({ state: 'detached' });
    } finally {
      await page.setViewportSize(appViewport);
    }
    assert.deepEqual(found, []);
  });

  test('the cluster card: running with its version, on the dashboard and in Settings; the merge leaves the kubeconfig', async () => {
    const shell = new Shell(page);
    const before = readFileSync(one.kubeconfig, 'utf8');
    const version = JSON.parse(one.ok(['version', '-o', 'json'])).serverVersion.gitVersion as string;
    await shell.open('Dashboard');
    const card = page.getByRole('region', { name: 'Kubernetes cluster' });
    await card.getByTestId('cluster-state').filter({ hasText: 'Running' }).waitFor({ timeout: 30_000 });
    assert.match((await card.textContent()) ?? '', new RegExp(version.replaceAll('.', '\\.')));
    // No machine here: the cluster is another engine's, turned on or off there.
    assert.equal(await card.getByRole('checkbox', { name: 'Enable Kubernetes' }).isDisabled(), true);
    assert.match((await card.textContent()) ?? '', /The context "berth" is in your kubeconfig/);
    await card.getByRole('button', { name: 'Merge kubeconfig again', exact: true }).click();
    await new Notices(page).toast(/The context "berth" is already in .*: nothing to change/).waitFor();
    assert.equal(
      readFileSync(one.kubeconfig, 'utf8'),
      before,
      'the berth context was there: nothing written',
    );
    await shot('kube-cluster-card');

    await shell.open('Settings');
    const settings = page.getByRole('region', { name: 'Kubernetes cluster' });
    await settings.getByTestId('cluster-state').filter({ hasText: 'Running' }).waitFor({ timeout: 30_000 });
    // A reset needs the engine's data root on this machine (or a machine's agent): here it says why not,
    // and the cluster goes on.
    await settings.getByRole('button', { name: 'Reset cluster', exact: true }).click();
    await new Notices(page).confirm('Reset cluster');
    await settings
      .getByRole('alert')
      .filter({ hasText: /cannot be reset/ })
      .waitFor({ timeout: 10_000 });
    await settings.getByTestId('cluster-state').filter({ hasText: 'Running' }).waitFor();
    assert.ok(one.ok(['get', 'deployment', 'web']).includes('web'), 'nothing was wiped');
  });
});
