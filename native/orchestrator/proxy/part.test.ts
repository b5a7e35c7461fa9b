import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { systemClock } from '../../core/clock.ts';
import { hostSys, type Sys } from '../../core/sys.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { testApi } from '../testing.ts';
import { ServiceProxy } from './part.ts';

/** A TCP server on 127.0.0.1 that answers every connection with its name: a pod behind a Service. */
async function backend(name: string): Promise<{ port: number; close(): void }> {
  const server = net.createServer((s) => s.end(name));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

/** What a connection to ip:port reads, or 'reset' when it is refused or reset. */
function read(ip: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: ip, port });
    let got = '';
    s.on('data', (d) => {
      got += d;
    });
    s.on('end', () => resolve(got));
    s.on('error', () => resolve('reset'));
  });
}

async function cluster(sys: Sys, serviceInterface?: string) {
  const ranges = { serviceCidr: '10.250.0.0/24', nodePorts: [30000, 32767] as [number, number] };
  const api = await testApi({
    clock: systemClock,
    admission: 'api',
    serviceRanges: ranges,
    env: { sys, serviceInterface },
  });
  const { client, informers } = api;
  const proxy = new ServiceProxy({ loadBalancerRange: { first: '127.42.7.1', count: 4 } });
  await proxy.start(api.env);
  await informers.synced();
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 20));
    await proxy.idle();
  };
  return { client, proxy, settle, api };
}

const service = (name: string, spec: Record<string, unknown>): KubeObject => ({
  metadata: { name, namespace: 'default' },
  spec: { selector: { app: name }, ...spec },
});
const endpoints = (name: string, ports: number[], portName?: string): KubeObject => ({
  metadata: { name, namespace: 'default' },
  subsets: ports.map((port) => ({ addresses: [{ ip: '127.0.0.1' }], ports: [{ port, name: portName }] })),
});

let a: Awaited<ReturnType<typeof backend>>;
let b: Awaited<ReturnType<typeof backend>>;
let c: Awaited<ReturnType<typeof backend>>;
before(async () => {
  [a, b, c] = await Promise.all([backend('a'), backend('b'), backend('c')]);
});
after(() => {
  for (const s of [a, b, c]) s.close();
});

test('two LoadBalancer services both on port 80, each on an address of its own; node ports on 127.0.0.1', async () => {
  const { client, proxy, settle, api } = await cluster(hostSys);
  try {
    await client.create(Kinds.Service, service('web', { type: 'LoadBalancer', ports: [{ port: 80 }] }));
    await client.create(Kinds.Service, service('api', { type: 'LoadBalancer', ports: [{ port: 80 }] }));
    await client.create(Kinds.Endpoints, endpoints('web', [a.port]));
    await client.create(Kinds.Endpoints, endpoints('api', [b.port]));
    await settle();
    await settle();
    const web = (await client.get(Kinds.Service, 'default', 'web'))!;
    const api = (await client.get(Kinds.Service, 'default', 'api'))!;
    const ingress = (s: KubeObject) =>
      (s.status as { loadBalancer: { ingress: { ip: string }[] } }).loadBalancer.ingress[0].ip;
    assert.match(ingress(web), /^127\.42\.7\.[1-4]$/);
    assert.match(ingress(api), /^127\.42\.7\.[1-4]$/);
    assert.notEqual(ingress(web), ingress(api));
    assert.equal(await read(ingress(web), 80), 'a');
    assert.equal(await read(ingress(api), 80), 'b');
    const nodePort = (s: KubeObject) => (s.spec as { ports: { nodePort: number }[] }).ports[0].nodePort;
    assert.equal(await read('127.0.0.1', nodePort(web)), 'a');

    // Endpoints change under a running listener: connections go to the endpoints in turn.
    const eps = (await client.get(Kinds.Endpoints, 'default', 'web'))!;
    await client.update(Kinds.Endpoints, { ...eps, subsets: endpoints('web', [a.port, c.port]).subsets });
    await settle();
    const got = new Set([await read(ingress(web), 80), await read(ingress(web), 80)]);
    assert.deepEqual([...got].sort(), ['a', 'c']);

    // An endpoint that refuses (its pod just went) is passed over: no connection fails.
    const gone = await backend('gone');
    gone.close();
    const withDead = (await client.get(Kinds.Endpoints, 'default', 'web'))!;
    await client.update(Kinds.Endpoints, {
      ...withDead,
      subsets: endpoints('web', [gone.port, a.port]).subsets,
    });
    await settle();
    const answers = await Promise.all(Array.from({ length: 6 }, () => read(ingress(web), 80)));
    assert.deepEqual([...new Set(answers)], ['a']);

    // No ready endpoint: a connection is reset at once, not left hanging.
    await client.delete(Kinds.Endpoints, 'default', 'web');
    await settle();
    assert.equal(await read(ingress(web), 80), 'reset');

    // A deleted Service's addresses are given up.
    await client.delete(Kinds.Service, 'default', 'api');
    await settle();
    assert.equal(await read(ingress(api), 80), 'reset');
  } finally {
    await proxy.stop();
    api.close();
  }
});

test('ClusterIPs live on an interface of the cluster, which goes at stop', {
  skip: process.getuid?.() !== 0 && 'needs root for an interface',
}, async () => {
  const iface = `bkt${process.pid % 100_000}`;
  const { client, proxy, settle, api } = await cluster(hostSys, iface);
  try {
    const made = await client.create(Kinds.Service, service('db', { ports: [{ name: 'pg', port: 5432 }] }));
    await client.create(Kinds.Endpoints, endpoints('db', [c.port], 'pg'));
    await settle();
    const ip = (made.spec as { clusterIP: string }).clusterIP;
    assert.match(ip, /^10\.250\.0\.\d+$/);
    const addrs = (await hostSys.run('ip', ['-o', 'addr', 'show', 'dev', iface])).stdout;
    assert.match(addrs, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/32`));
    assert.equal(await read(ip, 5432), 'c');
  } finally {
    await proxy.stop();
    api.close();
  }
  assert.notEqual((await hostSys.run('ip', ['link', 'show', iface])).code, 0, 'the interface is gone');
});
