// Deleting objects of a kind: confirmed in the app's dialog with their names, one `kube.delete` per
// namespace, and one toast that says what went and what the server refused.
import type { KubeKind, KubeRow } from '../../../../../electron/contract/index.ts';
import { useStore } from '../../../store/index.ts';
import { kindWords } from '../kinds.ts';

/** Resolves true when the user confirmed (whatever the server then said). */
export async function deleteObjects(
  context: string,
  kind: KubeKind,
  rows: readonly Pick<KubeRow, 'name' | 'namespace'>[],
): Promise<boolean> {
  if (rows.length === 0) return false;
  const s = useStore.getState();
  const w = kindWords[kind];
  const one = rows.length === 1;
  const ok = await s.confirm({
    title: one ? `Delete ${w.singular.toLowerCase()} ${rows[0].name}?` : `Delete ${rows.length} ${w.noun}?`,
    body: `${one ? 'It is deleted' : 'They are deleted'} from context ${context}${kind === 'pods' ? '; pods that a controller owns are made again.' : '.'}`,
    ...(one ? {} : { items: rows.map((r) => (r.namespace ? `${r.namespace}/${r.name}` : r.name)) }),
    confirmLabel: 'Delete',
  });
  if (!ok) return false;
  const byNamespace = new Map<string, string[]>();
  for (const r of rows) byNamespace.set(r.namespace, [...(byNamespace.get(r.namespace) ?? []), r.name]);
  const deleted: string[] = [];
  const failed: string[] = [];
  for (const [namespace, names] of byNamespace) {
    const r = await s.kubeCall('kube.delete', { context, kind, namespace, names });
    if (!r.ok) failed.push(...names.map((n) => `${n}: ${r.error.message}`));
    else {
      deleted.push(...r.value.deleted);
      failed.push(...r.value.failed.map((f) => `${f.name}: ${f.message}`));
    }
  }
  if (failed.length === 0)
    s.notify({
      kind: 'success',
      message: one
        ? `Deleted ${w.singular.toLowerCase()} ${rows[0].name}.`
        : `Deleted ${deleted.length} ${w.noun}.`,
    });
  else
    s.notify({
      kind: 'error',
      message: `Cannot delete ${failed.length} of ${rows.length} ${w.noun}`,
      detail: failed.join('; '),
    });
  return true;
}
