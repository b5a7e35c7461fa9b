// The etcd backend against a real etcd (Debian's etcd-server) started for this file; skipped where
// etcd is not installed.
import { it } from 'node:test';
import { EtcdStore } from './etcd.ts';
import { etcdBinary, startEtcd } from './etcd-process.ts';
import { storeConformance } from './store.conformance.ts';

if (etcdBinary()) {
  storeConformance('etcd', async () => {
    const etcd = await startEtcd({ progressNotifyMs: 200 });
    const store = new EtcdStore(etcd.endpoint);
    return {
      store,
      async cleanup() {
        await store.close();
        await etcd.stop();
      },
    };
  });
} else {
  it('Store conformance: etcd', { skip: 'etcd is not installed (Debian package etcd-server)' }, () => {});
}
