// CustomResourceDefinitions with the real kubectl 1.32 (and client-node's CustomObjectsApi) against
// berthd --kubernetes: the Kubernetes docs' CronTab is applied, established and served — printer
// columns, short name and the `all` category, explain, schema validation in Kubernetes' words,
// pruning and strict field validation, defaults, the scale and status subresources, a second served
// version, RBAC on the custom kind, a names conflict, a restart, and deletion taking the CRs with it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
before(async () => {
  c = await startCluster();
});
after(() => c?.stop());

const ok = (args: string[], input?: string) => c.ok(args, input);
const crdName = 'crontabs.stable.example.com';

function cronTabCrd(extra: { shortNames?: string[]; plural?: string; kind?: string } = {}) {
  const plural = extra.plural ?? 'crontabs';
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.stable.example.com` },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: {
        plural,
        singular: plural.replace(/s$/, ''),
        kind: extra.kind ?? 'CronTab',
        shortNames: extra.shortNames ?? ['ct'],
        categories: ['all'],
      },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  description: 'What the cron tab runs and how often.',
                  properties: {
                    cronSpec: {
                      type: 'string',
                      pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$',
                      description: 'When it runs, in cron syntax.',
                    },
                    image: { type: 'string', description: 'The image it runs.' },
                    replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
                  },
                },
                status: {
                  type: 'object',
                  properties: { replicas: { type: 'integer' }, labelSelector: { type: 'string' } },
                },
              },
            },
          },
          subresources: {
            status: {},
            scale: {
              specReplicasPath: '.spec.replicas',
              statusReplicasPath: '.status.replicas',
              labelSelectorPath: '.status.labelSelector',
            },
          },
          additionalPrinterColumns: [
            { name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' },
            { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
        {
          name: 'v1beta1',
          served: true,
          storage: false,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

const cronTab = (name: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  stringify({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name }, spec, ...extra });

const rows = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));

describe('a CustomResourceDefinition', () => {
  test('applied, it is established and kubectl get crd prints NAME and CREATED AT', () => {
    ok(['apply', '-f', '-'], stringify(cronTabCrd()));
    ok(['wait', '--for=condition=established', `crd/${crdName}`, '--timeout=10s']);
    const printed = rows(ok(['get', 'crd']));
    assert.deepEqual(printed[0], ['NAME', 'CREATED AT']);
    const row = printed.find((r) => r[0] === crdName);
    assert.match(row?.[1] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const status = JSON.parse(ok(['get', 'crd', crdName, '-o', 'jsonpath={.status}'])) as {
      acceptedNames: Record<string, unknown>;
      storedVersions: string[];
      conditions: { type: string; status: string; reason: string }[];
    };
    assert.deepEqual(status.storedVersions, ['v1']);
    assert.equal(status.acceptedNames.kind, 'CronTab');
    assert.deepEqual(status.acceptedNames.shortNames, ['ct']);
    assert.deepEqual(
      status.conditions.map((x) => [x.type, x.status, x.reason]),
      [
        ['NamesAccepted', 'True', 'NoConflicts'],
        ['Established', 'True', 'InitialNamesAccepted'],
      ],
    );
  });

  test('a CRD that breaks the rules is refused with the fields named', () => {
    const bad = cronTabCrd();
    bad.metadata.name = 'wrong.stable.example.com';
    bad.spec.versions[1].storage = true;
    (bad.spec.versions[0].schema as Record<string, unknown>).openAPIV3Schema = undefined;
    const r = c.kubectl(['apply', '-f', '-'], { input: stringify(bad) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The CustomResourceDefinition "wrong.stable.example.com" is invalid: /);
    assert.match(
      r.stderr,
      /metadata\.name: Invalid value: "wrong\.stable\.example\.com": must be spec\.names\.plural\+"\."\+spec\.group/,
    );
    assert.match(
      r.stderr,
      /spec\.versions\[0\]\.schema\.openAPIV3Schema: Required value: schemas are required/,
    );
    assert.match(
      r.stderr,
      /spec\.versions: Invalid value: .*: must have exactly one version marked as storage version/,
    );
  });

  test('the API is discovered: api-resources, short name, kind and the all category', () => {
    const resources = rows(ok(['api-resources', '--api-group=stable.example.com']));
    assert.deepEqual(resources[1], ['crontabs', 'ct', 'stable.example.com/v1', 'true', 'CronTab']);
    assert.match(ok(['api-versions']), /^stable\.example\.com\/v1$/m);
    assert.match(ok(['api-versions']), /^stable\.example\.com\/v1beta1$/m);
  });

  test('a CronTab applies, defaults are filled in, and get prints the printer columns', () => {
    ok(['apply', '-f', '-'], cronTab('my-cron', { cronSpec: '* * * * */5', image: 'my-cron-image' }));
    for (const what of ['crontabs', 'ct', 'crontab', 'CronTab', 'crontabs.stable.example.com']) {
      const printed = rows(ok(['get', what]));
      assert.deepEqual(printed[0], ['NAME', 'SPEC', 'REPLICAS', 'AGE'], what);
      assert.deepEqual(printed[1].slice(0, 3), ['my-cron', '* * * * */5', '1'], what);
      assert.match(printed[1][3], /^\d+s$/);
    }
    const all = ok(['get', 'all']);
    assert.match(all, /^crontab\.stable\.example\.com\/my-cron\s+\* \* \* \* \*\/5\s+1\s+\d+s$/m);
    assert.equal(ok(['get', 'ct', 'my-cron', '-o', 'jsonpath={.spec.replicas}']), '1');
    assert.equal(
      ok(['get', 'ct', '--field-selector', 'metadata.name=my-cron', '-o', 'name']),
      'crontab.stable.example.com/my-cron\n',
    );
  });

  test('kubectl explain reads the schema', () => {
    const out = ok(['explain', 'crontab.spec']);
    assert.match(out, /KIND:\s+CronTab/);
    assert.match(out, /VERSION:\s+v1/);
    assert.match(out, /What the cron tab runs and how often\./);
    assert.match(out, /cronSpec\s+<string>\n\s+When it runs, in cron syntax\./);
    assert.match(out, /replicas\s+<integer>/);
  });

  test('an invalid CronTab is refused with the fields named, as kube-apiserver words it', () => {
    const r = c.kubectl(['apply', '-f', '-'], {
      input: cronTab('bad', { cronSpec: 'nope', image: 3, replicas: 'x' }),
    });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      [
        'The CronTab "bad" is invalid: ',
        `* spec.cronSpec: Invalid value: "nope": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'`,
        '* spec.image: Invalid value: "integer": spec.image in body must be of type string: "integer"',
        '* spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      ].join('\n'),
    );
    const big = c.kubectl(['apply', '-f', '-'], {
      input: cronTab('bad', { cronSpec: '* * * * *', replicas: 11 }),
    });
    assert.match(
      big.stderr,
      /The CronTab "bad" is invalid: spec\.replicas: Invalid value: 11: spec\.replicas in body should be less than or equal to 10/,
    );
  });

  test('unknown fields: kubectl (strict) refuses them, --validate=warn warns and has them pruned', () => {
    const body = cronTab('pruned', { cronSpec: '* * * * *', image: 'a', colour: 'blue' }, { extra: 1 });
    const r = c.kubectl(['apply', '-f', '-'], { input: body });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /strict decoding error: unknown field "extra", unknown field "spec.colour"/);
    const warn = c.kubectl(['apply', '--validate=warn', '-f', '-'], { input: body });
    assert.equal(warn.code, 0, warn.stderr);
    assert.match(warn.stderr, /Warning: unknown field "spec.colour"/);
    const stored = JSON.parse(ok(['get', 'ct', 'pruned', '-o', 'json'])) as Record<string, unknown>;
    assert.deepEqual(stored.spec, { cronSpec: '* * * * *', image: 'a', replicas: 1 });
    assert.equal(stored.extra, undefined);
  });

  test('scale and status subresources; generation counts spec changes only', () => {
    assert.match(
      ok(['scale', 'ct', 'my-cron', '--replicas=3']),
      /crontab.stable.example.com\/my-cron scaled/,
    );
    assert.equal(
      ok(['get', 'ct', 'my-cron', '-o', 'jsonpath={.spec.replicas} {.metadata.generation}']),
      '3 2',
    );
    // The status subresource ignores the spec…
    ok([
      'patch',
      'ct',
      'my-cron',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"replicas":3,"labelSelector":"app=cron"},"spec":{"replicas":5}}',
    ]);
    assert.equal(
      ok([
        'get',
        'ct',
        'my-cron',
        '-o',
        'jsonpath={.spec.replicas} {.status.replicas} {.metadata.generation}',
      ]),
      '3 3 2',
    );
    const scale = JSON.parse(
      ok(['get', '--raw', '/apis/stable.example.com/v1/namespaces/default/crontabs/my-cron/scale']),
    ) as { spec: unknown; status: unknown };
    assert.deepEqual([scale.spec, scale.status], [{ replicas: 3 }, { replicas: 3, selector: 'app=cron' }]);
    // …and the main resource the status.
    ok(['patch', 'ct', 'my-cron', '--type=merge', '-p', '{"status":{"replicas":9},"spec":{"image":"b"}}']);
    assert.equal(
      ok(['get', 'ct', 'my-cron', '-o', 'jsonpath={.spec.image} {.status.replicas} {.metadata.generation}']),
      'b 3 3',
    );
  });

  test('a strategic merge patch is refused (415) as for any custom resource; server-side apply works', () => {
    const r = c.kubectl(['patch', 'ct', 'my-cron', '-p', '{"spec":{"image":"c"}}']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /application\/strategic-merge-patch\+json is not supported by stable\.example\.com\/v1, Kind=CronTab: the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/,
    );
    ok(['apply', '--server-side', '-f', '-'], cronTab('ssa', { cronSpec: '0 * * * *', image: 'x' }));
    assert.equal(ok(['get', 'ct', 'ssa', '-o', 'jsonpath={.metadata.managedFields[*].manager}']), 'kubectl');
    assert.equal(ok(['get', 'ct', 'ssa', '-o', 'jsonpath={.spec.replicas}']), '1');
  });

  test('another served version reads the same object with its apiVersion rewritten', () => {
    const v1beta1 = JSON.parse(
      ok(['get', '--raw', '/apis/stable.example.com/v1beta1/namespaces/default/crontabs/my-cron']),
    ) as { apiVersion: string; spec: { image: string } };
    assert.equal(v1beta1.apiVersion, 'stable.example.com/v1beta1');
    assert.equal(v1beta1.spec.image, 'b');
    assert.equal(
      ok(['get', 'crontabs.v1beta1.stable.example.com', 'my-cron', '-o', 'jsonpath={.apiVersion}']),
      'stable.example.com/v1beta1',
    );
  });

  test('RBAC authorizes the custom kind by its group and resource', () => {
    const denied = c.kubectl(['get', 'ct', '--as=jane']);
    assert.equal(denied.code, 1);
    assert.equal(
      denied.stderr.trim(),
      'Error from server (Forbidden): crontabs.stable.example.com is forbidden: User "jane" cannot list resource "crontabs" in API group "stable.example.com" in the namespace "default"',
    );
    ok(['create', 'role', 'cron-reader', '--verb=get,list', '--resource=crontabs.stable.example.com']);
    ok(['create', 'rolebinding', 'jane-cron', '--role=cron-reader', '--user=jane']);
    assert.match(ok(['get', 'ct', '--as=jane', '-o', 'name']), /crontab.stable.example.com\/my-cron/);
    assert.equal(c.kubectl(['delete', 'ct', 'my-cron', '--as=jane']).code, 1);
  });

  test('client-node lists the CronTabs through CustomObjectsApi', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    const api = kc.makeApiClient(CustomObjectsApi);
    const list = (await api.listNamespacedCustomObject({
      group: 'stable.example.com',
      version: 'v1',
      namespace: 'default',
      plural: 'crontabs',
    })) as { kind: string; items: { metadata: { name: string } }[] };
    assert.equal(list.kind, 'CronTabList');
    assert.deepEqual(list.items.map((i) => i.metadata.name).sort(), ['my-cron', 'pruned', 'ssa']);
  });

  test('names another CRD of the group holds are not accepted, and that CRD is not served', async () => {
    ok(
      ['apply', '-f', '-'],
      stringify(cronTabCrd({ plural: 'crontabz', kind: 'CronTabZ', shortNames: ['ct'] })),
    );
    const conditions = () =>
      ok(['get', 'crd', 'crontabz.stable.example.com', '-o', 'jsonpath={.status.conditions}']);
    assert.ok(await eventually(() => conditions().includes('NamesAccepted'), 10_000), conditions());
    const byType = Object.fromEntries(
      (JSON.parse(conditions()) as { type: string; status: string; reason: string; message: string }[]).map(
        (x) => [x.type, [x.status, x.reason, x.message]],
      ),
    );
    assert.deepEqual(byType.NamesAccepted, ['False', 'ShortNamesConflict', '"ct" is already in use']);
    assert.deepEqual(byType.Established, ['False', 'NotAccepted', 'not all names are accepted']);
    assert.doesNotMatch(ok(['api-resources', '--api-group=stable.example.com']), /crontabz/);
    ok(['delete', 'crd', 'crontabz.stable.example.com']);
  });

  test('deleting a namespace deletes the custom resources in it', () => {
    ok(['create', 'namespace', 'crons']);
    ok(['apply', '-n', 'crons', '-f', '-'], cronTab('nightly', { cronSpec: '0 0 * * *', image: 'x' }));
    assert.match(ok(['get', 'ct', '-A', '-o', 'name']), /crontab.stable.example.com\/nightly/);
    ok(['delete', 'namespace', 'crons', '--timeout=60s']);
    assert.doesNotMatch(ok(['get', 'ct', '-A', '-o', 'name']), /nightly/);
  });

  test('CRDs and custom resources survive a restart of berthd, served from the first request', async () => {
    await c.daemon.stop();
    await c.daemon.restart();
    await c.ready();
    const printed = rows(ok(['get', 'ct', 'my-cron']));
    assert.deepEqual(printed[1].slice(0, 3), ['my-cron', '* * * * */5', '3']);
  });

  test('deleting the CRD deletes its custom resources (a finalizer waited for) and its API', async () => {
    ok(['patch', 'ct', 'pruned', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
    ok(['delete', 'crd', crdName, '--wait=false']);
    const terminating = () =>
      ok(['get', 'crd', crdName, '-o', 'jsonpath={.status.conditions[?(@.type=="Terminating")].reason}']);
    assert.ok(await eventually(() => terminating() === 'InstanceDeletionInProgress', 10_000), terminating());
    assert.deepEqual(ok(['get', 'ct', '-o', 'name']).trim().split('\n'), [
      'crontab.stable.example.com/pruned',
    ]);
    ok(['patch', 'ct', 'pruned', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    assert.ok(
      await eventually(() => c.kubectl(['get', 'crd', crdName]).code === 1, 10_000),
      'the CRD never went',
    );
    const gone = c.kubectl(['get', '--raw', '/apis/stable.example.com/v1']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /NotFound/);
    assert.doesNotMatch(ok(['api-versions']), /stable\.example\.com/);
  });
});
