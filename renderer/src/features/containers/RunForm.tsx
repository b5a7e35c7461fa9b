import type { RunContainerRequest } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { FormCard } from '../../ui/FormCard.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { useFormSubmit } from '../../ui/use-form-submit.ts';
import { useTextFields } from '../../ui/use-text-fields.ts';
import { parsePorts, parseVolumes, splitCommand } from './run-request.ts';

export function RunForm({ onDone }: { onDone: () => void }) {
  const runContainer = useStore((s) => s.runContainer);
  const { values, field } = useTextFields({
    image: 'busybox',
    name: '',
    cmd: '',
    ports: '',
    volumes: '',
    env: '',
  });
  const submit = useFormSubmit({
    parse: (): RunContainerRequest => ({
      image: values.image,
      name: values.name.trim() || undefined,
      cmd: values.cmd.trim() ? splitCommand(values.cmd) : undefined,
      ports: parsePorts(values.ports),
      volumes: parseVolumes(values.volumes),
      env: values.env
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    }),
    send: async (req) => {
      const r = await runContainer(req);
      return 'kind' in r ? r : null;
    },
    onDone,
  });

  return (
    <FormCard
      ariaLabel="Run a new container"
      verb="Run"
      noun="container"
      pendingLabel="Starting…"
      onCancel={onDone}
      {...submit}
    >
      <TextField label="Image" {...field('image')} required />
      <TextField label="Name" {...field('name')} placeholder="optional" />
      <TextField label="Command" {...field('cmd')} placeholder="image default" />
      <TextField label="Ports" {...field('ports')} placeholder="8080:80" />
      <TextField label="Volumes" {...field('volumes')} placeholder="data:/data or /host/dir:/dir:ro" />
      <TextField label="Environment (KEY=value, one per line)" {...field('env')} rows={2} />
    </FormCard>
  );
}
