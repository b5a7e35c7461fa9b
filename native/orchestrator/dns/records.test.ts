import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { resolvConfUpstreams } from './part.ts';
import { resolveClusterName } from './records.ts';

const services: Record<string, KubeObject> = {
  'default/web': { spec: { clusterIP: '10.96.0.20', ports: [{ port: 80 }] } },
  'db/pg': { spec: { clusterIP: 'None', ports: [{ port: 5432 }] } },
  'default/ext': { spec: { type: 'ExternalName', externalName: 'example.org' } },
};
const endpoints: Record<string, KubeObject> = {
  'db/pg': {
    subsets: [
      {
        addresses: [
          { ip: '172.17.0.5', hostname: 'pg-0' },
          { ip: '172.17.0.6', hostname: 'pg-1' },
        ],
        notReadyAddresses: [{ ip: '172.17.0.7', hostname: 'pg-2' }],
      },
    ],
  },
};
const view = {
  service: (ns: string, n: string) => services[`${ns}/${n}`],
  endpoints: (ns: string, n: string) => endpoints[`${ns}/${n}`],
  namespaceExists: (n: string) => ['default', 'db'].includes(n),
};
const r = (name: string) => resolveClusterName(name, 'cluster.local', view);

test('service names: the ClusterIP; a headless service its ready endpoints; a StatefulSet pod by hostname', () => {
  assert.deepEqual(r('web.default.svc.cluster.local'), { ips: ['10.96.0.20'] });
  assert.deepEqual(r('WEB.default.svc.cluster.local.'), { ips: ['10.96.0.20'] });
  assert.deepEqual(r('pg.db.svc.cluster.local'), { ips: ['172.17.0.5', '172.17.0.6'] });
  assert.deepEqual(r('pg-1.pg.db.svc.cluster.local'), { ips: ['172.17.0.6'] });
  assert.deepEqual(r('pg-2.pg.db.svc.cluster.local'), { nxdomain: true }, 'not ready: not in DNS');
  assert.deepEqual(r('nope.default.svc.cluster.local'), { nxdomain: true });
  assert.deepEqual(r('ext.default.svc.cluster.local'), { nxdomain: true });
  assert.deepEqual(r('default.svc.cluster.local'), { nxdomain: true });
});

test('pod names by address, and what is not the cluster’s', () => {
  assert.deepEqual(r('172-17-0-9.default.pod.cluster.local'), { ips: ['172.17.0.9'] });
  assert.deepEqual(r('172-17-0-999.default.pod.cluster.local'), { nxdomain: true });
  assert.deepEqual(r('172-17-0-9.gone.pod.cluster.local'), { nxdomain: true });
  assert.equal(r('example.org'), undefined);
  assert.equal(r('notcluster.local'), undefined);
});

test('upstreams from a resolv.conf: IPv4 nameservers on port 53', () => {
  assert.deepEqual(
    resolvConfUpstreams(
      '# comment\nnameserver 192.0.2.53\nsearch example\nnameserver ::1\n nameserver 127.0.0.53\n',
    ),
    ['192.0.2.53:53', '127.0.0.53:53'],
  );
});
