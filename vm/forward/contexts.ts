// The docker context and the kubeconfig context named `berth`, written for the user's own tools. Both
// leave everything else in the user's files as it was — other contexts, key order, comments — and
// switch the current context only when asked.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMap, isSeq, parseDocument, YAMLSeq } from 'yaml';

export const contextName = 'berth';

/** Writes a file whole or not at all (temp file, then rename), with the mode given. */
async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.berth-${process.pid}.tmp`;
  await fs.writeFile(tmp, text, { mode });
  await fs.chmod(tmp, mode);
  await fs.rename(tmp, file);
}

async function readIfExists(file: string): Promise<string | undefined> {
  return fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

/** The docker CLI's config directory: $DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env = process.env): string {
  return env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
}

/** Where `docker context create NAME` keeps a context: meta/<sha256 of the name>/meta.json. */
export function dockerContextMetaPath(configDir: string, name = contextName): string {
  return path.join(
    configDir,
    'contexts',
    'meta',
    createHash('sha256').update(name).digest('hex'),
    'meta.json',
  );
}

/** The context's meta.json, in the shape and key order `docker context create` writes. */
export function dockerContextMeta(socketPath: string, name = contextName): string {
  return JSON.stringify({
    Name: name,
    Metadata: { Description: 'Berth' },
    Endpoints: { docker: { Host: `unix://${socketPath}`, SkipTLSVerify: false } },
  });
}

/**
 * Writes (or rewrites) the `berth` docker context for the forwarded socket. With `use`, also makes it
 * the current context in config.json, keeping the file's other keys in their order.
 */
export async function writeDockerContext(
  configDir: string,
  socketPath: string,
  opts: { use?: boolean } = {},
): Promise<string> {
  const meta = dockerContextMetaPath(configDir);
  await fs.mkdir(path.dirname(meta), { recursive: true, mode: 0o755 });
  await writeAtomic(meta, dockerContextMeta(socketPath), 0o644);
  if (opts.use) {
    const file = path.join(configDir, 'config.json');
    const text = await readIfExists(file);
    const cfg = text?.trim() ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (cfg.currentContext !== contextName) {
      cfg.currentContext = contextName;
      const mode = text === undefined ? 0o600 : (await fs.stat(file)).mode & 0o777;
      // The CLI's own indentation: a tab.
      await writeAtomic(file, JSON.stringify(cfg, null, '\t'), mode);
    }
  }
  return meta;
}

export interface KubeEntries {
  cluster: Record<string, unknown>;
  user: Record<string, unknown>;
}

/**
 * The berth cluster and user from the guest's admin kubeconfig, with the server made the host's
 * forwarded address (the guest's own says 127.0.0.1:6443 of the guest).
 */
export function kubeEntriesFromAdmin(adminText: string, server: string): KubeEntries {
  const doc = parseDocument(adminText);
  if (doc.errors.length)
    throw new Error(`cannot read the guest's admin kubeconfig: ${doc.errors[0].message}`);
  const cfg = doc.toJS() as {
    'current-context'?: string;
    contexts?: Array<{ name: string; context?: { cluster?: string; user?: string } }>;
    clusters?: Array<{ name: string; cluster?: Record<string, unknown> }>;
    users?: Array<{ name: string; user?: Record<string, unknown> }>;
  };
  const ctx = cfg.contexts?.find((c) => c.name === cfg['current-context']) ?? cfg.contexts?.[0];
  const cluster = cfg.clusters?.find((c) => c.name === ctx?.context?.cluster) ?? cfg.clusters?.[0];
  const user = cfg.users?.find((u) => u.name === ctx?.context?.user) ?? cfg.users?.[0];
  if (!cluster?.cluster || !user?.user)
    throw new Error("the guest's admin kubeconfig has no cluster or user");
  return { cluster: { ...cluster.cluster, server }, user: { ...user.user } };
}

/**
 * The user's kubeconfig text with a `berth` cluster, user and context added (or replaced in place).
 * The YAML document is edited, not rebuilt: comments, order and the other entries stay as written.
 * current-context changes only with `use` (or in a file that had none and no other context).
 */
export function mergeKubeconfig(
  existing: string,
  entries: KubeEntries,
  opts: { use?: boolean } = {},
): string {
  const doc = parseDocument(existing);
  if (doc.errors.length) throw new Error(`not a valid kubeconfig (YAML): ${doc.errors[0].message}`);
  const empty = doc.contents === null || (isMap(doc.contents) && doc.contents.items.length === 0);
  if (empty)
    doc.contents = doc.createNode({
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
    }) as typeof doc.contents;
  if (!isMap(doc.contents)) throw new Error('not a valid kubeconfig: the document is not a mapping');
  const sections: Array<[string, string, Record<string, unknown>]> = [
    ['clusters', 'cluster', entries.cluster],
    ['users', 'user', entries.user],
    ['contexts', 'context', { cluster: contextName, user: contextName }],
  ];
  let hadContexts = false;
  for (const [section, field, value] of sections) {
    let seq = doc.get(section, true);
    if (!isSeq(seq)) {
      if (seq !== undefined && seq !== null && !isScalarNull(seq))
        throw new Error(`not a valid kubeconfig: ${section} is not a list`);
      seq = new YAMLSeq();
      doc.set(section, seq);
    }
    if (!isSeq(seq)) throw new Error(`not a valid kubeconfig: ${section} is not a list`);
    if (section === 'contexts')
      hadContexts = seq.items.some((i) => isMap(i) && i.get('name') !== contextName);
    const found = seq.items.find((item) => isMap(item) && item.get('name') === contextName);
    if (found && isMap(found)) found.set(field, doc.createNode(value));
    else seq.add(doc.createNode({ name: contextName, [field]: value }));
  }
  if (opts.use || (!doc.get('current-context') && !hadContexts)) doc.set('current-context', contextName);
  // Lists written flush with their key (`clusters:\n- name: …`, kubectl's own style) stay so.
  return doc.toString({ indentSeq: !/^- /m.test(existing) });
}

function isScalarNull(node: unknown): boolean {
  return (
    typeof node === 'object' &&
    node !== null &&
    'value' in node &&
    (node as { value: unknown }).value === null
  );
}

/** The kubeconfig kubectl reads: the first file of $KUBECONFIG, else ~/.kube/config. */
export function userKubeconfigPath(env = process.env): string {
  const first = env.KUBECONFIG?.split(path.delimiter).find(Boolean);
  return first ?? path.join(env.HOME || os.homedir(), '.kube', 'config');
}

/** Merges the berth entries into a kubeconfig file, keeping its mode (0600 for a new file). */
export async function writeKubeconfig(
  file: string,
  entries: KubeEntries,
  opts: { use?: boolean } = {},
): Promise<boolean> {
  const existing = (await readIfExists(file)) ?? '';
  const merged = mergeKubeconfig(existing, entries, opts);
  if (merged === existing) return false;
  const st = await fs.stat(file).catch(() => undefined);
  await writeAtomic(file, merged, st ? st.mode & 0o777 : 0o600);
  return true;
}
