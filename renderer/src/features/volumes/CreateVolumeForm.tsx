import { useStore } from '../../store/index.ts';
import { FormCard } from '../../ui/FormCard.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { useFormSubmit } from '../../ui/use-form-submit.ts';
import { useTextFields } from '../../ui/use-text-fields.ts';
import { parseLabels } from './volume-request.ts';

export function CreateVolumeForm({ onDone }: { onDone: () => void }) {
  const createVolume = useStore((s) => s.createVolume);
  const notify = useStore((s) => s.notify);
  const { values, field } = useTextFields({ name: '', labels: '' });
  const submit = useFormSubmit({
    parse: () => ({ name: values.name.trim() || undefined, labels: parseLabels(values.labels) }),
    send: async (req: { name?: string; labels: Record<string, string> }) => {
      const err = await createVolume(req);
      if (!err)
        notify({ kind: 'success', message: req.name ? `Created volume ${req.name}` : 'Created a volume' });
      return err;
    },
    onDone,
  });

  return (
    <FormCard verb="Create" noun="volume" pendingLabel="Creating…" onCancel={onDone} {...submit}>
      <TextField label="Name" {...field('name')} placeholder="generated when empty" />
      <TextField label="Labels (KEY=value, one per line)" {...field('labels')} rows={2} />
    </FormCard>
  );
}
