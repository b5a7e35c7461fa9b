// `kube.apply`: a multi-document YAML applied as `kubectl apply --server-side --field-manager=berth`
// does, with the server's own validation first: every document goes through a dry run (dryRun=All),
// and only when all pass are they applied for real, in their order. A document that cannot be read
// (a syntax error, no kind) stops everything before the server hears of any. Outcomes say what the
// server did: created (it answered 201), unchanged (the resourceVersion did not move), configured.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ApplyResult } from '../../contract/index.ts';
import { type KubeObjectDoc, splitYaml, type YamlDocument } from './apply-documents.ts';
import { contextNamespace } from './context-config.ts';
import { type KubeResponse, type KubeStatusBody, kubeRequest, statusMessage } from './kube-request.ts';

export const fieldManager = 'berth';

/** Where an object lives on the server: the seam the apply drives (a real API server, or a test's). */
export interface ApplyServer {
  /** The resource of a kind (discovery): its path prefix and whether it is namespaced. */
  resource(apiVersion: string, kind: string): Promise<{ plural: string; namespaced: boolean } | null>;
  /** The object as stored now, or null when there is none. */
  get(path: string): Promise<KubeObjectDoc | null>;
  /** A server-side apply of `object` at `path`. */
  apply(path: string, object: KubeObjectDoc, dryRun: boolean): Promise<KubeResponse>;
  /** A replace (PUT) of the object at `path` by `object`, as `kubectl edit` and `replace` write. */
  replace(path: string, object: KubeObjectDoc, dryRun: boolean): Promise<KubeResponse>;
}

interface Planned {
  doc: YamlDocument;
  object: KubeObjectDoc;
  path: string;
  namespace: string;
}

const groupPrefix = (apiVersion: string) =>
  apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;

function base(doc: YamlDocument): ApplyResult {
  const o = doc.object;
  return {
    index: doc.index,
    line: doc.line,
    // Each is decided below; a document nothing was done with stays unchanged.
    outcome: 'unchanged',
    ...(o?.kind ? { kind: o.kind } : {}),
    ...(o?.metadata?.name ? { name: o.metadata.name } : {}),
    ...(o?.metadata?.namespace ? { namespace: o.metadata.namespace } : {}),
  };
}

/** A refused apply: the server's message and each cause with the line of its field. */
export function failure(doc: YamlDocument, r: KubeResponse): Pick<ApplyResult, 'message' | 'causes'> {
  const s = (r.body ?? {}) as KubeStatusBody;
  const causes = (s.details?.causes ?? [])
    .filter((c) => c.message || c.field)
    .map((c) => {
      const field = c.field ?? '';
      const line = field ? doc.lineOf(field) : undefined;
      return { field, message: c.message ?? c.reason ?? '', ...(line ? { line } : {}) };
    });
  // A strict field validation names unknown fields only in its message: `unknown field "spec.foo"`.
  if (causes.length === 0) {
    for (const m of statusMessage(r).matchAll(/unknown field "([^"]+)"/g)) {
      const line = doc.lineOf(m[1]);
      causes.push({ field: m[1], message: 'field not declared in schema', ...(line ? { line } : {}) });
    }
  }
  return { message: statusMessage(r), ...(causes.length ? { causes } : {}) };
}

/** What an accepted apply did, from the answer and the object before it (null: there was none). */
export function outcome(
  r: KubeResponse,
  before: KubeObjectDoc | null,
  dryRun: boolean,
): 'created' | 'configured' | 'unchanged' {
  if (r.status === 201 || before === null) return 'created';
  const after = r.body as KubeObjectDoc;
  // A dry run does not move the resourceVersion: what would change is compared without the bookkeeping.
  if (dryRun) return sameContent(before, after) ? 'unchanged' : 'configured';
  return after?.metadata?.resourceVersion === before.metadata?.resourceVersion ? 'unchanged' : 'configured';
}

function sameContent(a: KubeObjectDoc, b: KubeObjectDoc): boolean {
  const strip = (o: KubeObjectDoc) => {
    const { managedFields: _m, resourceVersion: _r, generation: _g, ...metadata } = o.metadata ?? {};
    return JSON.stringify({ ...o, metadata });
  };
  return strip(a) === strip(b);
}

export interface ApplyRequest {
  yaml: string;
  dryRun: boolean;
  /** For documents that name none; else the context's namespace, else `default`. */
  namespace?: string;
  /** An edit of one object: PUT in its place rather than a server-side apply. */
  replace?: boolean;
}

export async function applyYaml(
  server: ApplyServer,
  req: ApplyRequest,
  contextNs: string,
): Promise<ApplyResult[]> {
  const docs = splitYaml(String(req.yaml ?? ''));
  const results: ApplyResult[] = docs.map(base);
  const invalid = docs.filter((d) => d.problem);
  if (invalid.length) {
    for (const d of docs) {
      const r = results[d.index];
      if (d.problem) {
        Object.assign(r, {
          outcome: 'invalid',
          message: `line ${d.problem.line}: ${d.problem.message}`,
          causes: [{ field: '', message: d.problem.message, line: d.problem.line }],
        });
      } else Object.assign(r, { outcome: 'unchanged', message: notSent(invalid[0]) });
    }
    return results;
  }
  if (req.replace && docs.length !== 1) {
    const message = `an edit replaces one object: this text has ${docs.length} documents`;
    for (const r of results) Object.assign(r, { outcome: 'invalid', message });
    return results;
  }
  const write = (p: Planned, dryRun: boolean) =>
    req.replace ? server.replace(p.path, p.object, dryRun) : server.apply(p.path, p.object, dryRun);
  // Where each one goes (discovery); a kind the server does not know fails that document.
  const planned: (Planned | null)[] = [];
  for (const doc of docs) {
    const object = structuredClone(doc.object!);
    const res = await server.resource(object.apiVersion, object.kind);
    if (!res) {
      Object.assign(results[doc.index], {
        outcome: 'failed',
        message: `the server has no kind ${object.kind} in ${object.apiVersion}`,
      });
      planned.push(null);
      continue;
    }
    let namespace = '';
    if (res.namespaced) {
      namespace = object.metadata.namespace || req.namespace || contextNs;
      object.metadata.namespace = namespace;
      results[doc.index].namespace = namespace;
    } else delete object.metadata.namespace;
    const ns = res.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    const path = `${groupPrefix(object.apiVersion)}${ns}/${res.plural}/${encodeURIComponent(object.metadata.name!)}`;
    planned.push({ doc, object, path, namespace });
  }
  // The dry run of each; namespaces this YAML creates count as there for the documents after them.
  const creating = new Set<string>();
  const befores = new Map<number, KubeObjectDoc | null>();
  let firstFailed: YamlDocument | undefined;
  for (const p of planned) {
    if (!p) continue;
    const before = await server.get(p.path);
    befores.set(p.doc.index, before);
    const r = await write(p, true);
    const result = results[p.doc.index];
    if (r.status >= 200 && r.status < 300) {
      result.outcome = outcome(r, before, true);
      if (p.object.kind === 'Namespace' && p.object.apiVersion === 'v1')
        creating.add(p.object.metadata.name!);
    } else if (namespaceComesFirst(r, p, creating)) {
      result.outcome = 'created';
    } else {
      Object.assign(result, { outcome: 'failed', ...failure(p.doc, r) });
      firstFailed ??= p.doc;
    }
  }
  if (!firstFailed && planned.some((p) => p === null)) firstFailed = docs[planned.indexOf(null)];
  if (req.dryRun) return results;
  if (firstFailed) {
    for (const p of planned) {
      const r = results[p?.doc.index ?? -1];
      if (p && r.outcome !== 'failed')
        Object.assign(r, { outcome: 'unchanged', message: notApplied(firstFailed) });
    }
    return results;
  }
  for (const p of planned as Planned[]) {
    const result = results[p.doc.index];
    const r = await write(p, false);
    if (r.status >= 200 && r.status < 300) {
      result.outcome = outcome(r, befores.get(p.doc.index) ?? null, false);
      delete result.message;
    } else Object.assign(result, { outcome: 'failed', ...failure(p.doc, r) });
  }
  return results;
}

const notSent = (d: YamlDocument) =>
  `not sent: document ${d.index + 1} (line ${d.line}) cannot be read, so nothing was applied`;
const notApplied = (d: YamlDocument) =>
  `not applied: document ${d.index + 1} (line ${d.line}) failed the server's dry run, so nothing was applied`;

/** A dry run refused only because the namespace does not exist yet, while an earlier document makes it. */
function namespaceComesFirst(r: KubeResponse, p: Planned, creating: Set<string>): boolean {
  const s = r.body as KubeStatusBody | null;
  return (
    r.status === 404 &&
    s?.details?.kind === 'namespaces' &&
    s.details.name === p.namespace &&
    creating.has(p.namespace)
  );
}

interface ResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

/** The real server behind a context: discovery per group-version (cached for one apply), SSA by PATCH. */
export function apiServer(kc: KubeConfig): ApplyServer {
  const lists = new Map<string, Promise<ResourceList | null>>();
  return {
    async resource(apiVersion, kind) {
      let list = lists.get(apiVersion);
      if (!list) {
        list = kubeRequest(kc, { path: groupPrefix(apiVersion) }).then((r) =>
          r.status === 200 ? (r.body as ResourceList) : null,
        );
        lists.set(apiVersion, list);
      }
      const found = (await list)?.resources?.find((x) => x.kind === kind && !x.name.includes('/'));
      return found ? { plural: found.name, namespaced: found.namespaced } : null;
    },
    async get(path) {
      const r = await kubeRequest(kc, { path });
      return r.status === 200 ? (r.body as KubeObjectDoc) : null;
    },
    apply(path, object, dryRun) {
      return kubeRequest(kc, {
        method: 'PATCH',
        path,
        query: {
          fieldManager,
          force: false,
          fieldValidation: 'Strict',
          ...(dryRun ? { dryRun: 'All' } : {}),
        },
        body: JSON.stringify(object),
        contentType: 'application/apply-patch+yaml',
      });
    },
    replace(path, object, dryRun) {
      return kubeRequest(kc, {
        method: 'PUT',
        path,
        query: { fieldManager, fieldValidation: 'Strict', ...(dryRun ? { dryRun: 'All' } : {}) },
        body: JSON.stringify(object),
        contentType: 'application/json',
      });
    },
  };
}

/** The handler's work: the context's server and its default namespace. */
export function applyInContext(kc: KubeConfig, req: ApplyRequest): Promise<ApplyResult[]> {
  return applyYaml(apiServer(kc), req, contextNamespace(kc));
}
