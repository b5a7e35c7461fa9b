import { type FormEvent, useState } from 'react';
import type { ContractError } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { parseLabels } from './volume-request.ts';

export function CreateVolumeForm({ onDone }: { onDone: () => void }) {
  const createVolume = useStore((s) => s.createVolume);
  const [name, setName] = useState('');
  const [labels, setLabels] = useState('');
  const [error, setError] = useState<ContractError | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let parsed: Record<string, string>;
    try {
      parsed = parseLabels(labels);
    } catch (err) {
      setError({ kind: 'invalid_argument', code: 'ui.form', message: (err as Error).message });
      return;
    }
    setPending(true);
    const failed = await createVolume({ name: name.trim() || undefined, labels: parsed });
    setPending(false);
    if (failed) setError(failed);
    else onDone();
  };

  return (
    <form className="card run-form" onSubmit={submit} aria-label="Create a volume">
      <h2>Create a volume</h2>
      <ErrorBanner error={error} context="Cannot create the volume" />
      <div className="grid">
        <label>
          Name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            name="name"
            placeholder="generated when empty"
          />
        </label>
        <label className="wide">
          Labels (KEY=value, one per line)
          <textarea value={labels} onChange={(e) => setLabels(e.target.value)} name="labels" rows={2} />
        </label>
      </div>
      <div className="row">
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Creating…' : 'Create'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
