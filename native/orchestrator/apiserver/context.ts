// What every handler gets: the store, the registry, the clock, admission, and the request's scope.
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { Store } from '../store/store.ts';
import type { AdmissionPlugin } from './admission.ts';
import type { UserInfo } from './authn.ts';
import type { Rendering } from './http.ts';
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
}

export const isDryRun = (scope: Scope) => scope.query.getAll('dryRun').includes('All');
