// The user's kubeconfig, read the way kubectl reads it: $KUBECONFIG's list of files (else
// ~/.kube/config), merged so that the first file to name a cluster, user or context wins, and the first
// to set current-context sets it. Making a context current edits that one line in the file kubectl
// would write it to, leaving every other byte (comments, order, layout) as it was.
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Cluster, type Context, KubeConfig, type User } from '@kubernetes/client-node';
import { isMap, isScalar, parseDocument, stringify } from 'yaml';
import type { KubeContextView } from '../../contract/index.ts';

/** Berth's own cluster's context, as berthd writes it into the admin kubeconfig and merges it. */
export const berthContext = 'berth';

export interface KubeconfigSet {
  /** The files considered, in order (kubectl's precedence). */
  precedence: string[];
  /** Those that exist and were read. */
  files: string[];
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  current: string | null;
  /** Why a file could not be read, when one could not. */
  error?: string;
}

export function kubeconfigPrecedence(env: NodeJS.ProcessEnv): string[] {
  const list = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (list.length) return [...new Set(list)];
  const home = env.HOME || env.USERPROFILE || os.homedir();
  return [path.join(home, '.kube', 'config')];
}

function emptySet(env: NodeJS.ProcessEnv): KubeconfigSet {
  return {
    precedence: kubeconfigPrecedence(env),
    files: [],
    clusters: [],
    users: [],
    contexts: [],
    current: null,
  };
}

/** One file's text merged into `set`: entries it names first are kept, relative paths made absolute. */
function mergeFile(set: KubeconfigSet, file: string, text: string, errors: string[]): void {
  set.files.push(file);
  if (!text.trim()) return;
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text, { onInvalidEntry: 'filter' });
    kc.makePathsAbsolute(path.dirname(file));
  } catch (err) {
    errors.push(`cannot read ${file}: ${(err as Error).message}`);
    return;
  }
  const add = <T extends { name: string }>(into: T[], from: T[] | undefined) => {
    for (const x of from ?? []) if (x?.name && !into.some((y) => y.name === x.name)) into.push(x);
  };
  add(set.clusters, kc.clusters);
  add(set.users, kc.users);
  add(set.contexts, kc.contexts);
  if (!set.current && kc.currentContext) set.current = kc.currentContext;
}

/** A file that is not there is skipped, as kubectl skips it; any other failure is reported. */
function unreadable(file: string, err: unknown, errors: string[]): void {
  const e = err as NodeJS.ErrnoException;
  if (e.code !== 'ENOENT') errors.push(`cannot read ${file}: ${e.message}`);
}

export async function readKubeconfigs(env: NodeJS.ProcessEnv): Promise<KubeconfigSet> {
  const set = emptySet(env);
  const errors: string[] = [];
  for (const file of set.precedence) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      unreadable(file, err, errors);
      continue;
    }
    mergeFile(set, file, text, errors);
  }
  if (errors.length) set.error = errors.join('; ');
  return set;
}

/** The same, for callers that must answer at once (a channel that builds a client as it is called). */
export function readKubeconfigsSync(env: NodeJS.ProcessEnv): KubeconfigSet {
  const set = emptySet(env);
  const errors: string[] = [];
  for (const file of set.precedence) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      unreadable(file, err, errors);
      continue;
    }
    mergeFile(set, file, text, errors);
  }
  if (errors.length) set.error = errors.join('; ');
  return set;
}

/** The contexts as the switcher lists them: Berth's first, then the others in file order. */
export function contextViews(set: KubeconfigSet): KubeContextView[] {
  const views = set.contexts.map((c): KubeContextView => {
    const cluster = set.clusters.find((x) => x.name === c.cluster);
    return {
      name: c.name,
      cluster: c.cluster,
      server: cluster?.server ?? '',
      user: c.user,
      ...(c.namespace ? { namespace: c.namespace } : {}),
      berth: c.name === berthContext,
      current: c.name === set.current,
    };
  });
  return [...views.filter((v) => v.berth), ...views.filter((v) => !v.berth)];
}

/** A KubeConfig whose current context is `context` (the merged files' entries, paths made absolute). */
export function configFor(set: KubeconfigSet, context: string): KubeConfig | null {
  const ctx = set.contexts.find((c) => c.name === context);
  if (!ctx) return null;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: set.clusters,
    users: set.users,
    contexts: set.contexts,
    currentContext: context,
  });
  return kc;
}

/** Where kubectl writes current-context: the first existing file of the precedence, else the first. */
export async function currentContextFile(set: KubeconfigSet): Promise<string> {
  for (const f of set.precedence) {
    if (
      await fs.stat(f).then(
        () => true,
        () => false,
      )
    )
      return f;
  }
  return set.precedence[0];
}

/**
 * `text` with its top-level current-context set to `context`; only that value's bytes change (or one
 * line is added at the end when it has none).
 */
export function withCurrentContext(text: string, context: string): string {
  const scalar = stringify(context).trimEnd();
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length) throw new Error(`not a valid kubeconfig (YAML): ${doc.errors[0].message}`);
  if (isMap(doc.contents)) {
    const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'current-context');
    if (pair) {
      const value = pair.value;
      if (isScalar(value) && value.range && value.range[1] > value.range[0]) {
        return text.slice(0, value.range[0]) + scalar + text.slice(value.range[1]);
      }
      // `current-context:` with no value: write it after the key.
      if (isScalar(pair.key) && pair.key.range) {
        const colon = text.indexOf(':', pair.key.range[1]);
        if (colon >= 0) return `${text.slice(0, colon + 1)} ${scalar}${text.slice(colon + 1)}`;
      }
    }
  } else if (doc.contents !== null) {
    throw new Error('not a valid kubeconfig: the document is not a mapping');
  }
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  return `${text}${sep}current-context: ${scalar}\n`;
}

/** Makes `context` the kubeconfig's current-context, as `kubectl config use-context` does. */
export async function writeCurrentContext(set: KubeconfigSet, context: string): Promise<string> {
  // A symlinked kubeconfig stays a symlink: the file it points to is the one rewritten.
  const named = await currentContextFile(set);
  const file = await fs.realpath(named).catch(() => named);
  const before = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  const stat = await fs.stat(file).catch(() => undefined);
  const next = withCurrentContext(before, context);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, next, { mode: stat ? stat.mode & 0o777 : 0o600 });
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return named;
}
