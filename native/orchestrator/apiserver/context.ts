// What every handler gets: the store, the registry, the clock, admission, and the request's scope.
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { Store } from '../store/store.ts';
import type { AdmissionPlugin } from './admission.ts';
import type { UserInfo } from './authn.ts';
import type { RbacAuthorizer } from './authz/rbac.ts';
import type { WatchCache } from './cache.ts';
import type { Rendering } from './http.ts';
import type { FieldManager } from './patch/apply/field-manager.ts';
import type { Registry, ResourceDef } from './registry.ts';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

/** Finds the fields of an object its kind's schema does not know (dotted paths). */
export type UnknownFieldFinder = (def: ResourceDef, obj: unknown) => string[];

export interface ApiContext {
  store: Store;
  registry: Registry;
  clock: Clock;
  admission: AdmissionPlugin[];
  log: Logger;
  unknownFields?: UnknownFieldFinder;
  /** Keeps metadata.managedFields; without it writes leave them as they are. */
  fields?: FieldManager;
  /** Lists at the latest revision are served from here when it can (see cache.ts). */
  cache?: WatchCache;
  /** Decides what HTTP clients may do (and answers the access reviews); in-process parts skip it. */
  authorizer?: RbacAuthorizer;
  /** How often an idle watch that asked for bookmarks gets one. */
  bookmarkIntervalMs: number;
}

export interface Scope {
  def: ResourceDef;
  /** The namespace in the URL; undefined for cluster-scoped kinds and lists across namespaces. */
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  user: UserInfo;
  rendering: Rendering;
  /** Warning headers to send (`299 - "…"`), filled by the handlers. */
  warnings: string[];
  /** The client's User-Agent: the field manager of a write that names none. */
  userAgent?: string;
}

export const isDryRun = (scope: Scope) => scope.query.getAll('dryRun').includes('All');

/**
 * Who manages what a write sets: the fieldManager parameter, else the client's User-Agent up to its
 * first `/` (kubectl/v1.32.0 … → kubectl), printable characters only, at most 128 bytes.
 */
export function fieldManagerOf(scope: Scope): string {
  const named = scope.query.get('fieldManager');
  if (named) return named;
  let out = '';
  for (const ch of (scope.userAgent ?? '').split('/')[0]) {
    if (!/\p{L}|\p{N}|\p{P}|\p{S}|\p{Zs}/u.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > 128) break;
    out += ch;
  }
  return out;
}
