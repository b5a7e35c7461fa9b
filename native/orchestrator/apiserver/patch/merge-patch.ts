// RFC 7386 JSON merge patch: objects merge key by key, null deletes, anything else (lists included)
// replaces. What `kubectl patch --type merge` and `kubectl label` send.
import { clone, isObject, type Json } from './json.ts';

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
