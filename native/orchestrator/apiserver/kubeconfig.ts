// Kubeconfigs: the admin kubeconfig the server writes, and merging its `berth` cluster, user and
// context into a user's kubeconfig. The merge edits the YAML document in place (yaml's Document API),
// so comments, order and every other entry stay as they were, and the current context changes only
// when asked (or when there is none).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMap, isSeq, parseDocument, stringify, YAMLSeq } from 'yaml';
import { writeFileAtomic } from '../../core/fsutil.ts';
import type { ClusterCerts } from './certs.ts';

export const contextName = 'berth';

const b64 = (s: string) => Buffer.from(s).toString('base64');

export interface KubeconfigEntries {
  cluster: Record<string, unknown>;
  user: Record<string, unknown>;
  context: Record<string, unknown>;
}

export function adminEntries(server: string, certs: ClusterCerts): KubeconfigEntries {
  return {
    cluster: { server, 'certificate-authority-data': b64(certs.caCert) },
    user: { 'client-certificate-data': b64(certs.adminCert), 'client-key-data': b64(certs.adminKey) },
    context: { cluster: contextName, user: contextName },
  };
}

export function adminKubeconfig(entries: KubeconfigEntries): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: contextName, cluster: entries.cluster }],
    users: [{ name: contextName, user: entries.user }],
    contexts: [{ name: contextName, context: entries.context }],
    'current-context': contextName,
    preferences: {},
  });
}

/** Reads the entries back from an admin kubeconfig (for `berthd --kubeconfig-merge` without a server). */
export function entriesOf(text: string): KubeconfigEntries {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`cannot read the admin kubeconfig: ${doc.errors[0].message}`);
  const cfg = doc.toJS() as Record<string, { name: string; [k: string]: unknown }[]>;
  const pick = (section: string, field: string) => {
    const e = (cfg?.[section] ?? []).find((x) => x.name === contextName);
    if (!e) throw new Error(`the admin kubeconfig has no ${section} entry named ${contextName}`);
    return e[field] as Record<string, unknown>;
  };
  return {
    cluster: pick('clusters', 'cluster'),
    user: pick('users', 'user'),
    context: pick('contexts', 'context'),
  };
}

/** The text of `existing` with the berth entries added or replaced. Throws on a kubeconfig it cannot read. */
export function mergeKubeconfig(
  existing: string,
  entries: KubeconfigEntries,
  opts: { useContext: boolean },
): string {
  const doc = parseDocument(existing);
  if (doc.errors.length) throw new Error(`not a valid kubeconfig (YAML): ${doc.errors[0].message}`);
  if (doc.contents === null || (isMap(doc.contents) && doc.contents.items.length === 0)) {
    doc.contents = doc.createNode({
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
    }) as unknown as typeof doc.contents;
  }
  if (!isMap(doc.contents)) throw new Error('not a valid kubeconfig: the document is not a mapping');
  const sections: [string, string, Record<string, unknown>][] = [
    ['clusters', 'cluster', entries.cluster],
    ['users', 'user', entries.user],
    ['contexts', 'context', entries.context],
  ];
  for (const [section, field, value] of sections) {
    let seq = doc.get(section, true);
    if (seq === undefined || seq === null || (!isSeq(seq) && (seq as { value?: unknown }).value === null)) {
      seq = new YAMLSeq();
      doc.set(section, seq);
    }
    if (!isSeq(seq)) throw new Error(`not a valid kubeconfig: ${section} is not a list`);
    const existingEntry = seq.items.find((item) => isMap(item) && item.get('name') === contextName);
    if (existingEntry && isMap(existingEntry)) existingEntry.set(field, doc.createNode(value));
    else seq.add(doc.createNode({ name: contextName, [field]: value }));
  }
  if (opts.useContext || !doc.get('current-context')) doc.set('current-context', contextName);
  return doc.toString();
}

/** The kubeconfig a user's kubectl reads: the first of $KUBECONFIG, else ~/.kube/config. */
export function userKubeconfigPath(env = process.env): string {
  const first = env.KUBECONFIG?.split(path.delimiter).find(Boolean);
  return first ?? path.join(env.HOME ?? os.homedir(), '.kube', 'config');
}

export async function mergeIntoFile(
  file: string,
  entries: KubeconfigEntries,
  opts: { useContext: boolean },
): Promise<void> {
  const existing = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  const merged = mergeKubeconfig(existing, entries, opts);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const before = await fs.stat(file).catch(() => undefined);
  await writeFileAtomic(file, merged, before ? before.mode & 0o777 : 0o600);
  // berthd runs as root; the file stays the user's.
  if (before) await fs.chown(file, before.uid, before.gid).catch(() => undefined);
}
