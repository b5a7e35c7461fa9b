// Server-side field validation: the fields of an object that its kind's schema does not have, as the
// paths Kubernetes names them (`spec.containers[0].imagePullPolicyy`).
import type { ResourceDef } from '../registry.ts';
import type { SchemaCatalog, TypeRef } from '../schema/index.ts';
import type { OpenApi } from './openapi.ts';

const isPlain = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

function walkType(catalog: SchemaCatalog, full: string, value: unknown, path: string, out: string[]): void {
  const t = catalog.get(full);
  if (!t || t.scalar || !isPlain(value)) return;
  for (const [key, v] of Object.entries(value)) {
    const field = t.fields[key];
    const p = path ? `${path}.${key}` : key;
    if (!field) {
      if (!t.open) out.push(p);
      continue;
    }
    walkRef(catalog, catalog.parse(field.type, full), v, p, out);
  }
}

function walkRef(catalog: SchemaCatalog, type: TypeRef, value: unknown, path: string, out: string[]): void {
  switch (type.kind) {
    case 'primitive':
      return;
    case 'named':
      walkType(catalog, type.full, value, path, out);
      return;
    case 'list':
      if (Array.isArray(value))
        for (const [i, v] of value.entries()) walkRef(catalog, type.of, v, `${path}[${i}]`, out);
      return;
    case 'map':
      if (isPlain(value))
        for (const [k, v] of Object.entries(value)) walkRef(catalog, type.of, v, `${path}.${k}`, out);
      return;
  }
}

export function unknownFields(openapi: OpenApi, def: ResourceDef, obj: unknown): string[] {
  if (def.custom) return def.custom.unknownFields(obj);
  const full = openapi.catalog.forKind(def.group, def.version, def.kind);
  if (!full) return [];
  const out: string[] = [];
  walkType(openapi.catalog, full, obj, '', out);
  return out;
}
