// The forms of the volumes screen that make a volume from another or from a tar: clone and import.
import { useState } from 'react';
import { useStore } from '../../store/index.ts';
import { FormCard } from '../../ui/FormCard.tsx';
import { formatBytes } from '../../ui/format.ts';
import { TextField } from '../../ui/TextField.tsx';
import { useFormSubmit } from '../../ui/use-form-submit.ts';
import { useTextFields } from '../../ui/use-text-fields.ts';

export function CloneVolumeForm({ name, onDone }: { name: string; onDone: () => void }) {
  const cloneVolume = useStore((s) => s.cloneVolume);
  const notify = useStore((s) => s.notify);
  const { values, field } = useTextFields({ target: `${name}-copy` });
  const submit = useFormSubmit({
    parse: () => {
      const target = values.target.trim();
      if (!target) throw new Error('name the new volume');
      return target;
    },
    send: async (target: string) => {
      const err = await cloneVolume(name, target);
      if (!err) notify({ kind: 'success', message: `Cloned volume ${name} to ${target}` });
      return err;
    },
    onDone,
  });
  return (
    <FormCard
      verb="Clone"
      noun="volume"
      ariaLabel={`Clone volume ${name}`}
      pendingLabel="Copying…"
      onCancel={onDone}
      {...submit}
    >
      <p className="wide muted">
        A new volume with a copy of every file of <strong className="mono">{name}</strong>.
      </p>
      <TextField label="New volume name" {...field('target')} required />
    </FormCard>
  );
}

export function ImportVolumeForm({ onDone }: { onDone: () => void }) {
  const importVolume = useStore((s) => s.importVolume);
  const notify = useStore((s) => s.notify);
  const { values, field } = useTextFields({ name: '' });
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState('');
  const target = () => values.name.trim() || (file?.name ?? '').replace(/\.(tar|tgz|tar\.gz)$/i, '');
  const submit = useFormSubmit({
    parse: () => {
      if (!file) throw new Error('choose a tar file to import');
      const name = target();
      if (!name) throw new Error('name the volume to import into');
      return { name, file };
    },
    send: async (req: { name: string; file: File }) => {
      const err = await importVolume(req.name, req.file, (sent, total) =>
        setProgress(`${formatBytes(sent)} of ${formatBytes(total)}`),
      );
      setProgress('');
      if (!err) notify({ kind: 'success', message: `Imported ${req.file.name} into volume ${req.name}` });
      return err;
    },
    onDone,
  });
  return (
    <FormCard verb="Import" noun="volume" pendingLabel="Importing…" onCancel={onDone} {...submit}>
      <p className="wide muted">
        Extracts a tar (such as one exported here) into a new volume, or into an empty one.
      </p>
      <label>
        Tar file
        <input
          type="file"
          accept=".tar,application/x-tar"
          required
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
      </label>
      <TextField label="Into volume" {...field('name')} placeholder={target() || 'named after the file'} />
      {progress && (
        <p className="wide muted" role="status">
          Sent {progress}
        </p>
      )}
    </FormCard>
  );
}
