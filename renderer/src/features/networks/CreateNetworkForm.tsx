import { useState } from 'react';
import type { CreateNetworkRequest } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { FormCard } from '../../ui/FormCard.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { useFormSubmit } from '../../ui/use-form-submit.ts';
import { useTextFields } from '../../ui/use-text-fields.ts';

export function CreateNetworkForm({ onDone }: { onDone: () => void }) {
  const createNetwork = useStore((s) => s.createNetwork);
  const notify = useStore((s) => s.notify);
  const { values, field } = useTextFields({ name: '', subnet: '', gateway: '' });
  const [internal, setInternal] = useState(false);
  const submit = useFormSubmit({
    parse: () => ({
      name: values.name.trim(),
      subnet: values.subnet.trim() || undefined,
      gateway: values.gateway.trim() || undefined,
      internal,
    }),
    send: async (req: CreateNetworkRequest) => {
      const err = await createNetwork(req);
      if (!err) notify({ kind: 'success', message: `Created network ${req.name}` });
      return err;
    },
    onDone,
  });

  return (
    <FormCard verb="Create" noun="network" pendingLabel="Creating…" onCancel={onDone} {...submit}>
      <TextField label="Name" {...field('name')} required />
      <TextField label="Subnet" {...field('subnet')} placeholder="automatic, e.g. 172.30.0.0/24" />
      <TextField label="Gateway" {...field('gateway')} placeholder="first address of the subnet" />
      <label className="inline checkbox">
        <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} />
        Internal (no access to the outside)
      </label>
    </FormCard>
  );
}
