import assert from 'node:assert/strict';
import dns from 'node:dns';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { DnsQuestion } from '../../network/dns.ts';
import type { ContainerRecord } from '../containers/model.ts';
import { ensurePredefined } from './predefined.ts';
import { dnsNames, EmbeddedDns } from './resolver.ts';
import type { NetworkRecord } from './store.ts';
import { bridgeNetwork, containerRecord, fakeHost, testNet } from './test-helpers.ts';

type T = Awaited<ReturnType<typeof testNet>>;

/** A running container with a live endpoint on each network given (name → address). */
async function running(
  t: T,
  name: string,
  on: Array<[NetworkRecord, string, string[]?]>,
  over: Parameters<typeof containerRecord>[2] = {},
): Promise<ContainerRecord> {
  const rec = containerRecord(t, name, { ...over, State: { Status: 'running' } });
  rec.Endpoints = Object.fromEntries(
    on.map(([n, ip, aliases]) => [
      n.Name,
      {
        NetworkID: n.Id,
        EndpointID: 'e',
        IPAMConfig: null,
        Aliases: aliases ?? null,
        MacAddress: '',
        DriverOpts: null,
        IPAddress: ip,
        IPPrefixLen: 16,
        Gateway: n.IPAM.Config[0].Gateway,
      },
    ]),
  );
  await t.ctx.store.save(rec);
  return rec;
}

async function setup(opts: { dns?: string[]; hostDns?: string[] } = {}) {
  const t = await testNet({
    options: { bip: '172.17.0.1/16', dns: opts.dns ?? [] },
    host: fakeHost({ resolvConf: { nameservers: opts.hostDns ?? ['10.0.0.53', '127.0.0.11'] } }),
  });
  await ensurePredefined(t.ctx);
  const app = await bridgeNetwork(t.ctx, 'app', '172.18.0.0/16', '172.18.0.1');
  const other = await bridgeNetwork(t.ctx, 'other', '172.19.0.0/16', '172.19.0.1');
  let pick = 0;
  const resolver = new EmbeddedDns(t.ctx, () => pick);
  const web = await running(t, 'web', [[app, '172.18.0.2', ['www']]], { Config: { Hostname: 'webhost' } });
  const client = await running(t, 'client', [[app, '172.18.0.3']]);
  return {
    ...t,
    app,
    other,
    resolver,
    web,
    client,
    setPick: (k: number) => {
      pick = k;
    },
  };
}

const ask = (name: string, type = 'A', client = '172.18.0.3', local = '172.18.0.1'): DnsQuestion => ({
  name,
  type,
  client,
  local,
});

describe('names on user-defined networks', () => {
  test('a container answers to its name, aliases, short id, hostname, and name.network', async () => {
    const t = await setup();
    await t.resolver.readHostUpstreams();
    const a = (name: string) => t.resolver.resolve(ask(name));
    const web = { answer: [{ type: 'A', value: '172.18.0.2' }] };
    for (const name of ['web', 'www', 'WEB.', t.web.Id.slice(0, 12), 'webhost', 'web.app', 'www.APP'])
      assert.deepEqual(a(name), web, name);
    assert.deepEqual(dnsNames(t.web, t.web.Endpoints?.app as never), [
      'web',
      'www',
      t.web.Id.slice(0, 12),
      'webhost',
    ]);
    assert.deepEqual(
      t.resolver.resolve(ask('web', 'AAAA')),
      { answer: [] },
      'a known name has no AAAA: NODATA',
    );
    assert.deepEqual(t.resolver.resolve(ask('2.0.18.172.in-addr.arpa', 'PTR')), {
      answer: [{ type: 'PTR', value: 'web.app' }],
    });
  });

  test('only networks the asker shares count, and never the default bridge', async () => {
    const t = await setup();
    await t.resolver.readHostUpstreams();
    await running(t, 'hidden', [[t.other, '172.19.0.2']]);
    const bridge = t.ctx.networks.get('bridge');
    await running(t, 'old', [[bridge, '172.17.0.2']]);
    await running(t, 'asker', [
      [bridge, '172.17.0.3'],
      [t.app, '172.18.0.4'],
    ]);
    const forward = { forward: ['10.0.0.53'] };
    assert.deepEqual(t.resolver.resolve(ask('hidden')), forward);
    assert.deepEqual(t.resolver.resolve(ask('old', 'A', '172.18.0.4')), forward);
    assert.deepEqual(t.resolver.resolve(ask('2.0.19.172.in-addr.arpa', 'PTR')), forward);
  });

  test('several containers under one alias answer round robin', async () => {
    const t = await setup();
    await running(t, 'w2', [[t.app, '172.18.0.5', ['www']]]);
    await running(t, 'w3', [[t.app, '172.18.0.6', ['www']]]);
    const order = () =>
      (t.resolver.resolve(ask('www')) as { answer: Array<{ value: string }> }).answer.map((a) => a.value);
    t.setPick(0);
    assert.deepEqual(order(), ['172.18.0.2', '172.18.0.5', '172.18.0.6']);
    t.setPick(2);
    assert.deepEqual(order(), ['172.18.0.6', '172.18.0.2', '172.18.0.5']);
  });
});

describe('forwarding', () => {
  test("the rest goes to the container's --dns, else the daemon's, else the host's (never 127.0.0.11)", async () => {
    const daemon = await setup({ dns: ['9.9.9.9'] });
    await daemon.resolver.readHostUpstreams();
    assert.deepEqual(daemon.resolver.resolve(ask('example.com')), { forward: ['9.9.9.9'] });
    await running(daemon, 'own', [[daemon.app, '172.18.0.9']], { HostConfig: { Dns: ['1.1.1.1'] } });
    assert.deepEqual(daemon.resolver.resolve(ask('example.com', 'A', '172.18.0.9')), {
      forward: ['1.1.1.1'],
    });

    const host = await setup();
    await host.resolver.readHostUpstreams();
    assert.deepEqual(host.resolver.resolve(ask('example.com')), { forward: ['10.0.0.53'] });
    assert.deepEqual(host.resolver.resolve(ask('web', 'A', '10.1.1.1', '10.1.1.254')), {
      forward: ['10.0.0.53'],
    });

    const none = await setup({ hostDns: [] });
    await none.resolver.readHostUpstreams();
    assert.deepEqual(none.resolver.resolve(ask('example.com')), { nxdomain: true });
  });
});

describe('the server', () => {
  test("listens on each user network's gateway on one port, kept across restarts; answers real lookups", async () => {
    const t = await testNet({ options: { dns: [] }, host: fakeHost() });
    const lo = await bridgeNetwork(t.ctx, 'lo', '127.0.0.0/8', '127.0.0.1');
    await running(t, 'web', [[lo, '127.0.0.5']]);
    await running(t, 'me', [[lo, '127.0.0.1']]);
    const first = new EmbeddedDns(t.ctx);
    await first.start();
    const port = first.port;
    assert.notEqual(port, 0);
    assert.equal((await fs.readFile(path.join(t.ctx.networks.dir, 'dns-port'), 'utf8')).trim(), String(port));
    try {
      const r = new dns.promises.Resolver({ timeout: 1500, tries: 1 });
      r.setServers([`127.0.0.1:${port}`]);
      assert.deepEqual(await r.resolve4('web'), ['127.0.0.5']);
      assert.deepEqual(await r.reverse('127.0.0.5'), ['web.lo']);
    } finally {
      await first.close();
    }
    const again = new EmbeddedDns(t.ctx);
    try {
      await again.start();
      assert.equal(again.port, port, 'the saved port, for the redirects of running containers');
      await again.unlisten(lo);
      assert.equal(again.port, port);
    } finally {
      await again.close();
    }
  });
});
