// Services through the real kubectl against berthd --kubernetes: addresses as a real cluster hands
// them out, and the service proxy serving a LoadBalancer pair on port 80 and a ClusterIP (endpoints
// written by hand here, pointing at TCP servers on the host: what a pod's IP would be).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { loadBusybox } from '../harness.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
const servers: net.Server[] = [];
before(async () => {
  c = await startCluster();
  await loadBusybox(c.daemon);
});
after(async () => {
  for (const s of servers) s.close();
  await c?.stop();
});

const ok = (args: string[], input?: string) => c.ok(args, input);

async function serve(name: string): Promise<number> {
  const s = net.createServer((sock) => sock.end(`${name}\n`));
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as net.AddressInfo).port;
}

function read(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let got = '';
    s.on('data', (d) => {
      got += d;
    });
    s.on('end', () => resolve(got.trim()));
    s.on('error', (e) => resolve(`error: ${e.message}`));
  });
}

// A Service without a selector: its Endpoints are the test's own (the endpoints controller leaves
// such a Service alone), pointing at a TCP server on the host.
const manifest = (name: string, type: string, backendPort: number) => `
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  type: ${type}
  ports: [{port: 80, targetPort: ${backendPort}}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: ${name}}
subsets: [{addresses: [{ip: 127.0.0.1}], ports: [{port: ${backendPort}}]}]
`;

test('the kubernetes Service is there, on the first address of the range', () => {
  const out = ok(['get', 'svc', 'kubernetes']);
  assert.match(out, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
  assert.match(out, /kubernetes\s+ClusterIP\s+\d+\.\d+\.\d+\.1\s+<none>\s+443\/TCP/);
});

test('two LoadBalancer services both answer on port 80, each at an address of its own', async () => {
  ok(['apply', '-f', '-'], manifest('blue', 'LoadBalancer', await serve('blue')));
  ok(['apply', '-f', '-'], manifest('green', 'LoadBalancer', await serve('green')));
  const external = (name: string) =>
    ok(['get', 'svc', name, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']).trim();
  assert.ok(await eventually(() => external('blue') !== '' && external('green') !== ''), 'addresses given');
  const [blue, green] = [external('blue'), external('green')];
  assert.match(blue, /^127\./);
  assert.match(green, /^127\./);
  assert.notEqual(blue, green);
  const wide = ok(['get', 'svc', 'blue']);
  assert.match(
    wide,
    new RegExp(`blue\\s+LoadBalancer\\s+[\\d.]+\\s+${blue.replace(/\./g, '\\.')}\\s+80:3\\d{4}/TCP`),
  );
  assert.equal(await read(blue, 80), 'blue');
  assert.equal(await read(green, 80), 'green');
  const nodePort = Number(ok(['get', 'svc', 'blue', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
  assert.equal(await read('127.0.0.1', nodePort), 'blue');
});

test('a ClusterIP answers on the host through the cluster interface', async () => {
  ok(['apply', '-f', '-'], manifest('inner', 'ClusterIP', await serve('inner')));
  const ip = ok(['get', 'svc', 'inner', '-o', 'jsonpath={.spec.clusterIP}']).trim();
  assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
  let got = '';
  assert.ok(
    await eventually(() => {
      void read(ip, 80).then((r) => {
        got = r;
      });
      return got === 'inner';
    }, 10_000),
    `the ClusterIP ${ip} answers (last: ${got})`,
  );
  const clash = c.kubectl(['create', 'service', 'clusterip', 'again', '--tcp=80', `--clusterip=${ip}`]);
  assert.notEqual(clash.code, 0);
  assert.match(clash.stderr, /provided IP is already allocated/);
});

test('pods resolve Services through the cluster DNS (full names, the search list, ndots:5) and reach them', async () => {
  ok(['apply', '-f', '-'], manifest('named', 'ClusterIP', await serve('named')));
  const ip = ok(['get', 'svc', 'named', '-o', 'jsonpath={.spec.clusterIP}']).trim();
  const dnsIP = ok([
    'get',
    'svc',
    '-n',
    'kube-system',
    'kube-dns',
    '-o',
    'jsonpath={.spec.clusterIP}',
  ]).trim();
  ok(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'resolver' },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'c',
            image: 'busybox:latest',
            command: [
              'sh',
              '-c',
              'cat /etc/resolv.conf; nslookup named.default.svc.cluster.local; nslookup named; nslookup nope.default.svc.cluster.local; echo reply: $(sleep 2 | nc named 80); true',
            ],
          },
        ],
      },
    }),
  );
  assert.ok(
    await eventually(
      () => /Succeeded/.test(ok(['get', 'pod', 'resolver', '-o', 'jsonpath={.status.phase}'])),
      60_000,
    ),
    'the resolver pod finished',
  );
  const out = ok(['logs', 'resolver']);
  assert.match(out, new RegExp(`nameserver ${dnsIP.replace(/\./g, '\\.')}`));
  assert.match(out, /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
  assert.match(out, /options ndots:5/);
  const answers = out.match(new RegExp(`Address(?: 1)?:\\s+${ip.replace(/\./g, '\\.')}`, 'g')) ?? [];
  assert.equal(answers.length, 2, `both lookups answer ${ip}:\n${out}`);
  assert.match(out, /NXDOMAIN|can't find nope/);
  assert.match(out, /reply: named/, 'the pod reaches the Service by name, through its ClusterIP');
});
