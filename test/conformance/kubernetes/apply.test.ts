// The real kubectl 1.32 patching and applying against berthd --kubernetes: client-side apply with its
// last-applied annotation, server-side apply with conflicts, patch of each type, and the commands that
// patch under the hood (label, annotate, scale, edit, set image, rollout pause/resume/restart, diff).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { loadBusybox } from '../harness.ts';
import { type Cluster, startCluster } from './cluster.ts';

let c: Cluster;
let scratch: string;
before(async () => {
  c = await startCluster();
  // The Deployments' pods run nginx:1.26, here the local busybox under that name: never pulled.
  await loadBusybox(c.daemon, 'nginx:1.26');
  scratch = mkdtempSync('/tmp/bt-kube-apply-');
});
after(async () => {
  await c?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const ok = (args: string[], input?: string) => c.ok(args, input);
const fails = (args: string[], input?: string) => {
  const r = c.kubectl(args, { input });
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail: ${r.stdout}`);
  return r.stderr;
};
type Obj = {
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion: string;
    generation?: number;
    managedFields?: { manager: string; operation: string; subresource?: string; fieldsV1: unknown }[];
  };
  spec: Record<string, unknown> & {
    replicas?: number;
    paused?: boolean;
    template?: {
      metadata?: { annotations?: Record<string, string> };
      spec: { containers: { name: string; image: string; env?: { name: string; value: string }[] }[] };
    };
  };
  data?: Record<string, string>;
};
const getJson = (...args: string[]) =>
  JSON.parse(ok(['get', ...args, '-o', 'json', '--show-managed-fields'])) as Obj;

const deployment = (opts: { image?: string; replicas?: number; env?: Record<string, string> } = {}) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: { app: web }
spec:
  ${opts.replicas === undefined ? '' : `replicas: ${opts.replicas}`}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: web
        image: ${opts.image ?? 'nginx:1.25'}
        ports: [{ containerPort: 80 }]
        ${
          opts.env
            ? `env:\n${Object.entries(opts.env)
                .map(([k, v]) => `        - { name: ${k}, value: "${v}" }`)
                .join('\n')}`
            : ''
        }
`;

describe('client-side apply', () => {
  test('apply creates, re-applies as a no-op, changes a field and removes one dropped from the manifest', () => {
    assert.match(
      ok(['apply', '-f', '-'], deployment({ replicas: 2, env: { A: '1', B: '2' } })),
      /deployment.apps\/web created/,
    );
    const first = getJson('deployment', 'web');
    const last = JSON.parse(
      first.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '{}',
    );
    assert.equal(last.spec.replicas, 2, 'the last-applied annotation holds the manifest');
    assert.ok(
      first.metadata.managedFields?.some(
        (m) => m.manager === 'kubectl-client-side-apply' && m.operation === 'Update',
      ),
      JSON.stringify(first.metadata.managedFields),
    );

    assert.match(
      ok(['apply', '-f', '-'], deployment({ replicas: 2, env: { A: '1', B: '2' } })),
      /deployment.apps\/web unchanged/,
    );
    // Nothing written: the Deployment controller may write its status meanwhile (a new resourceVersion),
    // but the object, its annotations and kubectl's own managedFields entry (with its time) are as before.
    const again = getJson('deployment', 'web');
    const applied = (o: Obj) =>
      o.metadata.managedFields?.find((m) => m.manager === 'kubectl-client-side-apply');
    assert.deepEqual(again.spec, first.spec);
    assert.equal(again.metadata.generation, first.metadata.generation);
    assert.deepEqual(again.metadata.annotations, first.metadata.annotations);
    assert.deepEqual(applied(again), applied(first));

    assert.match(
      ok(['apply', '-f', '-'], deployment({ replicas: 3, image: 'nginx:1.26', env: { A: '1' } })),
      /configured/,
    );
    const after = getJson('deployment', 'web');
    assert.equal(after.spec.replicas, 3);
    const container = after.spec.template!.spec.containers[0];
    assert.equal(container.image, 'nginx:1.26');
    assert.deepEqual(
      container.env,
      [{ name: 'A', value: '1' }],
      'B left the manifest, so it left the object',
    );
    assert.equal(after.metadata.generation, 2);

    // A field set by someone else (not in the last-applied configuration) stays through an apply.
    ok(['label', 'deployment', 'web', 'team=blue']);
    ok(['apply', '-f', '-'], deployment({ replicas: 3, image: 'nginx:1.26', env: { A: '1' } }));
    assert.equal(getJson('deployment', 'web').metadata.labels?.team, 'blue');

    // Without replicas in the manifest, the field goes back to its default.
    ok(['apply', '-f', '-'], deployment({ image: 'nginx:1.26', env: { A: '1' } }));
    assert.equal(getJson('deployment', 'web').spec.replicas, 1);
  });

  test('apply --dry-run=server and diff change nothing', () => {
    const before = getJson('deployment', 'web');
    const out = ok(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], deployment({ image: 'nginx:9' }));
    assert.equal((JSON.parse(out) as Obj).spec.template!.spec.containers[0].image, 'nginx:9');
    const diff = c.kubectl(['diff', '-f', '-'], { input: deployment({ image: 'nginx:9' }) });
    assert.equal(diff.code, 1, `kubectl diff exits 1 on a difference: ${diff.stderr}`);
    assert.match(diff.stdout, /^-\s+(- )?image: nginx:1\.26$/m);
    assert.match(diff.stdout, /^\+\s+(- )?image: nginx:9$/m);
    // The Deployment controller writes its status meanwhile; the object itself is unchanged.
    const same = getJson('deployment', 'web');
    assert.equal(same.metadata.generation, before.metadata.generation);
    assert.deepEqual(same.spec, before.spec);
    assert.equal(same.spec.template!.spec.containers[0].image, 'nginx:1.26');
  });
});

describe('server-side apply', () => {
  const cm = (data: Record<string, string>) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n${Object.entries(data)
      .map(([k, v]) => `  ${k}: "${v}"`)
      .join('\n')}\n`;

  test('apply --server-side creates and tracks the manager; a second manager conflicts until forced', () => {
    assert.match(
      ok(['apply', '--server-side', '-f', '-'], cm({ a: '1', b: '2' })),
      /configmap\/ssa serverside-applied/,
    );
    const made = getJson('configmap', 'ssa');
    const entry = made.metadata.managedFields?.find((m) => m.manager === 'kubectl');
    assert.equal(entry?.operation, 'Apply');
    assert.deepEqual(entry?.fieldsV1, { 'f:data': { 'f:a': {}, 'f:b': {} } });

    const err = fails(['apply', '--server-side', '--field-manager=other', '-f', '-'], cm({ a: '9' }));
    assert.match(err, /Apply failed with 1 conflict: conflict with "kubectl": \.data\.a/);
    assert.match(err, /--force-conflicts/);
    ok(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], cm({ a: '9' }));
    const forced = getJson('configmap', 'ssa');
    assert.equal(forced.data?.a, '9');
    assert.deepEqual(
      forced.metadata.managedFields?.find((m) => m.manager === 'kubectl')?.fieldsV1,
      { 'f:data': { 'f:b': {} } },
      'the forced field moved to the other manager',
    );

    // Dropping a field from the manifest removes it when no other manager holds it.
    ok(['apply', '--server-side', '-f', '-'], cm({ c: '3' }));
    assert.deepEqual(getJson('configmap', 'ssa').data, { a: '9', c: '3' });
  });

  test('get --show-managed-fields shows Apply and Update managers apart', () => {
    ok(['annotate', 'configmap', 'ssa', 'note=hi']);
    const out = parse(ok(['get', 'configmap', 'ssa', '-o', 'yaml', '--show-managed-fields'])) as Obj;
    const ops = (out.metadata.managedFields ?? []).map((m) => `${m.manager}/${m.operation}`);
    // Apply entries come first, each group by time (so the two appliers' order depends on the clock).
    assert.deepEqual(ops.slice(0, 2).sort(), ['kubectl/Apply', 'other/Apply']);
    assert.equal(ops[2], 'kubectl-annotate/Update');
    assert.equal(ops.length, 3);
    const plain = parse(ok(['get', 'configmap', 'ssa', '-o', 'yaml'])) as Obj;
    assert.equal(plain.metadata.managedFields, undefined);
  });
});

describe('kubectl patch', () => {
  test('json, merge and strategic patches', () => {
    ok(['create', 'configmap', 'p', '--from-literal=a=1', '--from-literal=b=2']);
    ok([
      'patch',
      'configmap',
      'p',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/data/a","value":"x"},{"op":"remove","path":"/data/b"}]',
    ]);
    assert.deepEqual(getJson('configmap', 'p').data, { a: 'x' });
    ok(['patch', 'configmap', 'p', '--type', 'merge', '-p', '{"data":{"a":null,"c":"3"}}']);
    assert.deepEqual(getJson('configmap', 'p').data, { c: '3' });
    ok([
      'patch',
      'deployment',
      'web',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"C","value":"3"}]}]}}}}',
    ]);
    const d = getJson('deployment', 'web');
    assert.deepEqual(
      d.spec.template!.spec.containers[0].env,
      [
        { name: 'A', value: '1' },
        { name: 'C', value: '3' },
      ],
      'the strategic patch merged the container and its env by name',
    );
    assert.equal(d.spec.template!.spec.containers[0].image, 'nginx:1.26');
  });

  test('a failing test op, a bad body, an invalid result and a missing object answer as kube-apiserver does', () => {
    assert.match(
      fails([
        'patch',
        'configmap',
        'p',
        '--type',
        'json',
        '-p',
        '[{"op":"test","path":"/data/c","value":"nope"}]',
      ]),
      /The request is invalid: the server rejected our request due to an error in our request/,
    );
    assert.match(
      fails(['patch', 'deployment', 'web', '--type', 'merge', '-p', '{"spec":{"replicas":-1}}']),
      /The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0/,
    );
    assert.match(
      fails(['patch', 'configmap', 'missing', '--type', 'merge', '-p', '{"data":{"a":"1"}}']),
      /configmaps "missing" not found/,
    );
    const stale = getJson('configmap', 'p').metadata.resourceVersion;
    ok(['patch', 'configmap', 'p', '--type', 'merge', '-p', '{"data":{"d":"4"}}']);
    assert.match(
      fails([
        'patch',
        'configmap',
        'p',
        '--type',
        'merge',
        '-p',
        `{"metadata":{"resourceVersion":"${stale}"},"data":{"e":"5"}}`,
      ]),
      /the object has been modified/,
    );
  });

  test('a no-op patch does not bump resourceVersion', () => {
    const before = getJson('configmap', 'p').metadata.resourceVersion;
    assert.match(
      ok(['patch', 'configmap', 'p', '--type', 'merge', '-p', '{"data":{"c":"3"}}']),
      /patched \(no change\)/,
    );
    assert.equal(getJson('configmap', 'p').metadata.resourceVersion, before);
  });
});

describe('commands that patch', () => {
  test('label, annotate, scale, set image, rollout pause/resume/restart', () => {
    ok(['label', 'deployment', 'web', 'tier=front']);
    ok(['annotate', 'deployment', 'web', 'owner=me']);
    let d = getJson('deployment', 'web');
    assert.equal(d.metadata.labels?.tier, 'front');
    assert.equal(d.metadata.annotations?.owner, 'me');
    ok(['label', 'deployment', 'web', 'tier-']);
    assert.equal(getJson('deployment', 'web').metadata.labels?.tier, undefined);

    assert.match(ok(['scale', 'deployment', 'web', '--replicas=4']), /scaled/);
    d = getJson('deployment', 'web');
    assert.equal(d.spec.replicas, 4);
    assert.ok(
      d.metadata.managedFields?.some((m) => m.manager === 'kubectl' && m.subresource === 'scale'),
      JSON.stringify(d.metadata.managedFields?.map((m) => [m.manager, m.subresource])),
    );

    ok(['set', 'image', 'deployment/web', 'web=nginx:1.27']);
    assert.equal(getJson('deployment', 'web').spec.template!.spec.containers[0].image, 'nginx:1.27');

    ok(['rollout', 'pause', 'deployment/web']);
    assert.equal(getJson('deployment', 'web').spec.paused, true);
    ok(['rollout', 'resume', 'deployment/web']);
    assert.equal(getJson('deployment', 'web').spec.paused, undefined);
    ok(['rollout', 'restart', 'deployment/web']);
    assert.ok(
      getJson('deployment', 'web').spec.template!.metadata?.annotations?.[
        'kubectl.kubernetes.io/restartedAt'
      ],
    );
  });

  test('edit through a KUBE_EDITOR script', () => {
    const editor = path.join(scratch, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/c: \\"3\\"/c: \\"edited\\"/" "$1"\n');
    chmodSync(editor, 0o755);
    const r = spawnSync('kubectl', ['--kubeconfig', c.kubeconfig, 'edit', 'configmap', 'p'], {
      env: { ...process.env, HOME: c.home, KUBECONFIG: '', KUBE_EDITOR: editor },
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.match(r.stdout.toString(), /configmap\/p edited/);
    const cm = getJson('configmap', 'p');
    assert.equal(cm.data?.c, 'edited');
    assert.ok(cm.metadata.managedFields?.some((m) => m.manager === 'kubectl-edit'));
  });
});
