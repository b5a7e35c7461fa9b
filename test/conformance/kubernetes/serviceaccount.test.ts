// In-cluster access: a pod runs as its namespace's default ServiceAccount, gets a bound token, the
// cluster CA and its namespace at /var/run/secrets/kubernetes.io/serviceaccount and the KUBERNETES_*
// variables, and reaches the API at https://kubernetes.default.svc. (busybox's TLS client offers no
// ECDSA signature scheme, so the HTTPS call with the pod's token and CA is made from the host, to the
// same ClusterIP, verifying the serving certificate against the CA the pod got.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadBusybox } from '../harness.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
before(async () => {
  c = await startCluster();
  await loadBusybox(c.daemon);
});
after(() => c?.stop());

const ok = (args: string[], input?: string) => c.ok(args, input);

test('a pod reaches the API as its ServiceAccount through the kubernetes Service', async () => {
  const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
  const script = [
    `ls ${sa}`,
    `echo ns=$(cat ${sa}/namespace)`,
    'env | grep ^KUBERNETES_SERVICE | sort',
    `echo token=$(cat ${sa}/token)`,
    `echo ca=$(base64 ${sa}/ca.crt | tr -d '\\n')`,
    'sleep 1 | nc kubernetes.default.svc 443 >/dev/null && echo reached the API',
  ].join('; ');
  ok(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'incluster' },
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'c', image: 'busybox:latest', command: ['sh', '-c', script] }],
      },
    }),
  );
  const spec = JSON.parse(ok(['get', 'pod', 'incluster', '-o', 'json'])).spec;
  assert.equal(spec.serviceAccountName, 'default');
  const volume = spec.volumes.find((v: { name: string }) => v.name.startsWith('kube-api-access-'));
  assert.ok(volume?.projected, 'the kube-api-access volume is added');
  assert.deepEqual(spec.containers[0].volumeMounts, [{ name: volume.name, readOnly: true, mountPath: sa }]);
  assert.ok(
    await eventually(
      () => /Succeeded|Failed/.test(ok(['get', 'pod', 'incluster', '-o', 'jsonpath={.status.phase}'])),
      60_000,
    ),
  );
  const out = ok(['logs', 'incluster']);
  assert.match(out, /ca\.crt\s+namespace\s+token/);
  assert.match(out, /ns=default/);
  const apiIP = ok(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']).trim();
  assert.match(out, new RegExp(`KUBERNETES_SERVICE_HOST=${apiIP.replace(/\./g, '\\.')}`));
  assert.match(out, /KUBERNETES_SERVICE_PORT=443/);
  assert.match(out, /KUBERNETES_SERVICE_PORT_HTTPS=443/);
  assert.match(out, /reached the API/, 'the pod reaches the kubernetes Service by name');
  const token = /token=(\S+)/.exec(out)?.[1] ?? '';
  const ca = Buffer.from(/ca=(\S+)/.exec(out)?.[1] ?? '', 'base64').toString();
  const call = (headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.request(
        {
          host: apiIP,
          port: 443,
          path: '/api/v1/namespaces/default/pods/incluster',
          ca,
          servername: 'kubernetes.default.svc',
          headers,
        },
        (res) => {
          let body = '';
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  // The account may read nothing until bound to a role, as on any RBAC cluster.
  const ungranted = await call({ Authorization: `Bearer ${token}` });
  assert.equal(ungranted.status, 403, ungranted.body);
  assert.equal(
    JSON.parse(ungranted.body).message,
    'pods "incluster" is forbidden: User "system:serviceaccount:default:default" cannot get resource "pods" in API group "" in the namespace "default"',
  );
  ok(['create', 'rolebinding', 'default-view', '--clusterrole=view', '--serviceaccount=default:default']);
  let withToken = ungranted;
  for (let i = 0; i < 50 && withToken.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    withToken = await call({ Authorization: `Bearer ${token}` });
  }
  assert.equal(withToken.status, 200, withToken.body);
  assert.equal(JSON.parse(withToken.body).metadata.name, 'incluster');
  assert.equal((await call({})).status, 401, 'without a token: 401');
  assert.equal(
    (await call({ Authorization: `Bearer ${token.slice(0, -4)}AAAA` })).status,
    401,
    'a forged token: 401',
  );
});

test('every namespace has its default ServiceAccount and the cluster CA', async () => {
  ok(['create', 'namespace', 'team']);
  assert.ok(await eventually(() => c.kubectl(['get', 'sa', 'default', '-n', 'team']).code === 0, 10_000));
  assert.ok(
    await eventually(() => c.kubectl(['get', 'cm', 'kube-root-ca.crt', '-n', 'team']).code === 0, 10_000),
  );
});

test('kubectl create token: a token of the account that RBAC then judges, dead with its account', () => {
  ok(['create', 'serviceaccount', 'ci']);
  const token = ok(['create', 'token', 'ci', '--duration=15m']).trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
    sub: string;
    aud: string[];
    exp: number;
    iat: number;
  };
  assert.equal(claims.sub, 'system:serviceaccount:default:ci');
  assert.equal(claims.exp - claims.iat, 900);
  // Kubectl with the token and no client certificate: the account, which may do nothing yet.
  const cluster = (
    JSON.parse(ok(['config', 'view', '--raw', '--minify', '-o', 'json'])) as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    }
  ).clusters[0]!.cluster;
  const dir = mkdtempSync('/tmp/bt-ktoken-');
  const caFile = path.join(dir, 'ca.crt');
  writeFileSync(caFile, Buffer.from(cluster['certificate-authority-data'], 'base64'));
  const as = (args: string[]) =>
    c.kubectl([
      '--kubeconfig=/dev/null',
      `--server=${cluster.server}`,
      `--certificate-authority=${caFile}`,
      `--token=${token}`,
      ...args,
    ]);
  const who = as(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
  assert.equal(who.stdout, 'system:serviceaccount:default:ci', who.stderr);
  const denied = as(['get', 'pods']);
  assert.notEqual(denied.code, 0);
  assert.match(
    denied.stderr,
    /Error from server \(Forbidden\): pods is forbidden: User "system:serviceaccount:default:ci" cannot list resource "pods" in API group "" in the namespace "default"/,
  );
  ok(['create', 'rolebinding', 'ci-view', '--clusterrole=view', '--serviceaccount=default:ci']);
  const allowed = as(['get', 'pods', '-o', 'name']);
  assert.equal(allowed.code, 0, allowed.stderr);

  const short = c.kubectl(['create', 'token', 'ci', '--duration=1m']);
  assert.notEqual(short.code, 0);
  assert.match(
    short.stderr,
    /spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/,
  );
  const missing = c.kubectl(['create', 'token', 'nobody']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /serviceaccounts "nobody" not found/);

  // A token bound to a pod names it, and lives no longer than the pod.
  ok(['create', 'serviceaccount', 'bound']);
  ok([
    'run',
    'holder',
    '--image=busybox:latest',
    '--overrides={"spec":{"serviceAccountName":"bound"}}',
    '--',
    'sleep',
    '3600',
  ]);
  const boundToken = ok([
    'create',
    'token',
    'bound',
    '--bound-object-kind=Pod',
    '--bound-object-name=holder',
  ]).trim();
  const pod = (
    JSON.parse(Buffer.from(boundToken.split('.')[1]!, 'base64url').toString()) as {
      'kubernetes.io': { pod: { name: string; uid: string } };
    }
  )['kubernetes.io'].pod;
  assert.equal(pod.name, 'holder');
  assert.equal(pod.uid, ok(['get', 'pod', 'holder', '-o', 'jsonpath={.metadata.uid}']));
  const asBound = () =>
    c.kubectl([
      '--kubeconfig=/dev/null',
      `--server=${cluster.server}`,
      `--certificate-authority=${caFile}`,
      `--token=${boundToken}`,
      'auth',
      'whoami',
      '-o',
      'jsonpath={.status.userInfo.username}',
    ]);
  assert.equal(asBound().stdout, 'system:serviceaccount:default:bound');
  const wrongAccount = c.kubectl([
    'create',
    'token',
    'ci',
    '--bound-object-kind=Pod',
    '--bound-object-name=holder',
  ]);
  assert.match(
    wrongAccount.stderr,
    /cannot bind token for serviceaccount "ci" to pod running with different serviceaccount name/,
  );
  ok(['delete', 'pod', 'holder', '--grace-period=0', '--force']);
  assert.notEqual(asBound().code, 0, 'the pod gone, its token is refused');

  // The account gone, its token is nobody's: 401, however long it had left.
  ok(['delete', 'serviceaccount', 'ci']);
  const after = as(['get', 'pods']);
  assert.notEqual(after.code, 0);
  assert.match(after.stderr, /Unauthorized|must be logged in/);
  rmSync(dir, { recursive: true, force: true });
});
