// Scale: the replicas in a number field, sent with `kube.scale`; the field follows the live object
// until the user edits it.
import { useState } from 'react';
import type { WorkloadRow } from '../../../../../electron/contract/index.ts';
import { useStore } from '../../../store/index.ts';

export function ScaleControl({ row, context }: { row: WorkloadRow; context: string }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const report = useStore((s) => s.report);
  const kubeCall = useStore((s) => s.kubeCall);
  if (row.kind === 'daemonsets') return null;
  const kind = row.kind;
  const value = draft ?? String(row.desired);
  const replicas = Number(value);
  const valid = value.trim() !== '' && Number.isInteger(replicas) && replicas >= 0;
  const scale = async () => {
    setBusy(true);
    const r = await kubeCall('kube.scale', {
      context,
      kind,
      namespace: row.namespace,
      name: row.name,
      replicas,
    });
    setBusy(false);
    if (r.ok) setDraft(null);
    report(`Scaled ${row.name} to ${replicas}.`, r.ok ? null : r.error, `Cannot scale ${row.name}`);
  };
  return (
    <form
      className="scale-control"
      aria-label={`Scale ${row.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (valid && !busy) void scale();
      }}
    >
      <label>
        Replicas{' '}
        <input
          type="number"
          min={0}
          step={1}
          value={value}
          aria-invalid={!valid}
          onChange={(e) => setDraft(e.target.value)}
        />
      </label>
      <button type="submit" disabled={!valid || busy || replicas === row.desired}>
        {busy ? 'Scaling…' : 'Scale'}
      </button>
    </form>
  );
}
