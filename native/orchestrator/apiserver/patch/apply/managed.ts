// metadata.managedFields: who manages which fields. An Update (create, update, patch) gives its
// manager the fields it changed and takes them from everyone else; an Apply makes the applied
// configuration the manager's set, fails on fields others manage with another value unless forced,
// and removes the fields the manager applied before and nobody manages any more. After
// structured-merge-diff's Updater, which kube-apiserver runs.
import { isObject, type Json, type JsonObject } from '../json.ts';
import type { Shape } from '../shape.ts';
import { type FieldPath, FieldSet, pathString } from './fieldset.ts';
import { compare, fieldsOf, mergeTyped, removePath } from './typed.ts';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

export interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** What a write is: who writes, how, through which subresource, at what time. */
export interface Writer {
  manager: string;
  apiVersion: string;
  subresource?: string;
  time: string;
}

/** Appliers are one manager whatever version they applied in; updaters are one per version. */
const identity = (m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>) =>
  JSON.stringify([m.manager, m.operation, m.operation === 'Apply' ? '' : m.apiVersion, m.subresource ?? '']);

export function decodeManaged(entries: unknown): Map<string, Manager> {
  const out = new Map<string, Manager>();
  if (!Array.isArray(entries)) return out;
  for (const e of entries) {
    if (!isObject(e) || typeof e.manager !== 'string') continue;
    const operation = e.operation === 'Apply' ? 'Apply' : 'Update';
    const m: Manager = {
      manager: e.manager,
      operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      subresource: typeof e.subresource === 'string' && e.subresource ? e.subresource : undefined,
      time: typeof e.time === 'string' ? e.time : undefined,
      set: FieldSet.fromFieldsV1(e.fieldsV1),
    };
    out.set(identity(m), m);
  }
  return out;
}

/** Entries in kube-apiserver's order: Apply before Update, then by time, manager, version, subresource. */
export function encodeManaged(managers: Map<string, Manager>): ManagedFieldsEntry[] {
  const list = [...managers.values()].filter((m) => !m.set.empty());
  const cmp = (a?: string, b?: string) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);
  list.sort(
    (a, b) =>
      cmp(a.operation, b.operation) ||
      cmp(a.time, b.time) ||
      cmp(a.manager, b.manager) ||
      cmp(a.apiVersion, b.apiVersion) ||
      cmp(a.subresource, b.subresource),
  );
  return list.map((m) => ({
    manager: m.manager,
    operation: m.operation,
    apiVersion: m.apiVersion,
    ...(m.time ? { time: m.time } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: m.set.toFieldsV1(),
    ...(m.subresource ? { subresource: m.subresource } : {}),
  }));
}

function setOf(managers: Map<string, Manager>, who: Manager, set: FieldSet, time: string): void {
  const key = identity(who);
  const prev = managers.get(key);
  const changed = !prev?.set.equals(set);
  managers.set(key, { ...who, set, time: changed ? time : (prev?.time ?? time) });
}

/** An Update: `before` became `after` (both as tracked: see tracked() in the caller). */
export function recordUpdate(
  managers: Map<string, Manager>,
  before: Json | undefined,
  after: Json,
  shape: Shape,
  writer: Writer,
): Map<string, Manager> {
  const out = new Map(managers);
  const c = compare(before, after, shape);
  const changed = c.added.union(c.modified);
  const me: Manager = { ...writer, operation: 'Update', set: new FieldSet() };
  for (const [k, m] of out) {
    if (k === identity(me)) continue;
    const set = m.set.difference(changed).difference(c.removed);
    if (!set.equals(m.set)) out.set(k, { ...m, set });
  }
  const mine = (out.get(identity(me))?.set ?? new FieldSet()).difference(c.removed).union(changed);
  setOf(out, me, mine, writer.time);
  for (const [k, m] of out) if (m.set.empty()) out.delete(k);
  return out;
}

export interface Conflict {
  manager: Manager;
  path: FieldPath;
}

export class ApplyConflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(conflictMessage(conflicts));
  }
}

/** How kube-apiserver names a manager in a conflict. */
export function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

function conflictMessage(conflicts: Conflict[]): string {
  if (conflicts.length === 1)
    return `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  const byManager = new Map<string, Conflict[]>();
  for (const c of conflicts) {
    const k = identity(c.manager);
    byManager.set(k, [...(byManager.get(k) ?? []), c]);
  }
  const lines: string[] = [];
  for (const k of [...byManager.keys()].sort()) {
    const group = byManager.get(k)!;
    lines.push(`conflicts with ${printManager(group[0].manager)}:`);
    for (const c of group) lines.push(`- ${pathString(c.path)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/**
 * An Apply of `config` over `live` (both as tracked). Returns the object the apply makes and the
 * managers after it; throws ApplyConflicts when another manager holds a field the apply would change
 * and `force` is not set.
 */
export function recordApply(
  managers: Map<string, Manager>,
  live: JsonObject,
  config: JsonObject,
  shape: Shape,
  writer: Writer,
  force: boolean,
): { object: JsonObject; managers: Map<string, Manager> } {
  const out = new Map(managers);
  const me: Manager = { ...writer, operation: 'Apply', set: new FieldSet() };
  const key = identity(me);
  const lastSet = out.get(key)?.set;
  const object = (mergeTyped(live, config, shape) ?? {}) as JsonObject;
  const applied = fieldsOf(config, shape);
  setOf(out, me, applied, writer.time);
  if (lastSet) {
    // What the manager applied before and nobody manages now goes.
    const owned = [...out.values()].reduce((acc, m) => acc.union(m.set), new FieldSet());
    const dropped = lastSet.paths().filter((p) => !owned.has(p) && !owned.hasBelow(p));
    for (const p of dropped.reverse()) removePath(object, p, shape);
  }
  const c = compare(live, object, shape);
  const changed = c.added.union(c.modified);
  const conflicts: Conflict[] = [];
  for (const [k, m] of out) {
    if (k === key) continue;
    for (const p of m.set.intersection(changed).paths()) conflicts.push({ manager: m, path: p });
  }
  if (conflicts.length && !force) throw new ApplyConflicts(conflicts);
  for (const [k, m] of out) {
    if (k === key) continue;
    const set = m.set.difference(changed).difference(c.removed);
    if (!set.equals(m.set)) out.set(k, { ...m, set });
  }
  for (const [k, m] of out) if (m.set.empty()) out.delete(k);
  return { object, managers: out };
}
