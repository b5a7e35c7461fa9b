import { type FormEvent, useState } from 'react';
import type { ContractError } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';

export function CreateNetworkForm({ onDone }: { onDone: () => void }) {
  const createNetwork = useStore((s) => s.createNetwork);
  const [name, setName] = useState('');
  const [subnet, setSubnet] = useState('');
  const [gateway, setGateway] = useState('');
  const [internal, setInternal] = useState(false);
  const [error, setError] = useState<ContractError | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setPending(true);
    const failed = await createNetwork({
      name: name.trim(),
      subnet: subnet.trim() || undefined,
      gateway: gateway.trim() || undefined,
      internal,
    });
    setPending(false);
    if (failed) setError(failed);
    else onDone();
  };

  return (
    <form className="card run-form" onSubmit={submit} aria-label="Create a network">
      <h2>Create a network</h2>
      <ErrorBanner error={error} context="Cannot create the network" />
      <div className="grid">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} name="name" required />
        </label>
        <label>
          Subnet
          <input
            value={subnet}
            onChange={(e) => setSubnet(e.target.value)}
            name="subnet"
            placeholder="automatic, e.g. 172.30.0.0/24"
          />
        </label>
        <label>
          Gateway
          <input
            value={gateway}
            onChange={(e) => setGateway(e.target.value)}
            name="gateway"
            placeholder="first address of the subnet"
          />
        </label>
        <label className="inline checkbox">
          <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} />
          Internal (no access to the outside)
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
