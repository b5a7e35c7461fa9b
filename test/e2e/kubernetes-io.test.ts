// Kubernetes I/O in web mode (Debian's Chromium) against berthd's cluster, with kubectl preparing and
// checking the state: an apply whose YAML the server refuses shows the error at its line and creates
// nothing; a pod's logs follow new lines; a command typed in a pod's terminal runs there.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { eventually, loadBusybox } from '../conformance/harness.ts';
import { type Cluster, startCluster } from '../conformance/kubernetes/cluster.ts';
import { TerminalPane } from './pages/terminal.ts';
import { hasChromium, launchAppPage, screenshotsDir, startWebMode, type WebMode } from './web-mode.ts';

const skip = hasChromium ? false : 'no Chromium at /usr/bin/chromium: apt-get install -y chromium';

const badYaml = `apiVersion: v1
kind: ConfigMap
metadata:
  name: e2e-first
data:
  a: "1"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: e2e-broken
spec:
  replicas: 1
  selector:
    matchLabels: {app: e2e-broken}
  template:
    metadata:
      labels: {app: e2e-broken}
    spec:
      containers:
        - name: main
          image: ""
`;

describe('Kubernetes apply, pod logs and pod terminal in web mode', { skip }, () => {
  let c: Cluster;
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) });
  const go = async (hash: string) => {
    await page.goto(`${web.url}${hash}`);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  };

  before(async () => {
    mkdirSync(screenshotsDir, { recursive: true });
    c = await startCluster();
    await loadBusybox(c.daemon, 'busybox:1.36');
    c.ok([
      'run',
      'e2e-ticker',
      '--image=busybox:1.36',
      '--restart=Never',
      '--',
      'sh',
      '-c',
      'i=0; while true; do echo tick-$i; i=$((i+1)); sleep 1; done',
    ]);
    // The app reads the cluster's admin kubeconfig as the user's: its context is `berth`.
    web = await startWebMode(c.daemon.host, { env: { KUBECONFIG: c.kubeconfig, HOME: c.home } });
    ({ browser, page } = await launchAppPage({ width: 1100, height: 760 }));
    c.ok(['wait', '--for=condition=Ready', 'pod/e2e-ticker', '--timeout=60s']);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    await c?.stop();
  });

  test('a syntax error is marked as typed and nothing is sent', async () => {
    await go('#/kubernetes/apply/berth');
    const editor = page.getByLabel('YAML', { exact: true });
    await editor.fill('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e2e-syntax\ndata: {a: [1\n');
    await page.locator('[aria-label="Problems"] li').first().waitFor();
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page
      .getByRole('status')
      .getByText(/Fix the YAML first .*nothing was sent/)
      .waitFor();
    assert.equal(c.kubectl(['get', 'configmap', 'e2e-syntax']).code, 1);
  });

  test('an apply the server refuses shows its error at the line, and creates nothing', async () => {
    await go('#/kubernetes/apply/berth');
    await page.getByLabel('YAML', { exact: true }).fill(badYaml);
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByRole('status').getByText('The server refused the dry run: nothing was applied').waitFor();
    // Line 22 (`image: ""`) is marked in the gutter and listed with the server's words.
    await page.locator('.yaml-line-number.marked[data-line="22"]').waitFor();
    const problem = page.locator('[aria-label="Problems"] li', { hasText: 'Line 22' });
    assert.match((await problem.textContent()) ?? '', /containers\[0\]\.image/);
    // The results are the dry run's: the ConfigMap would be created, the Deployment failed.
    const rows = page.locator('[aria-label="Apply results"] tbody tr');
    assert.deepEqual(await rows.locator('.badge').allTextContents(), ['would be created', 'failed']);
    await shot('kubernetes-apply-error');
    assert.equal(
      c.kubectl(['get', 'configmap', 'e2e-first']).code,
      1,
      'kubectl: the ConfigMap was not created',
    );
    assert.equal(c.kubectl(['get', 'deployment', 'e2e-broken']).code, 1);

    // Fixed, it applies: the results say created, and kubectl sees both.
    await page.getByLabel('YAML', { exact: true }).fill(badYaml.replace('image: ""', 'image: busybox:1.36'));
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByRole('status').getByText('Applied: 2 created').waitFor();
    assert.equal(c.ok(['get', 'configmap', 'e2e-first', '-o', 'name']).trim(), 'configmap/e2e-first');
    assert.equal(
      c.ok(['get', 'deployment', 'e2e-broken', '-o', 'name']).trim(),
      'deployment.apps/e2e-broken',
    );
  });

  test("a pod's logs: the lines so far, then new ones as they come", async () => {
    await go('#/kubernetes/pod/berth/default/e2e-ticker/logs');
    const box = page.getByRole('log', { name: /Logs of e2e-ticker/ });
    const lines = () => box.locator('.log-line').allInnerTexts();
    await eventually(async () => (await lines()).includes('tick-0'), 15_000, 'the first line');
    const first = (await lines()).length;
    await eventually(async () => (await lines()).length >= first + 2, 15_000, 'new lines while following');
    const all = await lines();
    assert.deepEqual(
      all,
      all.map((_, i) => `tick-${i}`),
    );
    await shot('kubernetes-pod-logs');
  });

  test("a command typed in the pod's terminal runs in the pod", async () => {
    await go('#/kubernetes/pod/berth/default/e2e-ticker/terminal');
    const term = new TerminalPane(page);
    await term.connected();
    await term.type('echo "$(hostname)-$((6*7))"\n');
    await eventually(
      async () => (await term.lines()).includes('e2e-ticker-42'),
      15_000,
      'the command’s output in the terminal',
    );
    await shot('kubernetes-pod-terminal');
  });
});
