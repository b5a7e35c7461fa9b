// npm run bench kube-ui: the pods screen under issue 16's load, in web mode (Debian's Chromium, the built renderer): 1,000
// pods, and 100 of them changing status each second. The renderer alone is measured: its transport
// seam (`window.berth`, which the preload fills in Electron) is an in-page feed that sends the watch
// events main would (a snapshot, then batched changes every 50 ms), so the figures are the screen's
// and not a cluster's. Targets: first rows ≤ 300 ms after navigation, frame times p95 ≤ 33 ms while the
// changes stream, a search ≤ 100 ms from the keystroke to the list redrawn. The page's JS heap is
// reported beside them.
import { readdirSync, readFileSync } from 'node:fs';
import { Shell } from '../e2e/pages/shell.ts';
import { hasChromium, launchAppPage, startWebMode } from '../e2e/web-mode.ts';

const pods = 1000;
const changesPerSecond = 100;

/** The feed, as page script (a string: the Node tsconfig has no DOM types). */
const feed = `(() => {
  const pods = ${pods};
  const perBatch = ${changesPerSecond} / 20;
  const t0 = Date.now();
  const pod = (i, tick) => {
    const bad = (i + tick) % 7 === 0;
    return {
      kind: 'pods', uid: 'uid-' + i, name: 'web-' + String(i).padStart(4, '0'), namespace: 'ns-' + (i % 5),
      createdAt: new Date(t0 - i * 60000).toISOString(), resourceVersion: String(tick * pods + i),
      labels: { app: 'web', shard: String(i % 10) }, owner: { kind: 'ReplicaSet', name: 'web-5d8f7c9b6d' },
      deleting: false, status: bad ? 'CrashLoopBackOff' : 'Running', phase: 'Running', ready: bad ? 0 : 1,
      total: 1, restarts: tick, ip: '10.88.' + (i >> 8) + '.' + (i & 255), node: 'berth',
      containers: ['web'], initContainers: [],
    };
  };
  const contexts = {
    contexts: [{ name: 'bench', cluster: 'bench', server: 'https://127.0.0.1:6443', user: 'bench', berth: true, current: true }],
    active: 'bench', files: ['/tmp/bench.kubeconfig'],
  };
  window.__feed = { changes: 0 };
  window.berth = {
    async invoke(channel) {
      if (channel === 'kube.contexts') return { ok: true, value: contexts };
      return { ok: false, error: { kind: 'unsupported', code: 'bench', message: 'not in this benchmark' } };
    },
    subscribe(channel, params, on) {
      if (channel !== 'kube.watch') return () => {};
      let timer = null;
      setTimeout(() => {
        if (params.kind !== 'pods') {
          on({ type: 'event', event: { type: 'snapshot', rows: [], resourceVersion: '1' } });
          on({ type: 'event', event: { type: 'state', state: 'live' } });
          return;
        }
        const rows = [];
        for (let i = 0; i < pods; i++) rows.push(pod(i, 0));
        on({ type: 'event', event: { type: 'snapshot', rows, resourceVersion: '1' } });
        on({ type: 'event', event: { type: 'state', state: 'live' } });
        let tick = 0;
        timer = setInterval(() => {
          tick++;
          const upserts = [];
          for (let k = 0; k < perBatch; k++) upserts.push(pod((tick * 37 + k * 211) % pods, tick));
          window.__feed.changes += upserts.length;
          on({ type: 'event', event: { type: 'changes', upserts, deletes: [] } });
        }, 50);
      }, 0);
      return () => clearInterval(timer);
    },
  };
})()`;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Resident memory of a process and every process under it, in MiB. */
function treeRssMiB(pid: number): number {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // Gone meanwhile.
    }
  }
  let kib = 0;
  const walk = (p: number) => {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      return;
    }
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return kib / 1024;
}

if (!hasChromium) {
  console.log('kube-ui: no Chromium at /usr/bin/chromium (apt-get install -y chromium): not measured');
  process.exit(0);
}
const web = await startWebMode('unix:///nonexistent/berth-bench.sock');
const { browser, page } = await launchAppPage();
try {
  await page.addInitScript(feed);
  await new Shell(page).goto(web.url);
  await page.getByTestId('kube-active-context').filter({ hasText: 'bench' }).waitFor();
  // Navigation: the click, in the page, to the first row in the DOM.
  const firstRowsMs = (await page.evaluate(`new Promise((resolve) => {
    const nav = [...document.querySelectorAll('nav button')].find((b) => b.textContent.startsWith('Kubernetes'));
    const t = performance.now();
    const obs = new MutationObserver(() => {
      if (document.querySelector('[data-testid="kube-row"]')) {
        obs.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - t));
      }
    });
    obs.observe(document.body, { childList: true, subtree: true });
    nav.click();
  })`)) as number;
  await page.getByText(`${pods}`, { exact: true }).waitFor();

  // Frames while the feed streams: every requestAnimationFrame interval over 5 s.
  const frames = (await page.evaluate(`new Promise((resolve) => {
    const out = [];
    let last = performance.now();
    const end = last + 5000;
    const step = (t) => {
      out.push(t - last);
      last = t;
      if (t < end) requestAnimationFrame(step);
      else resolve(out);
    };
    requestAnimationFrame(step);
  })`)) as number[];
  const changes = (await page.evaluate('window.__feed.changes')) as number;
  const drawnStatuses = await page
    .getByTestId('kube-row')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));

  // A search: from its input event to the first time the list holds just the pod it names.
  await page.evaluate(`(() => {
    window.__search = { input: 0, done: 0 };
    document.addEventListener('input', (e) => { window.__search.input = e.timeStamp; }, true);
    const obs = new MutationObserver(() => {
      if (window.__search.input && document.querySelectorAll('[data-testid="kube-row"]').length === 1) {
        window.__search.done = performance.now();
        obs.disconnect();
      }
    });
    obs.observe(document.querySelector('.kube-screen'), { childList: true, subtree: true });
  })()`);
  await page.getByRole('searchbox', { name: 'Search pods' }).fill('web-0421');
  await page.getByText(`1 of ${pods}`).waitFor();
  const { input, done } = (await page.evaluate('window.__search')) as { input: number; done: number };
  const searchMs = done - input;
  const heap = (await page.evaluate('performance.memory ? performance.memory.usedJSHeapSize : 0')) as number;

  const serverMiB = web.child.pid ? treeRssMiB(web.child.pid) : 0;
  if (drawnStatuses.length <= 5 || drawnStatuses.length >= 80)
    throw new Error(`${drawnStatuses.length} rows drawn of ${pods}: the list is not virtualized`);
  if (changes < 400) throw new Error(`only ${changes} changes fed in 5 s`);
  const rows: [string, string, string][] = [
    ['first rows after navigation', `${Math.round(firstRowsMs)} ms`, '≤ 300 ms'],
    [
      `frame time while ${changesPerSecond} pods/s change (${frames.length} frames, ${changes} changes)`,
      `p50 ${percentile(frames, 50).toFixed(1)} / p95 ${percentile(frames, 95).toFixed(1)} / max ${Math.max(...frames).toFixed(1)} ms`,
      'p95 ≤ 33 ms',
    ],
    ['search, keystroke to the list redrawn', `${Math.round(searchMs)} ms`, '≤ 100 ms'],
    ['page JS heap with the list open', `${(heap / 2 ** 20).toFixed(1)} MiB`, 'reported'],
    ['web server (npm start -- --web) RSS with the list open', `${serverMiB.toFixed(0)} MiB`, 'reported'],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  const v = Math.max(...rows.map((r) => r[1].length));
  console.log(`\n${'metric'.padEnd(w)}  ${'value'.padEnd(v)}  target`);
  for (const [m, val, t] of rows) console.log(`${m.padEnd(w)}  ${val.padEnd(v)}  ${t}`);
} finally {
  await browser.close();
  await web.stop();
}
