import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiServiceIP, parseCidr } from './service-alloc.ts';
import { startTestServer, type TestServer } from './test-server.ts';

// A small range, so that running out is quick to reach: 10.0.0.1–10.0.0.6 and node ports 30000–30002.
const ranges = { serviceCidr: '10.0.0.0/29', nodePorts: [30000, 30002] as [number, number] };
let s: TestServer;
before(async () => {
  s = await startTestServer({ serviceRanges: ranges });
});
after(() => s.close());

type Svc = { spec: Record<string, unknown> & { ports: { port: number; nodePort?: number }[] } };
const svc = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { ports: [{ port: 80 }], selector: { app: name }, ...spec },
});
const create = (body: unknown, ns = 'default') =>
  s.request('POST', `/api/v1/namespaces/${ns}/services`, body);
const message = (r: { json(): Record<string, unknown> }) => String(r.json().message);

test('CIDR arithmetic: base, size, the first address', () => {
  assert.deepEqual(parseCidr('10.96.0.0/12'), { base: 0x0a600000, size: 2 ** 20 });
  assert.deepEqual(parseCidr('10.96.3.7/12'), { base: 0x0a600000, size: 2 ** 20 });
  assert.equal(apiServiceIP({ serviceCidr: '10.96.0.0/12', nodePorts: [30000, 32767] }), '10.96.0.1');
  assert.throws(() => parseCidr('10.96.0.0'), /not an IPv4 CIDR/);
});

test('ClusterIPs from the range, headless stays None, a given one is checked', async () => {
  const a = await create(svc('a'));
  assert.equal(a.status, 201, a.text);
  const spec = (a.json() as Svc).spec;
  assert.match(String(spec.clusterIP), /^10\.0\.0\.[1-6]$/);
  assert.deepEqual(spec.clusterIPs, [spec.clusterIP]);
  assert.deepEqual(spec.ipFamilies, ['IPv4']);
  assert.equal(spec.ipFamilyPolicy, 'SingleStack');
  assert.equal(spec.ports[0].nodePort, undefined, 'a ClusterIP service has no node port');

  const headless = (await create(svc('headless', { clusterIP: 'None' }))).json() as Svc;
  assert.equal(headless.spec.clusterIP, 'None');
  assert.deepEqual(headless.spec.clusterIPs, ['None']);

  const same = await create(svc('same', { clusterIP: spec.clusterIP }));
  assert.equal(same.status, 422);
  assert.match(
    message(same),
    /spec\.clusterIPs: Invalid value: \[.*\]: failed to allocate IP 10\.0\.0\.\d: provided IP is already allocated/,
  );
  const outside = await create(svc('outside', { clusterIP: '192.168.1.1' }));
  assert.equal(outside.status, 422);
  assert.match(message(outside), /is not in the valid range\. The range of valid IPs is 10\.0\.0\.0\/29/);

  // A second service gets another address; a dry run takes none.
  const dry = await s.request('POST', '/api/v1/namespaces/default/services?dryRun=All', svc('dry'));
  assert.equal(dry.status, 201);
  const b = (await create(svc('b'))).json() as Svc;
  assert.notEqual(b.spec.clusterIP, spec.clusterIP);
});

test('an update that leaves the ClusterIP out keeps it; changing it is refused', async () => {
  const made = (await create(svc('keep'))).json() as Svc & { metadata: Record<string, unknown> };
  const put = await s.request('PUT', '/api/v1/namespaces/default/services/keep', {
    ...svc('keep', { ports: [{ port: 81 }] }),
    metadata: { name: 'keep' },
  });
  assert.equal(put.status, 200, put.text);
  assert.equal((put.json() as Svc).spec.clusterIP, made.spec.clusterIP);
  const moved = await s.request('PUT', '/api/v1/namespaces/default/services/keep', {
    ...svc('keep', { clusterIP: '10.0.0.6' === made.spec.clusterIP ? '10.0.0.5' : '10.0.0.6' }),
    metadata: { name: 'keep' },
  });
  assert.equal(moved.status, 422);
  assert.match(message(moved), /may not change once set/);
});

test('node ports for NodePort and LoadBalancer, kept across updates, checked when given, until the range is full', async () => {
  await s.request('DELETE', '/api/v1/namespaces/default/services/a');
  await s.request('DELETE', '/api/v1/namespaces/default/services/b');
  const np = await create(svc('np', { type: 'NodePort' }));
  assert.equal(np.status, 201, np.text);
  const port = (np.json() as Svc).spec.ports[0].nodePort!;
  assert.ok(port >= 30000 && port <= 30002);
  const put = await s.request('PUT', '/api/v1/namespaces/default/services/np', {
    ...svc('np', { type: 'NodePort' }),
    metadata: { name: 'np' },
  });
  assert.equal((put.json() as Svc).spec.ports[0].nodePort, port, 'the node port stays');

  const clash = await create(svc('clash', { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }));
  assert.equal(clash.status, 422);
  assert.match(
    message(clash),
    /spec\.ports\[0\]\.nodePort: Invalid value: \d+: provided port is already allocated/,
  );
  const low = await create(svc('low', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }));
  assert.match(
    message(low),
    /provided port is not in the valid range\. The range of valid ports is 30000-30002/,
  );

  const lb = await create(
    svc('lb', {
      type: 'LoadBalancer',
      ports: [
        { name: 'http', port: 80 },
        { name: 'https', port: 443 },
      ],
    }),
  );
  assert.equal(lb.status, 201, lb.text);
  const lbPorts = (lb.json() as Svc).spec.ports.map((p) => p.nodePort);
  assert.equal(new Set([port, ...lbPorts]).size, 3, 'three distinct node ports');
  const full = await create(svc('full', { type: 'NodePort' }));
  assert.equal(full.status, 422);
  assert.match(message(full), /range is full/);
});
