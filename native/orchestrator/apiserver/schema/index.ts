// The catalog of every schema package: resolves the short type names of the description to full
// OpenAPI names and finds each kind's schema.
import { apiextensionsPackage } from './apiextensions.ts';
import { appsPackage } from './apps.ts';
import { authenticationPackage, authorizationPackage } from './authorization.ts';
import { autoscalingPackage, autoscalingV2Package } from './autoscaling.ts';
import { batchPackage } from './batch.ts';
import { coordinationPackage } from './coordination.ts';
import { corePackage } from './core.ts';
import { discoveryPackage } from './discovery.ts';
import { primitives, type SchemaPackage, type TypeSchema } from './dsl.ts';
import { eventsPackage } from './events.ts';
import { metaPackage, scalarsPackage } from './meta.ts';
import { metricsPackage } from './metrics.ts';
import { networkingPackage } from './networking.ts';
import { policyPackage } from './policy.ts';
import { rbacPackage } from './rbac.ts';
import { schedulingPackage } from './scheduling.ts';
import { storagePackage } from './storage.ts';

export const schemaPackages: SchemaPackage[] = [
  metaPackage,
  scalarsPackage,
  corePackage,
  appsPackage,
  batchPackage,
  discoveryPackage,
  storagePackage,
  coordinationPackage,
  eventsPackage,
  autoscalingPackage,
  autoscalingV2Package,
  networkingPackage,
  rbacPackage,
  schedulingPackage,
  metricsPackage,
  policyPackage,
  authorizationPackage,
  authenticationPackage,
  apiextensionsPackage,
];

export type TypeRef =
  | { kind: 'primitive'; name: string }
  | { kind: 'named'; full: string }
  | { kind: 'list'; of: TypeRef }
  | { kind: 'map'; of: TypeRef };

export class SchemaCatalog {
  private readonly types = new Map<string, TypeSchema>();
  private readonly owner = new Map<string, SchemaPackage>();
  private readonly byShort = new Map<string, string[]>();

  constructor(readonly packages: SchemaPackage[] = schemaPackages) {
    for (const p of packages) {
      for (const [short, t] of Object.entries(p.types)) {
        const full = `${p.name}.${short}`;
        this.types.set(full, t);
        this.owner.set(full, p);
        this.byShort.set(short, [...(this.byShort.get(short) ?? []), full]);
      }
    }
  }

  get(full: string): TypeSchema | undefined {
    return this.types.get(full);
  }

  names(): string[] {
    return [...this.types.keys()];
  }

  /** The full name of the kind's schema (its x-kubernetes-group-version-kind). */
  forKind(group: string, version: string, kind: string): string | undefined {
    for (const [full, t] of this.types)
      if (t.gvk && t.gvk.group === group && t.gvk.version === version && t.gvk.kind === kind) return full;
    return undefined;
  }

  /** Parses a field type as written in `from` (a full type name). Throws on a name that is nowhere. */
  parse(type: string, from: string): TypeRef {
    if (type.startsWith('[]')) return { kind: 'list', of: this.parse(type.slice(2), from) };
    if (type.startsWith('{}')) return { kind: 'map', of: this.parse(type.slice(2), from) };
    if (primitives.has(type)) return { kind: 'primitive', name: type };
    const pkg = this.owner.get(from);
    if (pkg?.types[type]) return { kind: 'named', full: `${pkg.name}.${type}` };
    const candidates = this.byShort.get(type) ?? [];
    if (candidates.length !== 1)
      throw new Error(`schema ${from}: type ${type} is ${candidates.length ? 'ambiguous' : 'unknown'}`);
    return { kind: 'named', full: candidates[0] };
  }
}
