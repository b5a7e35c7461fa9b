// The real kubectl 1.32 against berthd --kubernetes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { repoRoot } from '../harness.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
before(async () => {
  c = await startCluster();
});
after(() => c?.stop());

const ok = (args: string[], input?: string) => c.ok(args, input);

describe('discovery', () => {
  test('a first kubectl (empty cache) finds everything without a 406 or a fallback', () => {
    const home = mkdtempSync('/tmp/bt-kube-v6-');
    try {
      const r = c.kubectl(['get', 'pods', '--v=6'], { home });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /GET https:\/\/127\.0\.0\.1:\d+\/api\?timeout=32s 200 OK/);
      assert.match(r.stderr, /GET https:\/\/127\.0\.0\.1:\d+\/apis\?timeout=32s 200 OK/);
      assert.doesNotMatch(r.stderr, / 406 |fallback|falling back|Failed|failed|couldn't get/i);
      // Aggregated discovery answered both: no per-group-version requests were needed.
      assert.doesNotMatch(r.stderr, /GET [^ ]*\/apis\/apps\/v1\?/);
      assert.match(r.stderr, /No resources found in default namespace\./);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('api-resources lists every kind with its short names', () => {
    const out = ok(['api-resources']);
    const rows = out
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows[0], ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    const find = (name: string, version: string) => rows.find((r) => r[0] === name && r.includes(version));
    assert.deepEqual(find('pods', 'v1'), ['pods', 'po', 'v1', 'true', 'Pod']);
    assert.deepEqual(find('deployments', 'apps/v1'), [
      'deployments',
      'deploy',
      'apps/v1',
      'true',
      'Deployment',
    ]);
    assert.deepEqual(find('namespaces', 'v1'), ['namespaces', 'ns', 'v1', 'false', 'Namespace']);
    assert.deepEqual(find('leases', 'coordination.k8s.io/v1'), [
      'leases',
      'coordination.k8s.io/v1',
      'true',
      'Lease',
    ]);
    for (const kind of [
      'Node',
      'Service',
      'Endpoints',
      'EndpointSlice',
      'ConfigMap',
      'Secret',
      'ServiceAccount',
      'Event',
      'ReplicaSet',
      'StatefulSet',
      'DaemonSet',
      'Job',
      'CronJob',
      'PersistentVolumeClaim',
      'StorageClass',
    ])
      assert.ok(
        rows.some((r) => r[r.length - 1] === kind),
        kind,
      );
  });

  test('api-versions', () => {
    assert.deepEqual(ok(['api-versions']).trim().split('\n'), [
      'apiextensions.k8s.io/v1',
      'apps/v1',
      'authentication.k8s.io/v1',
      'authorization.k8s.io/v1',
      'autoscaling/v1',
      'autoscaling/v2',
      'batch/v1',
      'coordination.k8s.io/v1',
      'discovery.k8s.io/v1',
      'events.k8s.io/v1',
      'metrics.k8s.io/v1beta1',
      'networking.k8s.io/v1',
      'policy/v1',
      'rbac.authorization.k8s.io/v1',
      'scheduling.k8s.io/v1',
      'storage.k8s.io/v1',
      'v1',
    ]);
  });

  test('explain reads the OpenAPI v3 documents', () => {
    const out = ok(['explain', 'pod.spec.containers']);
    assert.match(out, /^KIND:\s+Pod\nVERSION:\s+v1\n/);
    assert.match(out, /FIELD: containers <\[\]Container>/);
    assert.match(out, /imagePullPolicy\t<string>/);
    assert.match(ok(['explain', 'deployments.spec.strategy']), /GROUP:\s+apps/);
  });

  test('an anonymous request is 401', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: c.port, path: '/api', rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    assert.equal(status, 401);
  });

  test('an idle connection is kept open past Node’s 5 s, so a client back after a pause needs no new handshake', async () => {
    const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
    let handshakes = 0;
    const get = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = https.get({ host: '127.0.0.1', port: c.port, path: '/api', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('socket', (s) => s.once('secureConnect', () => handshakes++));
        req.on('error', reject);
      });
    try {
      assert.deepEqual(await get(), { status: 401, reused: false });
      await new Promise((r) => setTimeout(r, 6500));
      assert.deepEqual(await get(), { status: 401, reused: true });
      assert.equal(handshakes, 1);
    } finally {
      agent.destroy();
    }
  });
});

describe('objects', () => {
  test('the default namespaces, printed as a real cluster prints them', () => {
    const out = ok(['get', 'ns']);
    const lines = out.trim().split('\n');
    assert.match(lines[0], /^NAME\s+STATUS\s+AGE$/);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2)),
      [
        ['default', 'Active'],
        ['kube-node-lease', 'Active'],
        ['kube-public', 'Active'],
        ['kube-system', 'Active'],
      ],
    );
  });

  test('get pods in an empty namespace', () => {
    const r = c.kubectl(['get', 'pods']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'No resources found in default namespace.\n');
  });

  test('create ns, then get it as YAML', () => {
    assert.equal(ok(['create', 'ns', 'team-a']), 'namespace/team-a created\n');
    const ns = parse(ok(['get', 'ns', 'team-a', '-o', 'yaml']));
    assert.equal(ns.kind, 'Namespace');
    assert.equal(ns.metadata.name, 'team-a');
    assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], 'team-a');
    assert.equal(ns.status.phase, 'Active');
    assert.match(ns.metadata.uid, /^[0-9a-f-]{36}$/);
    const again = c.kubectl(['create', 'ns', 'team-a']);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'Error from server (AlreadyExists): namespaces "team-a" already exists\n');
  });

  test('create configmap, get cm -A, delete', () => {
    assert.equal(
      ok([
        'create',
        'configmap',
        'settings',
        '-n',
        'team-a',
        '--from-literal=mode=fast',
        '--from-literal=level=3',
      ]),
      'configmap/settings created\n',
    );
    const all = ok(['get', 'cm', '-A']);
    assert.match(all.split('\n')[0], /^NAMESPACE\s+NAME\s+DATA\s+AGE$/);
    assert.match(all, /\nteam-a\s+settings\s+2\s+\d+s\n/);
    const cm = JSON.parse(ok(['get', 'cm', 'settings', '-n', 'team-a', '-o', 'json']));
    assert.deepEqual(cm.data, { level: '3', mode: 'fast' });
    assert.equal(ok(['delete', 'cm', 'settings', '-n', 'team-a']), 'configmap "settings" deleted\n');
    const gone = c.kubectl(['get', 'cm', 'settings', '-n', 'team-a']);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, 'Error from server (NotFound): configmaps "settings" not found\n');
  });

  test('get cm -w prints a change as it happens', async () => {
    const w = c.kubectlAsync(['get', 'cm', '-n', 'team-a', '-w', '--v=6']);
    try {
      // --v=6 logs the watch request once the server answered it.
      assert.ok(
        await eventually(() => /configmaps\?[^ ]*watch=true[^ ]* 200 OK/.test(w.stderr())),
        w.stderr(),
      );
      ok(
        ['create', '-f', '-'],
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched, namespace: team-a}\ndata: {a: b}\n',
      );
      assert.ok(
        await eventually(() => /watched\s+1\s+\d+s/.test(w.stdout())),
        `watch printed: ${w.stdout()}`,
      );
      assert.match(w.stdout(), /^NAME\s+DATA\s+AGE\n/);
    } finally {
      await w.stop();
    }
  });

  test('create deployment (a protobuf body) and get it -o wide', async () => {
    assert.equal(
      ok(['create', 'deployment', 'web', '--image=127.0.0.1:1/nginx:1.27', '--replicas=2', '-n', 'team-a']),
      'deployment.apps/web created\n',
    );
    const wide = () => ok(['get', 'deploy', '-n', 'team-a', '-o', 'wide']);
    assert.match(wide(), /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\n/);
    // The Deployment controller makes the ReplicaSet and its pods: both up to date (none ready
    // without a kubelet).
    const row = /\nweb\s+0\/2\s+2\s+0\s+\d+s\s+nginx\s+127\.0\.0\.1:1\/nginx:1\.27\s+app=web\n/;
    assert.ok(await eventually(() => row.test(wide())), wide());
    const d = JSON.parse(ok(['get', 'deploy', 'web', '-n', 'team-a', '-o', 'json']));
    assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal(d.metadata.generation, 1);
  });

  test('a manifest with an unknown field is refused (server-side strict validation)', () => {
    const r = c.kubectl(['create', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: typo, namespace: team-a}\ndatta: {a: b}\n',
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /strict decoding error: unknown field "datta"/);
  });

  test('an invalid object is refused naming the field', () => {
    const r = c.kubectl(['create', 'configmap', 'Bad_Name', '-n', 'team-a']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: failed to create configmap: ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    const f = c.kubectl(['create', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name, namespace: team-a}\n',
    });
    assert.equal(f.code, 1);
    assert.match(
      f.stderr,
      /^The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": /,
    );
  });
});

describe('RBAC objects', () => {
  // What charts carry beside their workloads: an account, a role and its binding, a cluster-wide pair.
  const chart = `apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: rbac-demo}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: rbac-demo}
rules:
- apiGroups: [""]
  resources: [pods, pods/log]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: app-reads-pods, namespace: rbac-demo}
subjects:
- {kind: ServiceAccount, name: app, namespace: rbac-demo}
- {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "rbac-demo:node-viewer"}
rules:
- {apiGroups: [""], resources: [nodes], verbs: [get, list]}
- {nonResourceURLs: ["/healthz"], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "rbac-demo:node-viewer"}
subjects:
- {kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "rbac-demo:node-viewer"}
`;

  test('a chart-like manifest applies, applies again unchanged, and prints as a real cluster prints it', () => {
    ok(['create', 'namespace', 'rbac-demo']);
    assert.deepEqual(ok(['apply', '-f', '-'], chart).trim().split('\n'), [
      'serviceaccount/app created',
      'role.rbac.authorization.k8s.io/pod-reader created',
      'rolebinding.rbac.authorization.k8s.io/app-reads-pods created',
      'clusterrole.rbac.authorization.k8s.io/rbac-demo:node-viewer created',
      'clusterrolebinding.rbac.authorization.k8s.io/rbac-demo:node-viewer created',
    ]);
    assert.match(
      ok(['apply', '-f', '-'], chart),
      /rolebinding.rbac.authorization.k8s.io\/app-reads-pods unchanged/,
    );
    const wide = ok(['get', 'rolebindings', '-n', 'rbac-demo', '-o', 'wide']).trim().split('\n');
    assert.deepEqual(wide[0].split(/\s+/), ['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS']);
    const row = wide[1].split(/\s+/);
    assert.deepEqual(
      [row[0], row[1], row[3], row[4], row[5]],
      ['app-reads-pods', 'Role/pod-reader', 'jane', '<none>', 'rbac-demo/app'],
    );
    const roles = ok(['get', 'clusterroles']).trim().split('\n');
    assert.deepEqual(roles[0].split(/\s{2,}/), ['NAME', 'CREATED AT']);
    assert.ok(roles.some((l) => /^cluster-admin\s+\d{4}-\d\d-\d\dT/.test(l)));
    assert.ok(roles.some((l) => l.startsWith('rbac-demo:node-viewer ')));
    const described = ok(['describe', 'role', 'pod-reader', '-n', 'rbac-demo']);
    assert.match(described, /pods\/log\s+\[\]\s+\[\]\s+\[get list watch\]/);
    assert.match(ok(['explain', 'clusterrolebinding.roleRef']), /GROUP:\s+rbac.authorization.k8s.io/);
  });

  test('kubectl create role / rolebinding / clusterrolebinding (protobuf bodies)', () => {
    ok([
      'create',
      'role',
      'deployer',
      '-n',
      'rbac-demo',
      '--verb=get,list,update',
      '--resource=deployments.apps,pods',
    ]);
    ok([
      'create',
      'rolebinding',
      'deployer',
      '-n',
      'rbac-demo',
      '--role=deployer',
      '--serviceaccount=rbac-demo:app',
    ]);
    ok(['create', 'clusterrolebinding', 'rbac-demo-admin', '--clusterrole=cluster-admin', '--user=bob']);
    const role = parse(ok(['get', 'role', 'deployer', '-n', 'rbac-demo', '-o', 'yaml']));
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'update'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'update'] },
    ]);
    const crb = parse(ok(['get', 'clusterrolebinding', 'rbac-demo-admin', '-o', 'yaml']));
    assert.deepEqual(crb.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' }]);
    ok(['delete', 'clusterrolebinding', 'rbac-demo-admin']);
  });

  test("a binding's roleRef cannot change; a namespaced role cannot name URLs", () => {
    const r = c.kubectl([
      'patch',
      'rolebinding',
      'app-reads-pods',
      '-n',
      'rbac-demo',
      '--type=merge',
      '-p',
      '{"roleRef":{"name":"other"}}',
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /The RoleBinding "app-reads-pods" is invalid: roleRef: Invalid value: rbac.RoleRef\{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"other"\}: cannot change roleRef/,
    );
    const bad = c.kubectl(['apply', '-f', '-'], {
      input:
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: urls, namespace: rbac-demo}\nrules:\n- {nonResourceURLs: ["/metrics"], verbs: [get]}\n',
    });
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /rules\[0\].nonResourceURLs: Invalid value: \[\]string\{"\/metrics"\}: namespaced rules cannot apply to non-resource URLs/,
    );
  });

  test('deleting the namespace takes its roles and bindings; cluster-wide ones stay until deleted', async () => {
    ok(['delete', 'namespace', 'rbac-demo', '--wait=true', '--timeout=60s']);
    assert.match(c.kubectl(['get', 'roles,rolebindings', '-n', 'rbac-demo']).stderr, /No resources found/);
    assert.match(ok(['get', 'clusterrole', 'rbac-demo:node-viewer']), /rbac-demo:node-viewer/);
    ok(['delete', '-f', '-'], chart.split('---\n').slice(3).join('---\n'));
    assert.ok(
      await eventually(() => c.kubectl(['get', 'clusterrolebinding', 'rbac-demo:node-viewer']).code === 1),
    );
  });
});

describe('networking objects', () => {
  const manifest = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: demo-nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default}
spec:
  ingressClassName: demo-nginx
  tls: [{hosts: [web.example.com], secretName: web-tls}]
  rules:
  - host: web.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from-web, namespace: default}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 8080, protocol: TCP}]
`;

  test('Ingress, IngressClass and NetworkPolicy apply, print and describe as on a real cluster', () => {
    assert.deepEqual(ok(['apply', '-f', '-'], manifest).trim().split('\n'), [
      'ingressclass.networking.k8s.io/demo-nginx created',
      'ingress.networking.k8s.io/web created',
      'networkpolicy.networking.k8s.io/api-from-web created',
    ]);
    assert.match(ok(['apply', '-f', '-'], manifest), /ingress.networking.k8s.io\/web unchanged/);
    const ing = ok(['get', 'ingress']).trim().split('\n');
    assert.deepEqual(ing[0].split(/\s+/), ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    assert.match(ing[1], /^web\s+demo-nginx\s+web\.example\.com\s+80, 443\s+\d+s$/);
    assert.match(ok(['get', 'netpol']), /^NAME\s+POD-SELECTOR\s+AGE\napi-from-web\s+app=api\s+/);
    assert.match(ok(['get', 'ingressclass', 'demo-nginx']), /demo-nginx\s+k8s.io\/ingress-nginx\s+<none>/);
    const described = ok(['describe', 'ingress', 'web']);
    assert.match(described, /Ingress Class:\s+demo-nginx/);
    assert.match(described, /web-tls terminates web.example.com/);
    assert.match(described, /\/api\s+api:http/);
  });

  test('kubectl create ingress (a protobuf body), and an invalid one refused naming the field', () => {
    ok(['create', 'ingress', 'simple', '--class=demo-nginx', '--rule=foo.example.com/bar*=svc1:8080']);
    const got = parse(ok(['get', 'ingress', 'simple', '-o', 'yaml']));
    assert.deepEqual(got.spec.rules, [
      {
        host: 'foo.example.com',
        http: {
          paths: [
            {
              path: '/bar',
              pathType: 'Prefix',
              backend: { service: { name: 'svc1', port: { number: 8080 } } },
            },
          ],
        },
      },
    ]);
    const bad = c.kubectl(['create', 'ingress', 'bad', '--rule=Foo.com/x=svc:80']);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /Ingress "bad" is invalid: spec.rules\[0\].host: Invalid value: "Foo.com": a lowercase RFC 1123 subdomain/,
    );
    ok(['delete', 'ingress', 'simple', 'web']);
    ok(['delete', 'netpol', 'api-from-web']);
    ok(['delete', 'ingressclass', 'demo-nginx']);
  });
});

describe('priority classes', () => {
  test('kubectl create priorityclass (a protobuf body); pods get their class value; an unknown class is refused', () => {
    ok(['create', 'priorityclass', 'demo-high', '--value=1000', '--description=for the demo']);
    const pcs = ok(['get', 'priorityclasses']).trim().split('\n');
    assert.deepEqual(pcs[0].split(/\s+/), ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY']);
    assert.ok(
      pcs.some((l) => /^system-cluster-critical\s+2000000000\s+false\s+\S+\s+PreemptLowerPriority$/.test(l)),
    );
    assert.ok(pcs.some((l) => /^demo-high\s+1000\s+false\s+/.test(l)));
    const pod = (name: string, cls: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  priorityClassName: ${cls}\n  containers: [{name: c, image: berth.local/none:1}]\n`;
    ok(['apply', '-f', '-'], pod('prio', 'demo-high'));
    assert.equal(c.kubectl(['get', 'pod', 'prio', '-o', 'jsonpath={.spec.priority}']).stdout, '1000');
    const bad = c.kubectl(['apply', '-f', '-'], { input: pod('prio-bad', 'nope') });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /pods "prio-bad" is forbidden: no PriorityClass with name nope was found/);
    ok(['delete', 'pod', 'prio', '--wait=false']);
    ok(['delete', 'priorityclass', 'demo-high']);
  });
});

describe('kubeconfig merge', () => {
  test('berthd --kubeconfig-merge adds berth beside another current context, comments intact', () => {
    const dir = mkdtempSync('/tmp/bt-kube-merge-');
    try {
      const file = path.join(dir, 'config');
      const original =
        '# mine\napiVersion: v1\nkind: Config\nclusters:\n  - name: other # keep me\n    cluster: {server: "https://10.0.0.1:6443"}\ncontexts:\n  - name: other\n    context: {cluster: other, user: other}\nusers:\n  - name: other\n    user: {token: t}\ncurrent-context: other\n';
      writeFileSync(file, original);
      const r = spawnSync(process.execPath, [
        path.join(repoRoot, 'dist/berthd.js'),
        '--data-root',
        c.daemon.dataRoot,
        `--kubeconfig-merge=${file}`,
      ]);
      assert.equal(r.status, 0, r.stderr.toString());
      assert.equal(r.stdout.toString(), `Merged cluster, user and context "berth" into ${file}\n`);
      const text = readFileSync(file, 'utf8');
      assert.ok(text.startsWith('# mine\n'));
      assert.ok(text.includes('- name: other # keep me'));
      assert.equal(parse(text)['current-context'], 'other');
      const viaMerged = spawnSync(
        'kubectl',
        ['--kubeconfig', file, '--context', 'berth', 'get', 'ns', 'default', '-o', 'name'],
        {
          env: { ...process.env, HOME: c.home },
        },
      );
      assert.equal(viaMerged.stdout.toString(), 'namespace/default\n', viaMerged.stderr.toString());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('restart', () => {
  test('after a restart the same CA and admin kubeconfig still work', async () => {
    const before = readFileSync(c.kubeconfig, 'utf8');
    await c.daemon.stop();
    await c.daemon.restart();
    assert.ok(
      await eventually(() => c.kubectl(['get', '--raw', '/readyz']).code === 0, 30_000),
      c.daemon.log(),
    );
    assert.equal(readFileSync(c.kubeconfig, 'utf8'), before);
    assert.match(ok(['get', 'ns', 'default', '-o', 'name']), /^namespace\/default\n$/);
  });
});
