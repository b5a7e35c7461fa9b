// Chooses the API server's store from berthd's flags: SQLite in the data root by default, etcd at an
// endpoint, or memory (nothing kept; for trying things out and for tests).
import path from 'node:path';
import { EtcdStore } from './etcd.ts';
import { MemoryStore } from './memory.ts';
import { SqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

export const storeKinds = ['sqlite', 'etcd', 'memory'] as const;
export type StoreKind = (typeof storeKinds)[number];

export interface StoreConfig {
  kind: StoreKind;
  /** For etcd: its client URLs, comma-separated. */
  etcdEndpoint?: string;
}

/** Where the SQLite store lives: beside the certificates and the admin kubeconfig. */
export const sqliteFile = (kubernetesDir: string) => path.join(kubernetesDir, 'state.db');

export function openStore(config: StoreConfig, kubernetesDir: string): Store {
  switch (config.kind) {
    case 'sqlite':
      return SqliteStore.open(sqliteFile(kubernetesDir));
    case 'etcd':
      if (!config.etcdEndpoint) throw new Error('the etcd store needs an endpoint (--kube-etcd-endpoint)');
      return new EtcdStore(config.etcdEndpoint);
    case 'memory':
      return new MemoryStore();
  }
}
